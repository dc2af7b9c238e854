/** The operator CLI's commands (scripts/shop-cli.ts): each validates its arguments, then acts. */
import type { z } from "zod";
import type { Db } from "../../app/db.server";
import { PAYMENT_STATES, type PaymentState } from "../../app/payments/lifecycle";
import { findDeadLetters, retryDeadLetter } from "../../app/payments/outbox.server";
import {
  getShopSettings,
  saveShopOptions,
  saveSoisyCredentials,
  setReady,
  shopOptionsSchema,
  soisyCredentialsSchema,
  SOISY_ENVIRONMENTS,
  type ShopOptions,
  type ShopSettingsView,
  type SoisyEnvironment,
} from "../../app/settings/settings.server";
import type { Keyring } from "../../app/security/encryption.server";
import { cleanShopName } from "../../app/shopify/shop-profile.server";
import { rotateEncryptedValues, type RotationCounts } from "../../app/key-rotation.server";
import { encryptSessionToken } from "../../app/shopify/session-storage.server";
import { centsToDecimal } from "../../app/money/cents";
import { identityFrom } from "../../app/webhooks/customer-data";
import { customerExport } from "../../app/webhooks/customer-data.server";
import { FUND_ON_VALUES, MAX_AUTHORIZATION_DAYS } from "../../app/settings/fund-on";
import { alertSettingsSchema, PAYOUT_GRACE_DAYS } from "../../app/settings/alert-settings.server";
import { DEFAULT_SHOP_OPTIONS } from "../../app/settings/shop-defaults";
import {
  amountCents,
  booleanFlag,
  CommandFailure,
  duration,
  integer,
  list,
  oneOf,
  parse,
  shopDomain,
  UsageError,
} from "./args";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
  /** The database client, created (and the Prisma client loaded) on first use. */
  db(): Promise<Db>;
  keyring(): Keyring;
  now(): Date;
}

export const USAGE = `Usage: npm run shop -- <command> [options]

Commands:
  show <shop> [--json]
      The shop's settings (API keys only as "set" / "not set"), readiness, payments by state,
      refunds awaiting the merchant and dead-lettered outbox messages.

  configure <shop> [options]
      Creates or updates the shop's settings with the app's settings rules; prints the result.
      --sandbox-shop-id ID        --production-shop-id ID
      --sandbox-api-key-env NAME  --production-api-key-env NAME   API key read from that variable
      --sandbox-api-key-stdin     --production-api-key-stdin      API key read from standard input
      --sandbox-api-key KEY       --production-api-key KEY        (lands in shell history: avoid)
      --min-amount 100.00  --max-amount 15000.00                  euros, at most two decimals
      --resolve-on verified|disbursed     --integration-level redirect|preapproval
      --pending-expiry-days N (1-3)       --widget-instalments N (3-60)
      --zero-interest true|false          --auto-resolve-refunds true|false
      --exclude-gift-cards true|false     --excluded-tags a,b     --allowed-countries IT,SM
      --fund-on approval|fulfilment       --authorization-days N (1-30)
                                  when Soisy funds (fulfilment needs Soisy's suspended-orders
                                  contract) and how long an authorization stays capturable
      --alert-email ADDRESS|""    where alerts are e-mailed ("" = none)   --alert-locale it|en
      --alert-digest true|false   one daily digest instead of one mail per alert
      --settle-refunds-from-soisy true|false   --payout-grace-days N (1-60)
      --ready true|false          what the app records as told to Shopify (paymentsAppConfigure);
                                  this command does not call Shopify
      --offline-access-token-env NAME     development / demo only: store an offline Shopify
                                  session with the token in that variable, as an install would
      --shop-name NAME            development / demo only: the shop's name shown to shoppers, as
                                  an install stores it from Shopify's Admin API (shop { name })

  stuck [<shop>] [--state pending] [--older-than 24h] [--limit 100] [--json]
      Payments still in a state (repeatable; default pending) longer than the duration after
      they started (the session's creation: no column records when a state was entered).

  retry-dead [<shop>] [--id <outboxMessageId>] [--all] [--dry-run]
      Moves dead-lettered outbox messages back to pending (attempts 0, due now, retry window
      restarted) so the outbox worker delivers them again; records it on the payment's timeline.
      Give a shop, an --id, or --all.

  export-customer <shop> <email> [--phone P] [--customer-id ID]
      Everything stored about a customer (the answer to a customers/data_request), as JSON.

  rotate-keys [--batch-size 200] [--dry-run] [--json]
      Re-encrypts every stored secret (Soisy API keys of both environments, Shopify access and
      refresh tokens; plain-text tokens of older versions get encrypted) under the first key of
      APP_ENCRYPTION_KEY ("k2:<new>,k1:<old>"), in batches; safe to re-run. Afterwards the old key
      can be removed. Exit code 1 when a value cannot be decrypted (listed).

Environment: DATABASE_URL (default file:./prisma/dev.sqlite), APP_ENCRYPTION_KEY (configure with keys).
Exit codes: 0 done, 1 failed, 2 usage error.`;

