/**
 * What the settings page's forms do (app/routes/app.settings.tsx parses the POST, checks its Origin
 * and shapes the answer; this file runs the intent): one function per form intent, each returning an
 * outcome with the notices to show. Shopify (readiness, checkout rules, the shop's name) and the
 * quote cache are reached through `SettingsPorts`, wired by the route, because app/shopify and
 * app/quotes read the settings: importing them here would draw an arrow back up.
 */
import type { Db } from "~/db.server";
import type { MessageKey } from "~/i18n/messages";
import { checkoutRulesWarnings } from "./checkout-rules-notice";
import {
  optionsFormEcho,
  parseCredentialsForm,
  parseOptionsForm,
  type CredentialField,
  type FieldErrors,
  type OptionField,
  type OptionsFormValues,
} from "./settings-form";
import { getShopSettings, removeSoisyCredentials, saveShopOptions, saveSoisyCredentials, type SoisyEnvironment } from "./settings.server";
import { verifySoisyCredentials, type VerifyOutcome } from "./verify.server";
import { alertFormEcho, parseAlertForm, type AlertField, type AlertFormValues } from "./alert-settings-form";
import { saveAlertSettings } from "./alert-settings.server";

export type SettingsNotice = { tone: "success" | "critical" | "warning" | "info"; key: MessageKey; env?: SoisyEnvironment; params?: Record<string, string> };

/** Shopify's answer to the readiness update (`ConfigureOutcome` of app/shopify/configure.server.ts, by shape). */
export type ReadinessSyncOutcome = { kind: "updated" | "unreachable" | "refused"; ready: boolean };

/** What the intents need from outside the settings folder, bound to one shop by the route. */
export interface SettingsPorts {
  db: Db;
  shop: string;
  /** Tells Shopify whether the shop is ready (paymentsAppConfigure) and stores what it accepted. */
  syncReadiness(): Promise<ReadinessSyncOutcome>;
  /** Syncs the payment customization and widget metafield; null when the shop has no settings. */
  syncCheckoutRules(): Promise<{ kind: "synced" | "unreachable" | "refused" } | null>;
  /** The next quote reads the settings again. */
  invalidateQuotes(): void;
  /** Stores the shop's name for the shopper pages; never throws. */
  refreshShopName(options: { onlyIfMissing: boolean }): Promise<unknown>;
  /** Mails the shop's saved alert address now (app/notifications/test-mail.server.ts); absent: not wired. */
  sendTestMail?(): Promise<{ outcome: "sent" | "no_email" | "not_configured" | "failed"; email?: string }>;
}

/** The parsed form intents (the route's zod schema yields exactly these). */
export type SettingsIntent =
  | { intent: "saveOptions" }
  | { intent: "saveCredentials" | "verify" | "removeCredentials"; environment: SoisyEnvironment }
  | { intent: "syncReadiness" }
  | { intent: "saveAlerts" | "sendTestAlert" };

export type SettingsOutcome =
  | { kind: "done"; notices: SettingsNotice[] }
  /** The options form did not validate: nothing saved; the values are echoed back as typed. */
  | { kind: "invalidOptions"; notices: SettingsNotice[]; errors: FieldErrors<OptionField>; values: OptionsFormValues }
  /** The credentials form did not validate: nothing saved; only the shop id is echoed back, never the key. */
  | { kind: "invalidCredentials"; notices: SettingsNotice[]; errors: FieldErrors<CredentialField>; shopId: string }
  /** The alerts form did not validate: nothing saved; the values are echoed back as typed. */
  | { kind: "invalidAlerts"; notices: SettingsNotice[]; errors: FieldErrors<AlertField>; values: AlertFormValues };

type Form = Record<string, unknown>;

const NOT_SAVED: SettingsNotice = { tone: "critical", key: "settings.notSaved" };

