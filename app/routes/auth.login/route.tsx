import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
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

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: translator(data?.locale ?? "it")("login.title") }];

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
  const submitted = String((await request.clone().formData()).get("shop") ?? "").slice(0, 255);
  const errors = await shopify().login(request);
  // The typed domain comes back with the error, so the merchant can correct it.
  return { errorKey: loginErrorKey(errors), shop: submitted };
}

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState(actionData?.shop ?? "");
  const locale: Locale = loaderData.locale;
  const t = translator(locale);
  const errorKey = actionData?.errorKey ?? loaderData.errorKey;
  return (
    <PolarisAppProvider i18n={locale === "it" ? polarisIt : polarisEn}>
      <Page narrowWidth>
        <Card>
          {/* A document POST: the OAuth redirects that follow leave the app for Shopify's consent page. */}
          <Form method="post" reloadDocument>
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
              <Button submit variant="primary">{t("landing.login")}</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