function pad(label: string): string {
  return `${label}:`.padEnd(24);
}

function euros(cents: number): string {
  return `${centsToDecimal(cents)} EUR`;
}

function iso(date: Date | null | undefined): string {
  return date ? date.toISOString() : "—";
}

/* ---------------------------------------------------------------------------------------------- */
/* show                                                                                            */
/* ---------------------------------------------------------------------------------------------- */

async function shopReport(db: Db, shop: string) {
  const settings = await getShopSettings(db, shop);
  if (!settings) return null;
  const row = await db.shopSettings.findUniqueOrThrow({ where: { shop }, select: { installedAt: true, uninstalledAt: true, readyChangedAt: true, shopName: true, alertEmail: true, alertLocale: true, alertDigest: true, settleRefundsFromSoisy: true, payoutGraceDays: true } });
  const sessions = await db.session.count({ where: { shop, isOnline: false } });
  const byState = await db.paymentSession.groupBy({ by: ["state"], where: { shop }, _count: { _all: true } });
  const payments: Record<string, number> = {};
  for (const g of byState.sort((a, b) => a.state.localeCompare(b.state))) payments[g.state] = g._count._all;
  const refundsAwaiting = await db.refundSession.count({ where: { shop, state: "awaiting_merchant" } });
  const dead = await db.outboxMessage.findMany({
    where: { shop, status: "dead" },
    orderBy: { deadAt: "asc" },
    select: { id: true, mutation: true, paymentSessionId: true, refundSessionId: true, deadAt: true, lastError: true },
  });
  return { settings, row, sessions, payments, refundsAwaiting, dead };
}

type ShopReport = NonNullable<Awaited<ReturnType<typeof shopReport>>>;

function reportJson(r: ShopReport) {
  const { settings } = r;
  return {
    shop: settings.shop,
    shopName: r.row.shopName ?? null,
    installed: r.sessions > 0,
    installedAt: r.row.installedAt.toISOString(),
    uninstalledAt: r.row.uninstalledAt?.toISOString() ?? null,
    ready: settings.ready,
    readyChangedAt: r.row.readyChangedAt?.toISOString() ?? null,
    credentials: Object.fromEntries(
      SOISY_ENVIRONMENTS.map((env) => [
        env,
        {
          soisyShopId: settings.credentials[env].soisyShopId,
          apiKey: settings.credentials[env].apiKeySet ? "set" : "not set",
          verifiedAt: settings.credentials[env].verifiedAt?.toISOString() ?? null,
        },
      ]),
    ),
    options: {
      minAmount: centsToDecimal(settings.minAmountCents),
      maxAmount: centsToDecimal(settings.maxAmountCents),
      integrationLevel: settings.integrationLevel,
      resolveOn: settings.resolveOn,
      pendingExpiryDays: settings.pendingExpiryDays,
      zeroInterest: settings.zeroInterest,
      widgetInstalments: settings.widgetInstalments,
      excludedProductTags: settings.excludedProductTags,
      excludeGiftCards: settings.excludeGiftCards,
      allowedCountries: settings.allowedCountries,
      autoResolveRefunds: settings.autoResolveRefunds,
      fundOn: settings.fundOn,
      authorizationDays: settings.authorizationDays,
    },
    payments: r.payments,
    refundsAwaitingMerchant: r.refundsAwaiting,
    deadOutboxMessages: r.dead.map((m) => ({ ...m, deadAt: m.deadAt?.toISOString() ?? null })),
  };
}

