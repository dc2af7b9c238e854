/**
 * Shopify's payment session request (Shopify → app): records the session, checks eligibility and
 * creates the Soisy order under the creation lease (creation-lease.server.ts); the answer is the
 * URL Shopify sends the shopper to.
 */
import { LRUCache } from "lru-cache";
import { isSoisyError, SoisyValidationError } from "~/soisy/errors";
import { InvalidAmountError, parseDecimalToCents } from "~/money/cents";
import type { CreateOrderInput } from "~/soisy/types";
import type { SoisyEnvironment } from "~/settings/settings.server";
import { shopSettingsFor } from "~/settings/settings-cache.server";
import { paymentUrls } from "./app-urls";
import { applyInput } from "./apply-input.server";
import { claimCreationLease, CREATION_LEASE_MS, newLockHolder, noteInterruptedCreation, withCreationHeartbeat } from "./creation-lease.server";
import { billingCountryOf, customerEmailOf, customerLocaleOf, soisyCustomerFields } from "./customer-mapping";
import { fundOnOf } from "~/settings/fund-on";
import { checkEligibility } from "./eligibility";
import type { PaymentState } from "./lifecycle";
import type { PaymentDeps, PaymentRow, SettingsRow } from "./payment-deps.server";
import { cancelUrlOf, type PaymentSessionRequest } from "./shopify-requests";
import { recordTimelineOnce, type TimelineEntry } from "./transition-store.server";
import { sessionSecret } from "./url-secrets.server";

/** The largest amount a PaymentSession row holds (PostgreSQL integer); larger ones are not eligible. */
const MAX_STORED_CENTS = 2_147_483_647;

export type StartResult =
  | { ok: true; redirectUrl: string; soisyMs: number }
  | { ok: false; status: 400 | 404 | 409 | 502 | 503; message: string; soisyMs: number };

type PaymentUrls = ReturnType<typeof paymentUrls>;

const inflight = new Map<string, Promise<StartResult>>();

/**
 * Answers already given, by shop and session id: Shopify retries a session request it got no answer
 * to (a timeout, a reset), and the answer to an id never changes once it is a URL (Soisy's redirect,
 * the pre-approval page or the not-eligible page), so a retry reaching this instance is answered
 * without the database. The request must carry the same data (else the database path answers 409).
 * Kept 10 minutes: Shopify's retries come within minutes. Another instance answers from the database.
 */
const answered = new LRUCache<string, { fingerprint: string; redirectUrl: string }>({ max: 10_000, ttl: 10 * 60_000 });

/** Forgets the answers given (as another instance, or a restarted one, would not know them). For tests. */
export function forgetAnsweredSessions(): void {
  answered.clear();
}

function fingerprintOf(body: PaymentSessionRequest, amountCents: number): string {
  return JSON.stringify([body.gid, body.group, Math.min(amountCents, MAX_STORED_CENTS), body.currency]);
}

/**
 * Answers a payment session request. Idempotent by Shopify's session id: sequential or concurrent
 * repeats get the same redirect URL and create at most one Soisy order (in-process requests share
 * one promise; across processes a row lock on the session decides who calls Soisy).
 */
export function startPaymentSession(deps: PaymentDeps, shop: string, body: PaymentSessionRequest): Promise<StartResult> {
  const key = `${shop}:${body.id}`;
  const running = inflight.get(key);
  if (running) return running;
  const known = answered.get(key);
  if (known) {
    let amountCents: number | null = null;
    try {
      amountCents = parseDecimalToCents(body.amount);
    } catch {
      // not the same request: the database path answers it
    }
    if (amountCents !== null && known.fingerprint === fingerprintOf(body, amountCents)) {
      return Promise.resolve({ ok: true, redirectUrl: known.redirectUrl, soisyMs: 0 });
    }
  }
  const promise = startPaymentSessionOnce(deps, shop, body)
    .then((result) => {
      if (result.ok) answered.set(key, { fingerprint: fingerprintOf(body, parseDecimalToCents(body.amount)), redirectUrl: result.redirectUrl });
      return result;
    })
    .finally(() => inflight.delete(key));
  inflight.set(key, promise);
  return promise;
}