const VERIFY_NOTICE: Record<VerifyOutcome, SettingsNotice["tone"]> = {
  ok: "success",
  auth: "critical",
  unreachable: "warning",
  server: "warning",
  unexpected: "critical",
  missing: "critical",
};

function verifyNotice(outcome: VerifyOutcome, env: SoisyEnvironment): SettingsNotice {
  return { tone: VERIFY_NOTICE[outcome], key: `settings.verify.${outcome}` as MessageKey, env };
}

/**
 * With "fund at fulfilment", a passed check cannot tell whether the merchant has Soisy's
 * suspended-orders contract (Soisy's answers say so only once an order is verified and captured):
 * the page says so instead of guessing. Nothing for other outcomes or "fund at approval".
 */
async function fundOnNotices(ports: SettingsPorts, outcome: VerifyOutcome): Promise<SettingsNotice[]> {
  if (outcome !== "ok") return [];
  const settings = await getShopSettings(ports.db, ports.shop);
  return settings?.fundOn === "fulfilment" ? [{ tone: "info", key: "settings.verify.fundOnFulfilment" }] : [];
}

/** Shopify accepted the update: good news only when the shop is ready; "no longer ready" is a warning. */
function readinessNotice(outcome: ReadinessSyncOutcome): SettingsNotice {
  if (outcome.kind === "updated") {
    return outcome.ready
      ? { tone: "success", key: "settings.readiness.updatedReady" }
      : { tone: "warning", key: "settings.readiness.updatedNotReady" };
  }
  return { tone: "critical", key: outcome.kind === "unreachable" ? "settings.readiness.unreachable" : "settings.readiness.refused" };
}

/** Syncs the checkout rules to Shopify now and returns the notices to show (a warning, or nothing). */
async function checkoutRulesNotices(ports: SettingsPorts): Promise<SettingsNotice[]> {
  return checkoutRulesWarnings(await ports.syncCheckoutRules());
}

/**
 * The one step after the production credentials (or the shop's readiness) may have changed: Shopify
 * is told the readiness, the quote cache forgets the shop (it holds `ready`), the checkout rules are
 * synced. Returns their notices in that order.
 */
async function afterProductionChanged(ports: SettingsPorts): Promise<SettingsNotice[]> {
  const readiness = readinessNotice(await ports.syncReadiness());
  ports.invalidateQuotes();
  return [readiness, ...(await checkoutRulesNotices(ports))];
}

export async function saveOptions(ports: SettingsPorts, form: Form): Promise<SettingsOutcome> {
  const options = parseOptionsForm(form);
  if (!options.ok) return { kind: "invalidOptions", notices: [NOT_SAVED], errors: options.errors, values: optionsFormEcho(form) };
  await saveShopOptions(ports.db, ports.shop, options.value);
  ports.invalidateQuotes();
  const notices: SettingsNotice[] = [{ tone: "success", key: "settings.saved" }];
  if (options.value.fundOn === "fulfilment") notices.push({ tone: "info", key: "settings.verify.fundOnFulfilment" });
  // Shopify's payment customization + widget metafield; a failure only adds a warning (retried on the next save).
  return { kind: "done", notices: [...notices, ...(await checkoutRulesNotices(ports))] };
}

export async function saveCredentials(ports: SettingsPorts, env: SoisyEnvironment, form: Form): Promise<SettingsOutcome> {
  const current = await getShopSettings(ports.db, ports.shop);
  const credentials = parseCredentialsForm(form, current?.credentials[env].apiKeySet ?? false);
  if (!credentials.ok) {
    const shopId = typeof form.soisyShopId === "string" ? form.soisyShopId.slice(0, 200) : "";
    return { kind: "invalidCredentials", notices: [NOT_SAVED], errors: credentials.errors, shopId };
  }
  await saveSoisyCredentials(ports.db, ports.shop, env, credentials.value);
  ports.invalidateQuotes();
  const outcome = await verifySoisyCredentials(ports.db, ports.shop, env);
  const notices: SettingsNotice[] = [];
  // Saved is good news only when Soisy accepted them; refused credentials get only the critical notice (what to check).
  if (outcome !== "auth") notices.push({ tone: outcome === "ok" ? "success" : "warning", key: "settings.credentials.saved", env });
  notices.push(verifyNotice(outcome, env), ...(await fundOnNotices(ports, outcome)));
  if (env === "production") notices.push(...(await afterProductionChanged(ports)));
  return { kind: "done", notices };
}