function printReport(io: CliIo, r: ShopReport) {
  const s: ShopSettingsView = r.settings;
  const lines = [
    `${pad("shop")}${s.shop}`,
    `${pad("shop name")}${r.row.shopName ?? "not known yet (shoppers see the handle)"}`,
    `${pad("installed")}${r.sessions > 0 ? "yes (offline session stored)" : "no Shopify session"}`,
    `${pad("uninstalled at")}${iso(r.row.uninstalledAt)}`,
    `${pad("ready")}${s.ready ? "yes" : "no"} (changed ${iso(r.row.readyChangedAt)})`,
  ];
  for (const env of SOISY_ENVIRONMENTS) {
    const c = s.credentials[env];
    lines.push(`${pad(`${env} credentials`)}shop id ${c.soisyShopId ?? "not set"}, API key ${c.apiKeySet ? "set" : "not set"}, verified ${iso(c.verifiedAt)}`);
  }
  lines.push(
    `${pad("amount range")}${euros(s.minAmountCents)} – ${euros(s.maxAmountCents)}`,
    `${pad("resolve on")}${s.resolveOn}`,
    `${pad("integration level")}${s.integrationLevel}`,
    `${pad("pending expiry")}${s.pendingExpiryDays} days`,
    `${pad("zero interest")}${s.zeroInterest ? "yes" : "no"}`,
    `${pad("widget instalments")}${s.widgetInstalments}`,
    `${pad("excluded tags")}${s.excludedProductTags.join(", ") || "—"}`,
    `${pad("gift cards")}${s.excludeGiftCards ? "excluded" : "allowed"}`,
    `${pad("allowed countries")}${s.allowedCountries.join(", ")}`,
    `${pad("refunds")}${s.autoResolveRefunds ? "resolved automatically" : "decided by the merchant"}`,
    `${pad("fund on")}${s.fundOn === "fulfilment" ? `fulfilment (authorizations capturable ${s.authorizationDays} days)` : "approval"}`,
    `${pad("alert e-mails")}${r.row.alertEmail ? `set (${r.row.alertLocale}, ${r.row.alertDigest ? "daily digest" : "one per alert"})` : "none"}`,
    `${pad("refunds from Soisy")}${r.row.settleRefundsFromSoisy ? "settled from Soisy's data" : "off"}; missing payout after ${r.row.payoutGraceDays} days`,
  );
  const total = Object.values(r.payments).reduce((a, b) => a + b, 0);
  const states = Object.entries(r.payments).map(([state, n]) => `${state} ${n}`);
  lines.push(`${pad("payments")}${total}${states.length ? ` (${states.join(", ")})` : ""}`);
  lines.push(`${pad("refunds awaiting")}${r.refundsAwaiting}`);
  lines.push(`${pad("dead outbox messages")}${r.dead.length}`);
  for (const m of r.dead) {
    lines.push(`  ${m.id}  ${m.mutation}  ${m.paymentSessionId ?? m.refundSessionId ?? ""}  dead ${iso(m.deadAt)}  ${m.lastError ?? ""}`.trimEnd());
  }
  io.out(lines.join("\n"));
}

