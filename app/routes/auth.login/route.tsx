import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { LoginErrorType } from "@shopify/shopify-app-remix/server";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisIt from "@shopify/polaris/locales/it.json";
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
  const locale = localeFromRequest(request);
  const errors = await loginSafely(request);
  const errorKey = loginErrorKey(errors);
  return json({ errorKey, locale }, { status: errorKey ? 400 : 200 });
}

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * The library's login, where anything it cannot take is a 400 rather than a 500: it throws its
 * redirect (OAuth begin) for a valid shop and answers errors for a missing or invalid one.
 */
async function loginSafely(request: Request): Promise<{ shop?: LoginErrorType } | undefined> {
  try {
    return await shopify().login(request);
  } catch (error) {
    if (error instanceof Response) throw error;
    return { shop: LoginErrorType.InvalidShop };
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const locale = localeFromRequest(request);
  // Only the login form's own body; anything else (JSON, text, a broken multipart) is a clear 4xx.
  if (!FORM_TYPES.test(request.headers.get("content-type") ?? "")) {
    return json({ errorKey: "login.error.invalidShop" as MessageKey, shop: "", locale }, { status: 415 });
  }
  let submitted: string;
  try {
    const value = (await request.clone().formData()).get("shop");
    submitted = typeof value === "string" ? value : "";
  } catch {
    return json({ errorKey: "login.error.invalidShop" as MessageKey, shop: "", locale }, { status: 400 });
  }
  // The typed domain comes back with the error, so the merchant can correct it.
  const shop = submitted.slice(0, 255);
  if (submitted.length > 255) return json({ errorKey: "login.error.invalidShop" as MessageKey, shop, locale }, { status: 400 });
  const errorKey = loginErrorKey(await loginSafely(request));
  return json({ errorKey, shop, locale }, { status: errorKey ? 400 : 200 });
}

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState(actionData?.shop ?? "");
  const locale: Locale = loaderData.locale;
  const t = translator(locale);
  const errorKey = actionData?.errorKey ?? loaderData.errorKey;
  return (
    // Not embedded: no App Bridge script, so no API key. English is the library's default.
    <AppProvider isEmbeddedApp={false} apiKey="" i18n={locale === "it" ? polarisIt : undefined}>
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
    </AppProvider>
  );
}