async function startPaymentSessionOnce(deps: PaymentDeps, shop: string, body: PaymentSessionRequest): Promise<StartResult> {
  const { db } = deps;
  let amountCents: number;
  try {
    amountCents = parseDecimalToCents(body.amount);
  } catch (error) {
    if (error instanceof InvalidAmountError) return { ok: false, status: 400, message: `amount: ${error.message}`, soisyMs: 0 };
    throw error;
  }
  const settings = await shopSettingsFor(db, shop);
  if (!settings || settings.uninstalledAt) {
    return { ok: false, status: 404, message: `shop ${shop} has not installed the app`, soisyMs: 0 };
  }

  // A new session is created already holding the Soisy-order creation lock (one write, no claim).
  const holder = newLockHolder();
  const level = settings.integrationLevel === "preapproval" ? "preapproval" : "redirect";
  const { row: session, created } = await recordSession(deps, shop, body, Math.min(amountCents, MAX_STORED_CENTS), holder, level);
  if (session.shop !== shop || session.gid !== body.gid || session.group !== body.group || session.amountCents !== Math.min(amountCents, MAX_STORED_CENTS) || session.currency !== body.currency) {
    return { ok: false, status: 409, message: "a payment session with this id exists with different data", soisyMs: 0 };
  }
  const urls = paymentUrls(deps.appUrl, session.id, sessionSecret(session.id, deps.keyring));

  if (session.state === "received") {
    const received = receivedEntry(session, body, created);
    const environment: SoisyEnvironment = session.test ? "sandbox" : "production";
    const configured =
      environment === "sandbox"
        ? !!(settings.sandboxSoisyShopId && settings.sandboxApiKeyEncrypted)
        : !!(settings.productionSoisyShopId && settings.productionApiKeyEncrypted);
    const eligibility = checkEligibility({
      currency: session.currency,
      amountCents: amountCents > MAX_STORED_CENTS ? Number.MAX_SAFE_INTEGER : amountCents,
      kind: session.kind,
      billingCountry: billingCountryOf(body.customer),
      test: session.test,
      shop: {
        configured,
        ready: settings.ready,
        minAmountCents: settings.minAmountCents,
        maxAmountCents: settings.maxAmountCents,
        allowedCountries: parseStringArray(settings.allowedCountries),
        uninstalled: settings.uninstalledAt !== null,
        fundOn: fundOnOf(settings.fundOn),
      },
    });
    if (!eligibility.eligible) {
      await applyInput(deps, session.id, { kind: "not_eligible", code: eligibility.code, merchantMessage: eligibility.merchantMessage }, {
        preloaded: { session, settings },
        data: { creationLockedBy: null, creationLockedUntil: null },
        // Shopify accepts mutations only after it has our answer to this request.
        notBefore: new Date(deps.now().getTime() + 2_000),
        timeline: [received, { source: "app", type: "not_eligible", detail: { reason: eligibility.reason, code: eligibility.code } }],
      });
      return { ok: true, redirectUrl: urls.notEligible, soisyMs: 0 };
    }
    return createSoisyOrder(deps, { session, settings, body, urls, holder, alreadyHeld: created, received });
  }
  return startAgainAnswer(session, urls);
}

/**
 * Where Shopify sends the shopper: Soisy's webapp (level 1) or, for a session that arrived while the
 * shop was on level 2, the app's in-store pre-approval form (which forwards to Soisy once approved).
 */
function shopperUrl(row: PaymentRow, urls: PaymentUrls): string | null {
  if (!row.soisyRedirectUrl) return null;
  return row.integrationLevel === "preapproval" ? urls.preapproval : row.soisyRedirectUrl;
}