export async function show(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: "boolean", default: false } }, { min: 1, max: 1, names: "<shop>" });
  const shop = shopDomain(positionals[0]!);
  const report = await shopReport(await io.db(), shop);
  if (!report) throw new CommandFailure(`shop ${shop} has no settings (never installed or configured)`);
  if (values.json) io.out(JSON.stringify(reportJson(report), null, 2));
  else printReport(io, report);
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* configure                                                                                       */
/* ---------------------------------------------------------------------------------------------- */

const configureOptions = {
  "sandbox-shop-id": { type: "string" },
  "sandbox-api-key": { type: "string" },
  "sandbox-api-key-env": { type: "string" },
  "sandbox-api-key-stdin": { type: "boolean" },
  "production-shop-id": { type: "string" },
  "production-api-key": { type: "string" },
  "production-api-key-env": { type: "string" },
  "production-api-key-stdin": { type: "boolean" },
  "min-amount": { type: "string" },
  "max-amount": { type: "string" },
  "resolve-on": { type: "string" },
  "integration-level": { type: "string" },
  "pending-expiry-days": { type: "string" },
  "zero-interest": { type: "string" },
  "widget-instalments": { type: "string" },
  "excluded-tags": { type: "string" },
  "exclude-gift-cards": { type: "string" },
  "allowed-countries": { type: "string" },
  "auto-resolve-refunds": { type: "string" },
  "fund-on": { type: "string" },
  "authorization-days": { type: "string" },
  "alert-email": { type: "string" },
  "alert-locale": { type: "string" },
  "alert-digest": { type: "string" },
  "settle-refunds-from-soisy": { type: "string" },
  "payout-grace-days": { type: "string" },
  ready: { type: "string" },
  "offline-access-token-env": { type: "string" },
  "shop-name": { type: "string" },
  json: { type: "boolean", default: false },
} as const;

function zodMessages(error: z.ZodError, names: Record<string, string>): string {
  return error.issues.map((i) => `${names[String(i.path[0])] ?? String(i.path.join("."))}: ${i.message}`).join("; ");
}

const OPTION_FLAGS: Record<string, string> = {
  minAmountCents: "--min-amount",
  maxAmountCents: "--max-amount",
  integrationLevel: "--integration-level",
  resolveOn: "--resolve-on",
  pendingExpiryDays: "--pending-expiry-days",
  fundOn: "--fund-on",
  authorizationDays: "--authorization-days",
  widgetInstalments: "--widget-instalments",
  excludedProductTags: "--excluded-tags",
  allowedCountries: "--allowed-countries",
  soisyShopId: "shop id",
  apiKey: "API key",
};

