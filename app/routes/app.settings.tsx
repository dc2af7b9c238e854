/**
 * The merchant's settings page: Soisy credentials per environment (the API key is write-only: never
 * sent to the browser), "Verify", payment options, readiness at Shopify, and the alerts and Soisy-data
 * options of issue 16 with "send a test e-mail" (docs/alerts.md).
 *
 * Every POST carries an `intent`; it must come from the app's own origin (the Origin header) on top
 * of the session cookie's SameSite=Lax. The `lang` query parameter is kept on every post.
 *
 * This route is the adapter: it authenticates, parses, wires Shopify into the intents
 * (app/settings/settings-actions.server.ts) and shapes their outcome; the cards are in
 * app/components/settings/.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page } from "@shopify/polaris";
import { z } from "zod";
import { AlertsCard } from "~/components/settings/AlertsCard";
import { CredentialsCard, type StoredCredentials } from "~/components/settings/CredentialsCard";
import { OptionsCard } from "~/components/settings/OptionsCard";
import { ReadinessCard } from "~/components/settings/ReadinessCard";
import { widgetAssetHref, widgetTexts } from "~/components/widget-assets";
import { WidgetPreview } from "~/components/WidgetPreview";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { readFormBody } from "~/http/form-body.server";
import { localeFromRequest, translator, type Locale } from "~/i18n/i18n";
import { formatMoney } from "~/i18n/money";
import { logger } from "~/logger.server";
import { sendTestMail } from "~/notifications/test-mail.server";
import { alertsToForm, type AlertField, type AlertFormValues } from "~/settings/alert-settings-form";
import { getAlertSettings } from "~/settings/alert-settings.server";
import { invalidateQuoteSettings } from "~/quotes/runtime.server";
import { runSettingsIntent, type SettingsNotice, type SettingsPorts } from "~/settings/settings-actions.server";
import { optionsOf, optionsToForm, type CredentialField, type FieldErrors, type OptionField, type OptionsFormValues } from "~/settings/settings-form";
import { AMOUNT_LIMITS, credentialStatus, ensureShopSettings, getShopSettings, type SoisyEnvironment } from "~/settings/settings.server";
import { readinessOf, syncReadiness } from "~/shopify/configure.server";
import { syncShopCheckoutRules } from "~/shopify/payment-customization.server";
import { shopHandle } from "~/shopify/shop-handle";
import { refreshShopName } from "~/shopify/shop-profile.server";
import { shopify } from "~/shopify.server";
import { SOISY_ENVIRONMENTS } from "~/soisy/types";

const ENVIRONMENTS = SOISY_ENVIRONMENTS;

/** The Shopify admin page where the merchant activates the payment method. */
function adminPaymentsUrl(shop: string): string {
  return `https://admin.shopify.com/store/${encodeURIComponent(shopHandle(shop))}/settings/payments`;
}

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const t = translator(data?.locale ?? "it");
  return [{ title: `${t("settings.title")} — ${t("app.name")}` }];
};

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  await ensureShopSettings(db(), session.shop);
  const settings = (await getShopSettings(db(), session.shop))!;
  const readiness = readinessOf(settings);
  // Never the keys: getShopSettings only says whether one is stored.
  const credentials = Object.fromEntries(
    ENVIRONMENTS.map((env) => {
      const c = settings.credentials[env];
      return [
        env,
        {
          soisyShopId: c.soisyShopId ?? "",
          apiKeySet: c.apiKeySet,
          verifiedAt: c.verifiedAt?.toISOString() ?? null,
          rejectedAt: c.rejectedAt?.toISOString() ?? null,
          status: credentialStatus(c),
        },
      ];
    }),
  ) as Record<SoisyEnvironment, StoredCredentials>;
  const alertSettings = (await getAlertSettings(db(), session.shop))!;
  return {
    alerts: alertsToForm(alertSettings),
    mailConfigured: Boolean(appConfig().SMTP_URL),
    locale: localeFromRequest(request),
    productionStatus: credentials.production.status,
    adminPaymentsUrl: adminPaymentsUrl(session.shop),
    options: localizedAmounts(optionsToForm(optionsOf(settings)), localeFromRequest(request)),
    credentials,
    amountLimits: { min: formatMoney(AMOUNT_LIMITS.minCents, "EUR", localeFromRequest(request)), max: formatMoney(AMOUNT_LIMITS.maxCents, "EUR", localeFromRequest(request)) },
    readiness: { ready: readiness.ready, wanted: readiness.wanted, inSync: readiness.inSync, missing: readiness.missing },
    widgetPreview: {
      texts: widgetTexts(localeFromRequest(request)),
      scriptSrc: widgetAssetHref("soisy-widget.js"),
      styleHref: widgetAssetHref("soisy-widget.css"),
      endpoint: "/app/widget-preview",
      // A sample amount the shop accepts: € 1.000 unless the range says otherwise.
      initialAmountCents: Math.min(Math.max(settings.minAmountCents, 100_000), settings.maxAmountCents),
      minAmountCents: settings.minAmountCents,
      maxAmountCents: settings.maxAmountCents,
      instalments: settings.widgetInstalments,
    },
  };
}