export async function verifyCredentials(ports: SettingsPorts, env: SoisyEnvironment): Promise<SettingsOutcome> {
  const outcome = await verifySoisyCredentials(ports.db, ports.shop, env);
  ports.invalidateQuotes();
  const notices = [verifyNotice(outcome, env), ...(await fundOnNotices(ports, outcome))];
  if (env === "production" && outcome !== "missing") notices.push(...(await afterProductionChanged(ports)));
  return { kind: "done", notices };
}

export async function removeCredentials(ports: SettingsPorts, env: SoisyEnvironment): Promise<SettingsOutcome> {
  await removeSoisyCredentials(ports.db, ports.shop, env);
  ports.invalidateQuotes();
  const notices: SettingsNotice[] = [{ tone: "success", key: "settings.credentials.removed", env }];
  if (env === "production") notices.push(...(await afterProductionChanged(ports)));
  return { kind: "done", notices };
}

/** The readiness card's "retry": the same step, asked for by the merchant. */
export async function resyncReadiness(ports: SettingsPorts): Promise<SettingsOutcome> {
  return { kind: "done", notices: await afterProductionChanged(ports) };
}

/** Issue 16's settings: alert address, language and digest, refunds settled from Soisy, payout grace days. */
export async function saveAlerts(ports: SettingsPorts, form: Form): Promise<SettingsOutcome> {
  const parsed = parseAlertForm(form);
  if (!parsed.ok) return { kind: "invalidAlerts", notices: [NOT_SAVED], errors: parsed.errors, values: alertFormEcho(form) };
  await saveAlertSettings(ports.db, ports.shop, parsed.value);
  return { kind: "done", notices: [{ tone: "success", key: "settings.alerts.saved" }] };
}

const TEST_MAIL_NOTICE = {
  sent: { tone: "success", key: "settings.alerts.testSent" },
  no_email: { tone: "warning", key: "settings.alerts.testNoEmail" },
  not_configured: { tone: "warning", key: "settings.alerts.notConfigured" },
  failed: { tone: "critical", key: "settings.alerts.testFailed" },
} as const satisfies Record<string, SettingsNotice>;

export async function sendTestAlert(ports: SettingsPorts): Promise<SettingsOutcome> {
  const result = ports.sendTestMail ? await ports.sendTestMail() : { outcome: "not_configured" as const };
  const notice: SettingsNotice = { ...TEST_MAIL_NOTICE[result.outcome] };
  if (result.email) notice.params = { email: result.email };
  return { kind: "done", notices: [notice] };
}

/** Runs one parsed intent. */
export async function runSettingsIntent(ports: SettingsPorts, input: SettingsIntent, form: Form): Promise<SettingsOutcome> {
  // The shop's name for the shopper pages: fetched on every options save (renames), else only when missing; never blocks.
  await ports.refreshShopName({ onlyIfMissing: input.intent !== "saveOptions" });
  switch (input.intent) {
    case "saveOptions":
      return saveOptions(ports, form);
    case "saveCredentials":
      return saveCredentials(ports, input.environment, form);
    case "verify":
      return verifyCredentials(ports, input.environment);
    case "removeCredentials":
      return removeCredentials(ports, input.environment);
    case "syncReadiness":
      return resyncReadiness(ports);
    case "saveAlerts":
      return saveAlerts(ports, form);
    case "sendTestAlert":
      return sendTestAlert(ports);
  }
}