export async function configure(io: CliIo, args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, configureOptions, { min: 1, max: 1, names: "<shop>" });
  const shop = shopDomain(positionals[0]!);

  // 1. Everything is validated before anything is written.
  const changes: Partial<ShopOptions> = {};
  if (v["min-amount"] !== undefined) changes.minAmountCents = amountCents("min-amount", v["min-amount"]);
  if (v["max-amount"] !== undefined) changes.maxAmountCents = amountCents("max-amount", v["max-amount"]);
  if (v["resolve-on"] !== undefined) changes.resolveOn = oneOf("resolve-on", v["resolve-on"], ["verified", "disbursed"] as const);
  if (v["integration-level"] !== undefined) changes.integrationLevel = oneOf("integration-level", v["integration-level"], ["redirect", "preapproval"] as const);
  if (v["pending-expiry-days"] !== undefined) changes.pendingExpiryDays = integer("pending-expiry-days", v["pending-expiry-days"], 1, 30);
  if (v["widget-instalments"] !== undefined) changes.widgetInstalments = integer("widget-instalments", v["widget-instalments"], 3, 60);
  if (v["zero-interest"] !== undefined) changes.zeroInterest = booleanFlag("zero-interest", v["zero-interest"]);
  if (v["exclude-gift-cards"] !== undefined) changes.excludeGiftCards = booleanFlag("exclude-gift-cards", v["exclude-gift-cards"]);
  if (v["auto-resolve-refunds"] !== undefined) changes.autoResolveRefunds = booleanFlag("auto-resolve-refunds", v["auto-resolve-refunds"]);
  if (v["fund-on"] !== undefined) changes.fundOn = oneOf("fund-on", v["fund-on"], FUND_ON_VALUES);
  if (v["authorization-days"] !== undefined) changes.authorizationDays = integer("authorization-days", v["authorization-days"], 1, MAX_AUTHORIZATION_DAYS);
  if (v["excluded-tags"] !== undefined) changes.excludedProductTags = list(v["excluded-tags"]);
  if (v["allowed-countries"] !== undefined) changes.allowedCountries = list(v["allowed-countries"]);
  const ready = v.ready === undefined ? undefined : booleanFlag("ready", v.ready);
  // Issue 16's settings (docs/alerts.md), checked by the same schema as the settings page's.
  const alertChanges: Record<string, unknown> = {};
  if (v["alert-email"] !== undefined) {
    const email = v["alert-email"].trim() || null;
    const check = alertSettingsSchema.shape.alertEmail.safeParse(email);
    if (!check.success) throw new UsageError("--alert-email: not an e-mail address");
    alertChanges.alertEmail = email;
  }
  if (v["alert-locale"] !== undefined) alertChanges.alertLocale = oneOf("alert-locale", v["alert-locale"], ["it", "en"] as const);
  if (v["alert-digest"] !== undefined) alertChanges.alertDigest = booleanFlag("alert-digest", v["alert-digest"]);
  if (v["settle-refunds-from-soisy"] !== undefined) alertChanges.settleRefundsFromSoisy = booleanFlag("settle-refunds-from-soisy", v["settle-refunds-from-soisy"]);
  if (v["payout-grace-days"] !== undefined) alertChanges.payoutGraceDays = integer("payout-grace-days", v["payout-grace-days"], PAYOUT_GRACE_DAYS.min, PAYOUT_GRACE_DAYS.max);

  if (v["sandbox-api-key-stdin"] && v["production-api-key-stdin"]) throw new UsageError("only one API key can be read from standard input");
  const credentials: Array<{ env: SoisyEnvironment; soisyShopId: string | undefined; apiKey: string | undefined }> = [];
  for (const env of SOISY_ENVIRONMENTS) {
    const shopId = v[`${env}-shop-id`];
    const sources = [v[`${env}-api-key`] !== undefined, v[`${env}-api-key-env`] !== undefined, Boolean(v[`${env}-api-key-stdin`])].filter(Boolean).length;
    if (sources > 1) throw new UsageError(`give the ${env} API key one way: --${env}-api-key, --${env}-api-key-env or --${env}-api-key-stdin`);
    let apiKey: string | undefined = v[`${env}-api-key`];
    const envName = v[`${env}-api-key-env`];
    if (envName !== undefined) {
      apiKey = io.env[envName];
      if (!apiKey?.trim()) throw new UsageError(`--${env}-api-key-env: the environment variable ${envName} is not set or empty`);
    }
    if (v[`${env}-api-key-stdin`]) {
      apiKey = (await io.readStdin()).trim();
      if (!apiKey) throw new UsageError(`--${env}-api-key-stdin: nothing was read from standard input`);
    }
    if (v[`${env}-api-key`] !== undefined) io.err(`warning: --${env}-api-key puts the key in your shell history; prefer --${env}-api-key-env or --${env}-api-key-stdin`);
    if (shopId === undefined && apiKey === undefined) continue;
    if (shopId !== undefined) {
      const check = soisyCredentialsSchema.shape.soisyShopId.safeParse(shopId);
      if (!check.success) throw new UsageError(`--${env}-shop-id: ${check.error.issues[0]!.message}`);
    }
    if (apiKey !== undefined) {
      const check = soisyCredentialsSchema.shape.apiKey.safeParse(apiKey);
      if (!check.success) throw new UsageError(`${env} API key: ${check.error.issues[0]!.message}`);
    }
    credentials.push({ env, soisyShopId: shopId, apiKey });
  }
  let offlineToken: string | undefined;
  if (v["offline-access-token-env"] !== undefined) {
    offlineToken = io.env[v["offline-access-token-env"]]?.trim();
    if (!offlineToken) throw new UsageError(`--offline-access-token-env: the environment variable ${v["offline-access-token-env"]} is not set or empty`);
  }
  let shopName: string | undefined;
  if (v["shop-name"] !== undefined) {
    shopName = cleanShopName(v["shop-name"]) ?? undefined;
    if (!shopName) throw new UsageError("--shop-name: give a non-empty name");
  }
  if (Object.keys(changes).length === 0 && credentials.length === 0 && ready === undefined && offlineToken === undefined && shopName === undefined && Object.keys(alertChanges).length === 0) {
    throw new UsageError("nothing to configure: give at least one option (see the usage)");
  }

  const db = await io.db();
  const existing = await getShopSettings(db, shop);
  const base: ShopOptions = existing
    ? {
        minAmountCents: existing.minAmountCents,
        maxAmountCents: existing.maxAmountCents,
        integrationLevel: existing.integrationLevel,
        resolveOn: existing.resolveOn,
        pendingExpiryDays: existing.pendingExpiryDays,
        zeroInterest: existing.zeroInterest,
        widgetInstalments: existing.widgetInstalments,
        excludedProductTags: existing.excludedProductTags,
        excludeGiftCards: existing.excludeGiftCards,
        allowedCountries: existing.allowedCountries,
        autoResolveRefunds: existing.autoResolveRefunds,
        fundOn: existing.fundOn,
        authorizationDays: existing.authorizationDays,
      }
    : DEFAULT_SHOP_OPTIONS;
  const merged = shopOptionsSchema.safeParse({ ...base, ...changes });
  if (!merged.success) throw new UsageError(zodMessages(merged.error, OPTION_FLAGS));
  const resolvedCredentials = credentials.map((c) => {
    const soisyShopId = c.soisyShopId ?? existing?.credentials[c.env].soisyShopId ?? undefined;
    if (!soisyShopId) throw new UsageError(`--${c.env}-shop-id is required: the shop has no ${c.env} Soisy shop id yet`);
    if (c.apiKey === undefined && !existing?.credentials[c.env].apiKeySet) {
      throw new UsageError(`the ${c.env} API key is required: the shop has none stored yet (--${c.env}-api-key-env NAME or --${c.env}-api-key-stdin)`);
    }
    return { env: c.env, soisyShopId, apiKey: c.apiKey };
  });
  const keyring = resolvedCredentials.some((c) => c.apiKey !== undefined) ? io.keyring() : undefined;

  // 2. Write.
  await saveShopOptions(db, shop, merged.data);
  for (const c of resolvedCredentials) {
    await saveSoisyCredentials(db, shop, c.env, { soisyShopId: c.soisyShopId, apiKey: c.apiKey ?? null }, keyring);
  }
  if (ready !== undefined) {
    await setReady(db, shop, ready, io.now());
    const after = await getShopSettings(db, shop);
    if (ready && !SOISY_ENVIRONMENTS.some((env) => after?.credentials[env].apiKeySet)) io.err("warning: marked ready but no Soisy credentials are stored");
  }
  if (shopName !== undefined) await db.shopSettings.update({ where: { shop }, data: { shopName } });
  if (Object.keys(alertChanges).length) await db.shopSettings.update({ where: { shop }, data: alertChanges });
  if (offlineToken !== undefined) {
    const id = `offline_${shop}`;
    // Encrypted like the app's session storage stores it (app/shopify/session-storage.server.ts).
    const accessToken = encryptSessionToken(offlineToken, id, "accessToken", io.keyring());
    const session = { id, shop, state: "cli", isOnline: false, scope: "write_payment_gateways,write_payment_sessions,write_payment_customizations", accessToken };
    await db.session.upsert({ where: { id: session.id }, create: session, update: session });
  }
  const report = await shopReport(db, shop);
  if (v.json) io.out(JSON.stringify(reportJson(report!), null, 2));
  else {
    io.out(`${existing ? "updated" : "created"} the settings of ${shop}\n`);
    printReport(io, report!);
  }
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* stuck                                                                                           */
/* ---------------------------------------------------------------------------------------------- */

