/**
 * The merchant's settings page: Soisy credentials per environment (the API key is write-only: never
 * sent to the browser), "Verify", payment options, and readiness at Shopify.
 *
 * Every POST carries an `intent`; it must come from the app's own origin (the Origin header) on top
 * of the session cookie's SameSite=Lax. The `lang` query parameter is kept on every post.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Layout,
  Link,
  List,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { localeFromRequest, translator, type Locale } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { logger } from "~/logger.server";
import { parseDecimalToCents } from "~/money/cents";
import { formatMoney } from "~/i18n/money";
import { readinessOf, syncReadiness, type ConfigureOutcome } from "~/shopify/configure.server";
import { invalidateQuoteSettings } from "~/quotes/runtime.server";
import { syncShopCheckoutRules, type AdminGraphql } from "~/shopify/payment-customization.server";
import { shopHandle } from "~/shopify/shop-handle";
import { refreshShopName } from "~/shopify/shop-profile.server";
import { shopify } from "~/shopify.server";
import {
  AMOUNT_LIMITS,
  credentialStatus,
  ensureShopSettings,
  getShopSettings,
  removeSoisyCredentials,
  saveShopOptions,
  saveSoisyCredentials,
  type CredentialStatus,
  type SoisyEnvironment,
} from "~/settings/settings.server";
import {
  optionsFormEcho,
  optionsOf,
  optionsToForm,
  parseCredentialsForm,
  parseOptionsForm,
  type CredentialField,
  type FieldError,
  type FieldErrors,
  type OptionField,
  type OptionsFormValues,
} from "~/settings/settings-form";
import { checkoutRulesWarnings } from "~/settings/checkout-rules-notice";
import { SOISY_ENVIRONMENTS } from "~/soisy/types";
import { verifySoisyCredentials, type VerifyOutcome } from "~/settings/verify.server";
import { WidgetPreview } from "~/components/WidgetPreview";
import { widgetAssetHref, widgetTexts } from "~/routes/widget-assets.$file";

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
  return {
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

/**
 * What an amount field holds, in the admin's money format ("€ 15.000,00"), or null while it is not
 * an amount. Reads what the options form accepts (settings-form.ts parseEuroInput: "150.50",
 * "150,50", an optional €), client-side.
 */
function typedAmount(raw: string, locale: Locale): string | null {
  let text = raw.trim().replace(/^€\s*|\s*€$/g, "");
  if (text.includes(",")) {
    if (text.includes(".") || text.indexOf(",") !== text.lastIndexOf(",")) return null;
    text = text.replace(",", ".");
  }
  try {
    return formatMoney(parseDecimalToCents(text), "EUR", locale);
  } catch {
    return null;
  }
}

/** One environment's credentials as the page shows them (never the key). */
interface StoredCredentials {
  soisyShopId: string;
  apiKeySet: boolean;
  verifiedAt: string | null;
  rejectedAt: string | null;
  status: CredentialStatus;
}

type Notice = { tone: "success" | "critical" | "warning"; key: MessageKey; env?: SoisyEnvironment };

interface ActionResult {
  nonce: number;
  intent: string;
  environment?: SoisyEnvironment;
  notices: Notice[];
  optionErrors?: FieldErrors<OptionField>;
  optionValues?: OptionsFormValues;
  credentialErrors?: FieldErrors<CredentialField>;
  /** Only the shop id is echoed back: never the key. */
  credentialShopId?: string;
}

const intentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("saveOptions") }),
  z.object({ intent: z.literal("saveCredentials"), environment: z.enum(ENVIRONMENTS) }),
  z.object({ intent: z.literal("verify"), environment: z.enum(ENVIRONMENTS) }),
  z.object({ intent: z.literal("removeCredentials"), environment: z.enum(ENVIRONMENTS) }),
  z.object({ intent: z.literal("syncReadiness") }),
]);

const VERIFY_NOTICE: Record<VerifyOutcome, Notice["tone"]> = {
  ok: "success",
  auth: "critical",
  unreachable: "warning",
  server: "warning",
  unexpected: "critical",
  missing: "critical",
};

function verifyNotice(outcome: VerifyOutcome, env: SoisyEnvironment): Notice {
  return { tone: VERIFY_NOTICE[outcome], key: `settings.verify.${outcome}` as MessageKey, env };
}