/**
 * Inserts the session (state "received", holding the creation lock for `holder`) unless it exists,
 * in ONE statement: an upsert whose update changes nothing (`version + 0`) is Prisma's native
 * INSERT … ON CONFLICT DO UPDATE … RETURNING, so a retry reads the stored row with the same statement.
 * The row is ours when it carries our lock holder id. Its timeline's first row (the request's
 * arrival) is written with the session's first transition (`receivedEntry`).
 */
async function recordSession(
  deps: PaymentDeps,
  shop: string,
  body: PaymentSessionRequest,
  amountCents: number,
  holder: string,
  integrationLevel: "redirect" | "preapproval",
): Promise<{ row: PaymentRow; created: boolean }> {
  const { db } = deps;
  const customer = body.customer ?? null;
  const now = deps.now();
  const row = await db.paymentSession.upsert({
    where: { id: body.id },
    update: { version: { increment: 0 } },
    create: {
      id: body.id,
      gid: body.gid,
      shop,
      group: body.group,
      checkoutSessionId: body.session_id ?? null,
      amountCents,
      currency: body.currency,
      test: body.test,
      kind: body.kind,
      merchantLocale: body.merchant_locale ?? null,
      customerLocale: customerLocaleOf(customer),
      cancelUrl: cancelUrlOf(body),
      proposedAt: new Date(body.proposed_at),
      environment: body.test ? "sandbox" : "production",
      customerJson: customer === null ? null : JSON.stringify(customer),
      customerEmail: customerEmailOf(customer),
      state: "received" satisfies PaymentState,
      integrationLevel,
      callbackSecret: sessionSecret(body.id, deps.keyring),
      creationLockedBy: holder,
      creationLockedUntil: new Date(now.getTime() + CREATION_LEASE_MS),
      createdAt: now,
    },
  });
  return { row, created: row.creationLockedBy === holder };
}

/**
 * The timeline's first row: Shopify's request arrived. Written with the session's first transition
 * (or its first failure); `knownNew` when this request inserted the session, so no lookup is needed.
 */
function receivedEntry(session: PaymentRow, body: PaymentSessionRequest, created: boolean): TimelineEntry {
  return {
    source: "shopify",
    type: "payment_session_received",
    dedupeKey: `shopify-session:${session.id}`,
    detail: { amount: body.amount, currency: body.currency, test: body.test, kind: body.kind },
    at: session.createdAt,
    ...(created ? { knownNew: true } : {}),
  };
}

/** One Soisy order creation: the session as recorded, where its shopper goes, and the lease. */
interface OrderCreation {
  session: PaymentRow;
  settings: SettingsRow;
  body: PaymentSessionRequest;
  urls: PaymentUrls;
  /** This request's lock holder id. */
  holder: string;
  /** `holder` already holds the lease (the request that inserted the session). */
  alreadyHeld: boolean;
  /** The timeline's first row, written with the first transition. */
  received: TimelineEntry;
}

async function createSoisyOrder(deps: PaymentDeps, creation: OrderCreation): Promise<StartResult> {
  const { session, urls, holder } = creation;
  if (!creation.alreadyHeld) {
    const claim = await claimCreationLease(deps, session.id, holder);
    if (claim.kind === "not_found") return { ok: false, status: 404, message: "payment session not found", soisyMs: 0 };
    if (claim.kind === "finished") return startAgainAnswer(claim.row, urls);
    if (claim.kind === "timeout") return { ok: false, status: 503, message: "the Soisy order is still being created; retry", soisyMs: 0 };
    if (claim.interruptedHolder) await noteInterruptedCreation(deps, session, claim.interruptedHolder);
  }
  return withCreationHeartbeat(deps, session.id, holder, () => createSoisyOrderHeld(deps, creation));
}