export async function stuck(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      state: { type: "string", multiple: true },
      "older-than": { type: "string", default: "24h" },
      limit: { type: "string", default: "100" },
      json: { type: "boolean", default: false },
    },
    { min: 0, max: 1, names: "[<shop>]" },
  );
  const shop = positionals[0] === undefined ? undefined : shopDomain(positionals[0]);
  const states = (values.state ?? ["pending"]).flatMap(list).map((s) => oneOf("state", s, PAYMENT_STATES)) as PaymentState[];
  const olderThanMs = duration("older-than", values["older-than"]);
  const limit = integer("limit", values.limit, 1, 10_000);
  const now = io.now();
  const before = new Date(now.getTime() - olderThanMs);
  const where = { state: { in: states }, createdAt: { lt: before }, ...(shop ? { shop } : {}) };
  const db = await io.db();
  const [rows, total] = await Promise.all([
    db.paymentSession.findMany({
      where,
      orderBy: { createdAt: "asc" },
      take: limit,
      select: { id: true, shop: true, state: true, amountCents: true, currency: true, test: true, soisyStatus: true, flagReason: true, createdAt: true, lastCheckedAt: true, pendingExpiresAt: true },
    }),
    db.paymentSession.count({ where }),
  ]);
  if (values.json) {
    io.out(JSON.stringify({ states, olderThan: values["older-than"].trim(), olderThanMs, total, payments: rows.map((r) => ({ ...r, amount: centsToDecimal(r.amountCents) })) }, null, 2));
    return 0;
  }
  const scope = `${shop ?? "all shops"}, state ${states.join("|")}, older than ${values["older-than"].trim()}`;
  if (rows.length === 0) {
    io.out(`no stuck payments (${scope})`);
    return 0;
  }
  io.out(`${total} stuck payment${total === 1 ? "" : "s"} (${scope})${total > rows.length ? `, showing ${rows.length}` : ""}:`);
  for (const r of rows) {
    const ageH = Math.floor((now.getTime() - r.createdAt.getTime()) / 3_600_000);
    io.out(
      `  ${r.id}  ${r.shop}  ${r.state}  ${euros(r.amountCents)}${r.test ? " (test)" : ""}  started ${r.createdAt.toISOString()} (${ageH} h ago)  soisy ${r.soisyStatus ?? "—"}  last checked ${iso(r.lastCheckedAt)}${r.flagReason ? `  flag ${r.flagReason}` : ""}`,
    );
  }
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* retry-dead                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