/** Shopify accepted the update: good news only when the shop is ready; "no longer ready" is a warning. */
function readinessNotice(outcome: ConfigureOutcome): Notice {
  if (outcome.kind === "updated") {
    return outcome.ready
      ? { tone: "success", key: "settings.readiness.updatedReady" }
      : { tone: "warning", key: "settings.readiness.updatedNotReady" };
  }
  return { tone: "critical", key: outcome.kind === "unreachable" ? "settings.readiness.unreachable" : "settings.readiness.refused" };
}

/** Syncs the checkout rules to Shopify now and returns the notices to show (a warning, or nothing). */
async function checkoutRulesNotices(graphql: AdminGraphql, shop: string): Promise<Notice[]> {
  return checkoutRulesWarnings(await syncShopCheckoutRules(graphql, shop));
}

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
  await ensureShopSettings(database, shop);
  const form = Object.fromEntries(await request.formData());
  const parsed = intentSchema.safeParse(form);
  if (!parsed.success) {
    return json<ActionResult>({ nonce: Date.now(), intent: "invalid", notices: [{ tone: "critical", key: "settings.forbidden" }] }, { status: 400 });
  }
  const input = parsed.data;
  const result: ActionResult = { nonce: Date.now(), intent: input.intent, notices: [] };
  // The shop's name for the shopper pages: fetched on every options save (renames), else only when missing; never blocks.
  await refreshShopName(database, admin.graphql, shop, { onlyIfMissing: input.intent !== "saveOptions" });

  switch (input.intent) {
    case "saveOptions": {
      const options = parseOptionsForm(form);
      if (!options.ok) {
        return json<ActionResult>(
          { ...result, notices: [{ tone: "critical", key: "settings.notSaved" }], optionErrors: options.errors, optionValues: optionsFormEcho(form) },
          { status: 400 },
        );
      }
      await saveShopOptions(database, shop, options.value);
      invalidateQuoteSettings(shop);
      result.notices.push({ tone: "success", key: "settings.saved" });
      // Shopify's payment customization + widget metafield; a failure only adds a warning (retried on the next save).
      result.notices.push(...(await checkoutRulesNotices(admin.graphql, shop)));
      return json(result);
    }
    case "saveCredentials": {
      const env = input.environment;
      result.environment = env;
      const current = await getShopSettings(database, shop);
      const credentials = parseCredentialsForm(form, current?.credentials[env].apiKeySet ?? false);
      if (!credentials.ok) {
        return json<ActionResult>(
          {
            ...result,
            notices: [{ tone: "critical", key: "settings.notSaved" }],
            credentialErrors: credentials.errors,
            credentialShopId: typeof form.soisyShopId === "string" ? form.soisyShopId.slice(0, 200) : "",
          },
          { status: 400 },
        );
      }
      await saveSoisyCredentials(database, shop, env, credentials.value);
      invalidateQuoteSettings(shop);
      const outcome = await verifySoisyCredentials(database, shop, env);
      // Saved is good news only when Soisy accepted them; refused credentials get only the critical notice (what to check).
      if (outcome !== "auth") result.notices.push({ tone: outcome === "ok" ? "success" : "warning", key: "settings.credentials.saved", env });
      result.notices.push(verifyNotice(outcome, env));
      if (env === "production") result.notices.push(readinessNotice(await syncReadiness(database, shop)));
      if (env === "production") result.notices.push(...(await checkoutRulesNotices(admin.graphql, shop)));
      return json(result);
    }
    case "verify": {
      const env = input.environment;
      result.environment = env;
      const outcome = await verifySoisyCredentials(database, shop, env);
      invalidateQuoteSettings(shop);
      result.notices.push(verifyNotice(outcome, env));
      if (env === "production" && outcome !== "missing") result.notices.push(readinessNotice(await syncReadiness(database, shop)));
      if (env === "production" && outcome !== "missing") result.notices.push(...(await checkoutRulesNotices(admin.graphql, shop)));
      return json(result);
    }
    case "removeCredentials": {
      const env = input.environment;
      result.environment = env;
      await removeSoisyCredentials(database, shop, env);
      invalidateQuoteSettings(shop);
      result.notices.push({ tone: "success", key: "settings.credentials.removed", env });
      if (env === "production") result.notices.push(readinessNotice(await syncReadiness(database, shop)));
      if (env === "production") result.notices.push(...(await checkoutRulesNotices(admin.graphql, shop)));
      return json(result);
    }
    case "syncReadiness": {
      result.notices.push(readinessNotice(await syncReadiness(database, shop)));
      invalidateQuoteSettings(shop);
      result.notices.push(...(await checkoutRulesNotices(admin.graphql, shop)));
      return json(result);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------------

type T = ReturnType<typeof translator>;

function errorText(t: T, error: FieldError | undefined): string | undefined {
  return error ? t(error.key, error.params) : undefined;
}

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
                    <p>{t(n.key, n.env ? { env: envName(n.env) } : {})}</p>
                  </Banner>
                </div>
              ))}
            </BlockStack>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Readiness t={t} readiness={data.readiness} productionStatus={data.productionStatus} adminUrl={data.adminPaymentsUrl} actionUrl={actionUrl} />
        </Layout.Section>
        {ENVIRONMENTS.map((env) => {
          const mine = actionData?.environment === env && actionData.intent === "saveCredentials" ? actionData : undefined;
          const stored = data.credentials[env];
          return (
            <Layout.Section key={env}>
              <Credentials
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
          <Options
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

function useBusy(intent: string, env?: SoisyEnvironment): boolean {
  const navigation = useNavigation();
  return (
    navigation.state === "submitting" &&
    navigation.formData?.get("intent") === intent &&
    (env === undefined || navigation.formData.get("environment") === env)
  );
}

function Readiness(props: {
  t: T;
  readiness: { ready: boolean; wanted: boolean; inSync: boolean; missing: string[] };
  productionStatus: CredentialStatus;
  adminUrl: string;
  actionUrl: string;
}) {
  const { t, readiness } = props;
  const busy = useBusy("syncReadiness");
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {t("settings.readiness.title")}
          </Text>
          <Badge tone={readiness.ready ? "success" : "attention"}>
            {readiness.ready ? t("settings.readiness.badgeReady") : t("settings.readiness.badgeNotReady")}
          </Badge>
        </InlineStack>
        <Text as="p">{readiness.ready ? t("settings.readiness.ready") : t("settings.readiness.notReady")}</Text>
        {readiness.missing.length > 0 || !readiness.inSync ? (
          <List>
            {readiness.missing.includes("production_credentials") ? <List.Item>{t("settings.readiness.missingProduction")}</List.Item> : null}
            {readiness.missing.includes("production_unverified") ? (
              <List.Item>
                {props.productionStatus === "rejected" ? t("settings.readiness.rejectedProduction") : t("settings.readiness.unverifiedProduction")}
              </List.Item>
            ) : null}
            {!readiness.inSync ? <List.Item>{t("settings.readiness.outOfSync")}</List.Item> : null}
          </List>
        ) : null}
        {!readiness.inSync ? (
          <Form method="post" action={props.actionUrl}>
            <input type="hidden" name="intent" value="syncReadiness" />
            <Button submit loading={busy}>
              {t("settings.readiness.retry")}
            </Button>
          </Form>
        ) : null}
        <Text as="p">{t("settings.readiness.activate")}</Text>
        <Link url={props.adminUrl} target="_blank">
          {t("settings.readiness.link")}
        </Link>
      </BlockStack>
    </Card>
  );
}

function formatDate(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === "it" ? "it-IT" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Europe/Rome",
  }).format(new Date(iso));
}

const BADGE_TONE = { verified: "success", unverified: "warning", rejected: "critical", missing: "attention" } as const satisfies Record<
  CredentialStatus,
  "success" | "warning" | "critical" | "attention"
>;

function Credentials(props: {
  t: T;
  env: SoisyEnvironment;
  locale: Locale;
  stored: StoredCredentials;
  actionUrl: string;
  errors: FieldErrors<CredentialField>;
  shopIdEcho: string | undefined;
}) {
  const { t, env, stored } = props;
  const [shopId, setShopId] = useState(props.shopIdEcho ?? stored.soisyShopId);
  const [apiKey, setApiKey] = useState("");
  const saving = useBusy("saveCredentials", env);
  const verifying = useBusy("verify", env);
  const removing = useBusy("removeCredentials", env);
  const status = stored.status;
  const configured = status !== "missing";
  const title = t("settings.credentials.title", { env: t(`settings.env.${env}`) });
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          <Badge tone={BADGE_TONE[status]}>
            {t(`settings.credentials.status.${status}`)}
          </Badge>
        </InlineStack>
        <Text as="p">{t("settings.credentials.intro")}</Text>
        {stored.verifiedAt ? <Text as="p">{t("settings.credentials.verifiedAt", { date: formatDate(stored.verifiedAt, props.locale) })}</Text> : null}
        {stored.rejectedAt ? (
          <Text as="p" tone="critical">
            {t("settings.credentials.rejectedAt", { date: formatDate(stored.rejectedAt, props.locale) })}
          </Text>
        ) : null}
        <Form method="post" action={props.actionUrl} aria-label={title}>
          <input type="hidden" name="intent" value="saveCredentials" />
          <input type="hidden" name="environment" value={env} />
          <FormLayout>
            <TextField
              id={`${env}-soisyShopId`}
              name="soisyShopId"
              label={t("settings.credentials.shopId")}
              value={shopId}
              onChange={setShopId}
              autoComplete="off"
              error={errorText(t, props.errors.soisyShopId)}
            />
            <Text as="p" tone="subdued">
              {stored.apiKeySet ? t("settings.credentials.apiKeySet") : t("settings.credentials.apiKeyNotSet")}
            </Text>
            <TextField
              id={`${env}-apiKey`}
              name="apiKey"
              type="password"
              label={t("settings.credentials.apiKey")}
              value={apiKey}
              onChange={setApiKey}
              autoComplete="new-password"
              helpText={stored.apiKeySet ? t("settings.credentials.apiKeyHelpSet") : t("settings.credentials.apiKeyHelpNew")}
              error={errorText(t, props.errors.apiKey)}
            />
            <Button submit variant="primary" loading={saving}>
              {t("settings.credentials.save")}
            </Button>
          </FormLayout>
        </Form>
        {configured ? (
          <InlineStack gap="200">
            <Form method="post" action={props.actionUrl}>
              <input type="hidden" name="intent" value="verify" />
              <input type="hidden" name="environment" value={env} />
              <Button submit loading={verifying} accessibilityLabel={`${t("settings.credentials.verify")}: ${title}`}>
                {t("settings.credentials.verify")}
              </Button>
            </Form>
            <Form method="post" action={props.actionUrl}>
              <input type="hidden" name="intent" value="removeCredentials" />
              <input type="hidden" name="environment" value={env} />
              <Button submit tone="critical" loading={removing} accessibilityLabel={`${t("settings.credentials.remove")}: ${title}`}>
                {t("settings.credentials.remove")}
              </Button>
            </Form>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function Options(props: { t: T; locale: Locale; actionUrl: string; amountLimits: { min: string; max: string }; initial: OptionsFormValues; errors: FieldErrors<OptionField> }) {
  const { t, errors } = props;
  const [v, setV] = useState<OptionsFormValues>(props.initial);
  const set = (field: OptionField) => (value: string) => setV((old) => ({ ...old, [field]: value }));
  const toggle = (field: OptionField) => (checked: boolean) => setV((old) => ({ ...old, [field]: checked ? "on" : "" }));
  const saving = useBusy("saveOptions");
  const amountHelp = (raw: string) => {
    const typed = typedAmount(raw, props.locale);
    const range = t("settings.options.amountHelp", props.amountLimits);
    return typed ? `${t("settings.options.amountIs", { amount: typed })} ${range}` : range;
  };
  // The range error names the limits in the same money format as the rest of the admin.
  const amountError = (error: FieldError | undefined) => (error?.key === "settings.error.amountRange" ? t(error.key, props.amountLimits) : errorText(t, error));
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {t("settings.options.title")}
        </Text>
        <Form method="post" action={props.actionUrl} aria-label={t("settings.options.title")}>
          <input type="hidden" name="intent" value="saveOptions" />
          <FormLayout>
            <FormLayout.Group>
              <TextField
                id="minAmount"
                name="minAmount"
                label={t("settings.options.minAmount")}
                value={v.minAmount}
                onChange={set("minAmount")}
                autoComplete="off"
                inputMode="decimal"
                helpText={amountHelp(v.minAmount)}
                error={amountError(errors.minAmount)}
              />
              <TextField
                id="maxAmount"
                name="maxAmount"
                label={t("settings.options.maxAmount")}
                value={v.maxAmount}
                onChange={set("maxAmount")}
                autoComplete="off"
                inputMode="decimal"
                helpText={amountHelp(v.maxAmount)}
                error={amountError(errors.maxAmount)}
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <Select
                id="integrationLevel"
                name="integrationLevel"
                label={t("settings.options.integrationLevel")}
                options={[
                  { label: t("settings.options.integration.redirect"), value: "redirect" },
                  { label: t("settings.options.integration.preapproval"), value: "preapproval" },
                ]}
                value={v.integrationLevel}
                onChange={set("integrationLevel")}
                error={errorText(t, errors.integrationLevel)}
              />
              <Select
                id="resolveOn"
                name="resolveOn"
                label={t("settings.options.resolveOn")}
                options={[
                  { label: t("settings.options.resolveOn.verified"), value: "verified" },
                  { label: t("settings.options.resolveOn.disbursed"), value: "disbursed" },
                ]}
                value={v.resolveOn}
                onChange={set("resolveOn")}
                error={errorText(t, errors.resolveOn)}
              />
            </FormLayout.Group>
            <FormLayout.Group>
              <TextField
                id="pendingExpiryDays"
                name="pendingExpiryDays"
                label={t("settings.options.pendingExpiryDays")}
                value={v.pendingExpiryDays}
                onChange={set("pendingExpiryDays")}
                autoComplete="off"
                inputMode="numeric"
                helpText={t("settings.options.pendingExpiryHelp")}
                error={errorText(t, errors.pendingExpiryDays)}
              />
              <TextField
                id="widgetInstalments"
                name="widgetInstalments"
                label={t("settings.options.widgetInstalments")}
                value={v.widgetInstalments}
                onChange={set("widgetInstalments")}
                autoComplete="off"
                inputMode="numeric"
                helpText={t("settings.options.widgetInstalmentsHelp")}
                error={errorText(t, errors.widgetInstalments)}
              />
            </FormLayout.Group>
            <TextField
              id="allowedCountries"
              name="allowedCountries"
              label={t("settings.options.allowedCountries")}
              value={v.allowedCountries}
              onChange={set("allowedCountries")}
              autoComplete="off"
              helpText={t("settings.options.allowedCountriesHelp")}
              error={errorText(t, errors.allowedCountries)}
            />
            <TextField
              id="excludedProductTags"
              name="excludedProductTags"
              label={t("settings.options.excludedProductTags")}
              value={v.excludedProductTags}
              onChange={set("excludedProductTags")}
              autoComplete="off"
              helpText={t("settings.options.excludedProductTagsHelp")}
              error={errorText(t, errors.excludedProductTags)}
            />
            <Box>
              <Checkbox
                id="excludeGiftCards"
                name="excludeGiftCards"
                value="on"
                label={t("settings.options.excludeGiftCards")}
                checked={v.excludeGiftCards === "on"}
                onChange={toggle("excludeGiftCards")}
                error={errorText(t, errors.excludeGiftCards)}
              />
            </Box>
            <Box>
              <Checkbox
                id="zeroInterest"
                name="zeroInterest"
                value="on"
                label={t("settings.options.zeroInterest")}
                checked={v.zeroInterest === "on"}
                onChange={toggle("zeroInterest")}
                error={errorText(t, errors.zeroInterest)}
              />
            </Box>
            <Box>
              <Checkbox
                id="autoResolveRefunds"
                name="autoResolveRefunds"
                value="on"
                label={t("settings.options.autoResolveRefunds")}
                checked={v.autoResolveRefunds === "on"}
                onChange={toggle("autoResolveRefunds")}
                error={errorText(t, errors.autoResolveRefunds)}
              />
            </Box>
            <Button submit variant="primary" loading={saving}>
              {t("settings.options.save")}
            </Button>
          </FormLayout>
        </Form>
      </BlockStack>
    </Card>
  );
}