async function createSoisyOrderHeld(deps: PaymentDeps, { session, settings, body, urls, holder, received }: OrderCreation): Promise<StartResult> {
  const { db } = deps;
  const release = () =>
    db.paymentSession.updateMany({ where: { id: session.id, creationLockedBy: holder }, data: { creationLockedBy: null, creationLockedUntil: null } });
  const zeroInterest = settings.zeroInterest;
  const client = await deps.soisyClient(session.shop, session.environment as SoisyEnvironment, settings);
  if (!client) {
    await release();
    await recordReceived(deps, session, received);
    return { ok: false, status: 503, message: "Soisy credentials are not configured for this environment", soisyMs: 0 };
  }
  const minimal: CreateOrderInput = {
    amount: session.amountCents,
    orderReference: session.id,
    successUrl: urls.success,
    errorUrl: urls.error,
    callbackUrl: urls.callback,
    ...(zeroInterest ? { zeroInterestRate: true } : {}),
  };
  const full: CreateOrderInput = { ...minimal, ...soisyCustomerFields(body.customer) };
  const started = performance.now();
  let created: { token: string; redirectUrl: string } | undefined;
  let failure: unknown;
  try {
    created = await client.createOrder(full);
  } catch (error) {
    failure = error;
    // Soisy refused some customer detail: the webapp collects what is missing, so send only the order.
    if (error instanceof SoisyValidationError && error.origin === "soisy") {
      try {
        created = await client.createOrder(minimal);
        failure = undefined;
      } catch (retryError) {
        failure = retryError;
      }
    }
  }
  const soisyMs = performance.now() - started;
  if (!created) {
    const kind = isSoisyError(failure) ? failure.kind : "unexpected";
    if (kind === "timeout" || kind === "network") {
      // Unknown outcome: Soisy may have created the order. Expire the lease but keep this holder, so
      // the attempt that creates the order again first writes the merchant note (as after a crash).
      await db.paymentSession.updateMany({
        where: { id: session.id, creationLockedBy: holder },
        data: { creationLockedUntil: new Date(deps.now().getTime() - 1) },
      });
    } else {
      await release();
    }
    await recordReceived(deps, session, received);
    await db.timelineEvent.create({
      data: {
        shop: session.shop,
        paymentSessionId: session.id,
        source: "app",
        type: "soisy_order_failed",
        detailJson: JSON.stringify({ kind, message: failure instanceof Error ? failure.message : String(failure) }),
      },
    });
    deps.logger.warn({ sessionId: session.id, kind }, "creating the Soisy order failed; Shopify will retry");
    return { ok: false, status: kind === "timeout" || kind === "network" ? 503 : 502, message: `Soisy could not create the order (${kind})`, soisyMs };
  }

  const level = session.integrationLevel === "preapproval" ? "preapproval" : "redirect";
  await applyInput(deps, session.id, { kind: "order_created", level }, {
    preloaded: { session, settings },
    data: { soisyToken: created.token, soisyRedirectUrl: created.redirectUrl, creationLockedBy: null, creationLockedUntil: null },
    timeline: [received, { source: "app", type: "soisy_order_created", detail: { token: created.token, ...(level === "preapproval" ? { level } : {}) } }],
  });
  return { ok: true, redirectUrl: level === "preapproval" ? urls.preapproval : created.redirectUrl, soisyMs };
}

/** Writes the timeline's first row outside a transition (a failure before the first one), once. */
async function recordReceived(deps: PaymentDeps, session: PaymentRow, received: TimelineEntry): Promise<void> {
  await recordTimelineOnce(deps.db, {
    shop: session.shop,
    paymentSessionId: session.id,
    source: received.source,
    type: received.type,
    dedupeKey: received.dedupeKey!,
    detailJson: JSON.stringify(received.detail),
    createdAt: received.at!,
  });
}

function startAgainAnswer(row: PaymentRow, urls: PaymentUrls): StartResult {
  if (row.state === "not_eligible") return { ok: true, redirectUrl: urls.notEligible, soisyMs: 0 };
  const url = shopperUrl(row, urls);
  if (url) return { ok: true, redirectUrl: url, soisyMs: 0 };
  return { ok: false, status: 409, message: `payment session is ${row.state}`, soisyMs: 0 };
}

function parseStringArray(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
