import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisIt from "@shopify/polaris/locales/it.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import { useState } from "react";
import { shopify } from "~/shopify.server";
import { localeFromRequest, translator, type Locale } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

function loginErrorKey(errors: { shop?: LoginErrorType } | undefined): MessageKey | undefined {
  if (errors?.shop === LoginErrorType.MissingShop) return "login.error.missingShop";
  if (errors?.shop === LoginErrorType.InvalidShop) return "login.error.invalidShop";
  return undefined;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const errors = await shopify().login(request);
  return { errorKey: loginErrorKey(errors), locale: localeFromRequest(request) };
}

export async function action({ request }: ActionFunctionArgs) {
  const errors = await shopify().login(request);
  return { errorKey: loginErrorKey(errors) };
}

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const locale: Locale = loaderData.locale;
  const t = translator(locale);
  const errorKey = actionData?.errorKey ?? loaderData.errorKey;
  return (
    <PolarisAppProvider i18n={locale === "it" ? polarisIt : polarisEn}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">
                {t("login.title")}
              </Text>
              <TextField
                type="text"
                name="shop"
                label={t("landing.shopLabel")}
                helpText={t("landing.shopHelp")}
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={errorKey ? t(errorKey) : undefined}
              />
              <Button submit>{t("landing.login")}</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
