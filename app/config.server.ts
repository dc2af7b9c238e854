/**
 * The app's configuration, read from the environment and validated once (zod). Every outside base
 * URL is configurable so the offline demo and the tests can point the app at the simulators.
 * See docs/configuration.md for every variable.
 */
import { z } from "zod";
import { outgoingPoolEnvShape } from "./http/outgoing-pool.server";

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const url = z.string().url();
/** A link shown to shoppers: https only. */
const httpsUrl = z
  .string()
  .trim()
  .url()
  .refine((v) => v.startsWith("https://"), "must be an https:// URL");

export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY (the app's client id) is required"),
  SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET (the app's client secret) is required"),
  SHOPIFY_APP_URL: url,
  SCOPES: z.string().default("write_payment_gateways,write_payment_sessions,write_payment_customizations"),
  SHOPIFY_APP_EMBEDDED: booleanFlag,
  /** e.g. "https://{shop}" (Shopify) or "http://127.0.0.1:4200/shops/{shop}" (the simulator) */
  SHOPIFY_PAYMENTS_API_URL: z
    .string()
    .default("https://{shop}")
    .refine((v) => v.includes("{shop}"), "SHOPIFY_PAYMENTS_API_URL must contain {shop}"),
  SHOPIFY_PAYMENTS_API_VERSION: z.string().regex(/^\d{4}-\d{2}$/).default("2026-04"),
  APP_ENCRYPTION_KEY: z.string().min(1, "APP_ENCRYPTION_KEY is required (see README)"),
  DEMO_MODE: booleanFlag,
  /** Background jobs (outbox delivery, reconciliation) run inside each app instance unless disabled. */
  JOBS_DISABLED: booleanFlag,
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(2_000),
  /** Outbox messages still failing after this long are dead-lettered (merchant alert). */
  OUTBOX_MAX_AGE_MS: z.coerce.number().int().min(1_000).default(72 * 3_600_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  /** Open payments are polled at Soisy once they are this old (and again this long after the last poll). */
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(10 * 60_000),
  /** Issue 16: how often each app instance reads Soisy's order list for the payouts page (one instance per shop at a time). */
  PAYOUT_SYNC_INTERVAL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(15 * 60_000),
  /** How long the instalment widget's quotes (Soisy loan-quotes answers) are cached, per app process. */
  QUOTE_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /**
   * Storefront quote cache misses that may reach Soisy per Soisy account: at once (burst) and refilled
   * per second; beyond them the quote endpoint answers 429 busy. Cache hits are never limited.
   */
  QUOTE_MISS_BURST: z.coerce.number().int().min(1).max(100_000).default(50),
  QUOTE_MISS_PER_SECOND: z.coerce.number().positive().max(100_000).default(10),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** The non-embedded admin's login: it ends after this long without a request… */
  ADMIN_SESSION_IDLE_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(8 * 3_600),
  /** …and this long after the login, however active (app/security/admin-session.server.ts). */
  ADMIN_SESSION_MAX_SECONDS: z.coerce.number().int().min(60).max(90 * 86_400).default(24 * 3_600),
  /**
   * The lender named next to every instalment offer (credit advertising, docs/compliance.md). Safe
   * defaults assert nothing the app cannot verify: no registration text until the operator sets the one
   * Soisy's legal team confirms.
   */
  LENDER_NAME: z.string().trim().min(1).max(120).default("Soisy S.p.A."),
  LENDER_REGISTRATION: z.string().trim().max(300).default(""),
  LENDER_TRANSPARENCY_URL: httpsUrl.default("https://www.soisy.it/"),
  LENDER_PRIVACY_URL: httpsUrl.default("https://www.soisy.it/privacy-policy/"),
  LENDER_CONTACT_URL: httpsUrl.default("https://www.soisy.it/"),
  /**
   * Merchant e-mail alerts (app/notifications/, docs/alerts.md): the SMTP server as a URL
   * (smtp://user:pass@host:587, smtps://… for TLS at once); unset → no alert mail is produced and the
   * settings page says so. ALERT_FROM is the sender.
   */
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined)
    .pipe(z.string().regex(/^smtps?:\/\/[^\s]+$/, "SMTP_URL must be smtp://… or smtps://…").optional()),
  ALERT_FROM: z.string().trim().min(3).max(200).default("Soisy per Shopify <avvisi@localhost>"),
  /** How often each instance looks for new alerts and sends the due ones. */
  ALERT_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
  /** Only events this recent are mailed (a shop setting its address first gets no history). */
  ALERT_LOOKBACK_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  /** The daily digest's hour, Europe/Rome. */
  ALERT_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  /** SMTP failures are retried with backoff doubling from this, up to ALERT_MAX_ATTEMPTS tries. */
  ALERT_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(86_400_000).default(60_000),
  ALERT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Local development and tests only (app/shopify/admin-url-override.server.ts); refused in production. */
  SHOPIFY_ADMIN_URL: z.string().optional(),
  /**
   * The outgoing connection pool (app/http/outgoing-pool.server.ts reads them itself, so CLIs and tests
   * without the app's configuration get the same pool); here so the app refuses to start on a bad value.
   */
  ...outgoingPoolEnvShape,
});
export type AppConfig = z.infer<typeof configSchema>;

/**
 * Settings that must never reach a production server: DEMO_MODE serves /demo without a login (it
 * acts on demo payments through the Soisy simulator) and SHOPIFY_ADMIN_URL sends OAuth (and the app's secret) to any host.
 */
export function productionSafetyIssues(env: Record<string, string | undefined>): string[] {
  if (env.NODE_ENV !== "production") return [];
  const issues: string[] = [];
  if (env.DEMO_MODE === "true" || env.DEMO_MODE === "1") {
    issues.push("DEMO_MODE is on: /demo would be served without login (it is for the local demo; run that with NODE_ENV=development)");
  }
  if (env.SHOPIFY_ADMIN_URL?.trim()) {
    issues.push("SHOPIFY_ADMIN_URL is set: OAuth would go to a host other than Shopify (it is for the local simulator only)");
  }
  return issues;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const unsafe = productionSafetyIssues(env);
  if (unsafe.length) {
    throw new ConfigError(`Refusing to run with NODE_ENV=production:\n${unsafe.map((l) => `  ${l}`).join("\n")}`);
  }
  return parsed.data;
}

/**
 * The server refuses to start (message on stderr, exit code 1) on an unsafe production configuration.
 * Runs when the server build is loaded (this module is part of it), before any request is served.
 */
export function refuseUnsafeProduction(env: Record<string, string | undefined> = process.env): void {
  const unsafe = productionSafetyIssues(env);
  if (!unsafe.length) return;
  console.error(`[soisy] Refusing to start with NODE_ENV=production:\n${unsafe.map((l) => `  - ${l}`).join("\n")}`);
  process.exit(1);
}
refuseUnsafeProduction();

let cached: AppConfig | undefined;
export function appConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}

/** The Payments Apps GraphQL endpoint for a shop. */
export function paymentsApiEndpoint(shop: string, config: Pick<AppConfig, "SHOPIFY_PAYMENTS_API_URL" | "SHOPIFY_PAYMENTS_API_VERSION"> = appConfig()): string {
  const base = config.SHOPIFY_PAYMENTS_API_URL.replace("{shop}", encodeURIComponent(shop)).replace(/\/$/, "");
  return `${base}/payments_apps/api/${config.SHOPIFY_PAYMENTS_API_VERSION}/graphql.json`;
}