/** The amount fields as the merchant writes them: "150,50" in Italian, "150.50" in English. */
function localizedAmounts(values: OptionsFormValues, locale: Locale): OptionsFormValues {
  if (locale !== "it") return values;
  return { ...values, minAmount: values.minAmount.replace(".", ","), maxAmount: values.maxAmount.replace(".", ",") };
}

interface ActionResult {
  nonce: number;
  intent: string;
  environment?: SoisyEnvironment;
  notices: SettingsNotice[];
  optionErrors?: FieldErrors<OptionField>;
  optionValues?: OptionsFormValues;
  credentialErrors?: FieldErrors<CredentialField>;
  /** Only the shop id is echoed back: never the key. */
  credentialShopId?: string;
  alertErrors?: FieldErrors<AlertField>;
  alertValues?: AlertFormValues;
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("saveOptions") }),
  z.object({ intent: z.literal("saveCredentials"), environment: z.enum(ENVIRONMENTS) }),
  z.object({ intent: z.literal("verify"), environment: z.enum(ENVIRONMENTS) }),
  z.object({ intent: z.literal("removeCredentials"), environment: z.enum(ENVIRONMENTS) }),
  z.object({ intent: z.literal("syncReadiness") }),
  z.object({ intent: z.literal("saveAlerts") }),
  z.object({ intent: z.literal("sendTestAlert") }),
]);

/** The Origin of a POST must be the app's own (CSRF defence on top of SameSite=Lax). */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  return origin === new URL(appConfig().SHOPIFY_APP_URL).origin;
}

export async function action({ request }: ActionFunctionArgs) {
  const { session, admin } = await shopify().authenticate.admin(request);
  if (!sameOrigin(request)) {
    logger.warn({ shop: session.shop, origin: request.headers.get("origin") }, "settings POST from another origin refused");
    return json<ActionResult>({ nonce: Date.now(), intent: "forbidden", notices: [{ tone: "critical", key: "settings.forbidden" }] }, { status: 403 });
  }
  const shop = session.shop;
  const database = db();
  // The body and its intent are checked before anything is written (a refused post writes nothing).
  const body = await readFormBody(request);
  const parsed = body.ok ? intentSchema.safeParse(body.form) : undefined;
  if (!body.ok || !parsed?.success) {
    return json<ActionResult>({ nonce: Date.now(), intent: "invalid", notices: [{ tone: "critical", key: "settings.forbidden" }] }, { status: body.ok ? 400 : body.status });
  }
  const form = body.form;
  await ensureShopSettings(database, shop);
  const input = parsed.data;
  const result: ActionResult = { nonce: Date.now(), intent: input.intent, notices: [] };
  if ("environment" in input) result.environment = input.environment;
  const ports: SettingsPorts = {
    db: database,
    shop,
    syncReadiness: () => syncReadiness(database, shop),
    syncCheckoutRules: () => syncShopCheckoutRules(admin.graphql, shop),
    invalidateQuotes: () => invalidateQuoteSettings(shop),
    refreshShopName: ({ onlyIfMissing }) => refreshShopName(database, admin.graphql, shop, { onlyIfMissing }),
    sendTestMail: () => {
      const config = appConfig();
      return sendTestMail({ db: database, logger, shop, smtpUrl: config.SMTP_URL, from: config.ALERT_FROM, appUrl: config.SHOPIFY_APP_URL });
    },
  };
  const outcome = await runSettingsIntent(ports, input, form);
  switch (outcome.kind) {
    case "done":
      return json<ActionResult>({ ...result, notices: outcome.notices });
    case "invalidOptions":
      return json<ActionResult>({ ...result, notices: outcome.notices, optionErrors: outcome.errors, optionValues: outcome.values }, { status: 400 });
    case "invalidCredentials":
      return json<ActionResult>({ ...result, notices: outcome.notices, credentialErrors: outcome.errors, credentialShopId: outcome.shopId }, { status: 400 });
    case "invalidAlerts":
      return json<ActionResult>({ ...result, notices: outcome.notices, alertErrors: outcome.errors, alertValues: outcome.values }, { status: 400 });
  }
}