export async function retryDead(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { id: { type: "string" }, all: { type: "boolean", default: false }, "dry-run": { type: "boolean", default: false } },
    { min: 0, max: 1, names: "[<shop>]" },
  );
  const shop = positionals[0] === undefined ? undefined : shopDomain(positionals[0]);
  if (!shop && values.id === undefined && !values.all) throw new UsageError("retry-dead needs a shop, --id <outboxMessageId> or --all");
  if (values.all && (shop || values.id !== undefined)) throw new UsageError("--all cannot be combined with a shop or --id");
  if (values.id !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.id)) throw new UsageError(`--id: "${values.id}" is not an outbox message id`);
  const db = await io.db();

  if (values.id !== undefined) {
    const message = await db.outboxMessage.findUnique({ where: { id: values.id }, select: { status: true, shop: true } });
    if (!message || (shop && message.shop !== shop)) throw new CommandFailure(`no outbox message ${values.id}${shop ? ` for ${shop}` : ""}`);
    if (message.status !== "dead") throw new CommandFailure(`outbox message ${values.id} is ${message.status}, not dead: nothing to retry`);
  }
  const dead = await findDeadLetters(db, { shop, id: values.id });
  if (dead.length === 0) {
    io.out(`no dead outbox messages${shop ? ` for ${shop}` : ""}`);
    return 0;
  }
  const now = io.now();
  let moved = 0;
  for (const m of dead) {
    const line = `${m.id}  ${m.mutation}  ${m.shop}  ${m.paymentSessionId ?? m.refundSessionId ?? ""}  dead since ${iso(m.deadAt)} after ${m.attempts} attempts  (${m.lastError ?? "no error recorded"})`;
    if (values["dry-run"]) {
      io.out(`would retry ${line}`);
      continue;
    }
    if (await retryDeadLetter(db, m, now, "operator")) {
      moved++;
      io.out(`retrying ${line}`);
    } else {
      io.out(`skipped ${m.id}: no longer dead`);
    }
  }
  if (values["dry-run"]) io.out(`dry run: ${dead.length} message${dead.length === 1 ? "" : "s"} would be moved back to pending`);
  else io.out(`${moved} message${moved === 1 ? "" : "s"} moved back to pending; the outbox worker delivers them on its next pass`);
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* export-customer                                                                                 */
/* ---------------------------------------------------------------------------------------------- */

export async function exportCustomer(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { phone: { type: "string" }, "customer-id": { type: "string" } }, { min: 2, max: 2, names: "<shop> <email>" });
  const shop = shopDomain(positionals[0]!);
  const email = positionals[1]!;
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) throw new UsageError(`"${email}" is not an email address`);
  const who = identityFrom({ email, phone: values.phone, id: values["customer-id"] });
  if (values.phone !== undefined && who.phone === null) throw new UsageError(`--phone: "${values.phone}" is not a phone number`);
  const exported = await customerExport(await io.db(), shop, who, io.now());
  io.out(JSON.stringify(exported, null, 2));
  return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* rotate-keys                                                                                     */
/* ---------------------------------------------------------------------------------------------- */

export async function rotateKeys(io: CliIo, args: string[]): Promise<number> {
  const { values } = parse(args, { "batch-size": { type: "string", default: "200" }, "dry-run": { type: "boolean", default: false }, json: { type: "boolean", default: false } }, { min: 0, max: 0, names: "" });
  const batchSize = integer("batch-size", values["batch-size"], 1, 10_000);
  const keyring = io.keyring();
  const db = await io.db();
  const report = await rotateEncryptedValues(db, keyring, { batchSize, dryRun: values["dry-run"] });
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else {
    const line = (label: string, c: RotationCounts) =>
      `${pad(label)}${c.scanned} rows, ${c.rotated} ${report.dryRun ? "to re-encrypt" : "re-encrypted"}, ${c.current} already current, ${c.raced} changed meanwhile, ${c.failed} failed`;
    io.out(`${report.dryRun ? "dry run: nothing written; " : ""}current key "${report.keyId}"`);
    io.out(line("Soisy API keys", report.soisyApiKeys));
    io.out(line("Shopify tokens", report.shopifyTokens));
  }
  if (report.failures.length) {
    io.err(`these values could not be decrypted with APP_ENCRYPTION_KEY (left as they are):\n  ${report.failures.join("\n  ")}`);
    return 1;
  }
  return 0;
}

export const COMMANDS: Record<string, (io: CliIo, args: string[]) => Promise<number>> = {
  show,
  "rotate-keys": rotateKeys,
  configure,
  stuck,
  "retry-dead": retryDead,
  "export-customer": exportCustomer,
};