// ---------------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------------

export default function SettingsPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionResult | undefined;
  const locale: Locale = data.locale;
  const t = translator(locale);
  const actionUrl = `/app/settings?lang=${locale}`;
  const envName = (env: SoisyEnvironment) => t(`settings.envIn.${env}`);
  const navigation = useNavigation();

  return (
    <Page title={t("settings.title")}>
      {/* Which action result is on screen once the page is idle again (browser tests wait on it). */}
      <div hidden data-settings-idle={navigation.state === "idle" ? String(actionData?.nonce ?? 0) : ""} />
      <Layout>
        {actionData && actionData.notices.length > 0 ? (
          <Layout.Section>
            <BlockStack gap="200">
              {actionData.notices.map((n, i) => (
                <div key={`${actionData.nonce}-${i}`} data-notice-tone={n.tone}>
                  <Banner tone={n.tone}>
                    <p>{t(n.key, { ...(n.params ?? {}), ...(n.env ? { env: envName(n.env) } : {}) })}</p>
                  </Banner>
                </div>
              ))}
            </BlockStack>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <ReadinessCard t={t} readiness={data.readiness} productionStatus={data.productionStatus} adminUrl={data.adminPaymentsUrl} actionUrl={actionUrl} />
        </Layout.Section>
        {ENVIRONMENTS.map((env) => {
          const mine = actionData?.environment === env && actionData.intent === "saveCredentials" ? actionData : undefined;
          const stored = data.credentials[env];
          return (
            <Layout.Section key={env}>
              <CredentialsCard
                key={`${env}:${stored.soisyShopId}:${String(stored.apiKeySet)}:${mine?.nonce ?? 0}`}
                t={t}
                env={env}
                stored={stored}
                locale={locale}
                actionUrl={actionUrl}
                errors={mine?.credentialErrors ?? {}}
                shopIdEcho={mine?.credentialErrors ? (mine.credentialShopId ?? "") : undefined}
              />
            </Layout.Section>
          );
        })}
        <Layout.Section>
          <OptionsCard
            key={`${JSON.stringify(data.options)}:${actionData?.intent === "saveOptions" ? actionData.nonce : 0}`}
            t={t}
            actionUrl={actionUrl}
            amountLimits={data.amountLimits}
            locale={locale}
            initial={actionData?.intent === "saveOptions" && actionData.optionValues ? actionData.optionValues : data.options}
            errors={actionData?.intent === "saveOptions" ? (actionData.optionErrors ?? {}) : {}}
          />
        </Layout.Section>
        <Layout.Section>
          <AlertsCard
            key={`${JSON.stringify(data.alerts)}:${actionData?.intent === "saveAlerts" ? actionData.nonce : 0}`}
            t={t}
            actionUrl={actionUrl}
            mailConfigured={data.mailConfigured}
            savedEmail={data.alerts.alertEmail !== ""}
            initial={actionData?.intent === "saveAlerts" && actionData.alertValues ? actionData.alertValues : data.alerts}
            errors={actionData?.intent === "saveAlerts" ? (actionData.alertErrors ?? {}) : {}}
          />
        </Layout.Section>
        <Layout.Section>
          <WidgetPreview
            key={`${data.widgetPreview.instalments}:${data.widgetPreview.minAmountCents}:${data.widgetPreview.maxAmountCents}:${JSON.stringify(data.options)}`}
            t={t}
            locale={locale}
            ready={data.readiness.ready}
            {...data.widgetPreview}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
