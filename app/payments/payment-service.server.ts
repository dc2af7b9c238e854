/**
 * The payment service: the I/O around the pure lifecycle (lifecycle.ts). It records Shopify's
 * payment sessions, creates Soisy orders, feeds shopper returns, Soisy callbacks and
 * reconciliation polls into the state machine, and persists each transition — new state, timeline
 * rows and Shopify mutations (outbox) — in ONE transaction guarded by an optimistic version check.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import type { Keyring } from "~/security/encryption.server";
import { createSoisyClient, type SoisyClient } from "~/soisy/client.server";
import { isSoisyError, SoisyValidationError } from "~/soisy/errors";
import { InvalidAmountError, parseDecimalToCents } from "~/money/cents";
import type { CreateOrderInput, OrderStatus } from "~/soisy/types";
import { credentialsFromRow, soisyCredentials, type SoisyEnvironment } from "~/settings/settings.server";
import { paymentUrls } from "./app-urls";
import { soisyCustomerFields } from "./customer-mapping";
import { checkEligibility } from "./eligibility";
import { transition, type Effect, type LifecycleInput, type PaymentState, type SoisyObservation, type Transition } from "./lifecycle";
import { enqueueMutation } from "./outbox.server";
import { cancelUrlOf, type PaymentSessionRequest } from "./shopify-requests";
import { sessionSecret } from "./url-secrets.server";

export interface PaymentDeps {
  db: Db;
  keyring: Keyring;
  /** Public base URL of this app (for the URLs given to Soisy and shoppers). */
  appUrl: string;
  /** A Soisy client with the shop's credentials for one environment (null when not configured). */
  soisyClient(shop: string, environment: SoisyEnvironment, settings?: SettingsRow | null): Promise<SoisyClient | null>;
  /** Pushes one freshly enqueued outbox message to Shopify right away (best effort). */
  deliverNow?(messageId: string): Promise<unknown>;
  now(): Date;
  logger: Logger;
}

export type PaymentRow = NonNullable<Awaited<ReturnType<Db["paymentSession"]["findUnique"]>>>;
export type SettingsRow = NonNullable<Awaited<ReturnType<Db["shopSettings"]["findUnique"]>>>;

/** The largest amount a PaymentSession row holds (PostgreSQL integer); larger ones are not eligible. */
const MAX_STORED_CENTS = 2_147_483_647;
/**
 * The Soisy-order creation lock is a LEASE: short, renewed by a heartbeat while the Soisy call runs,
 * so another process takes over within seconds when the holder dies (kill -9, OOM, lost host).
 */
export const CREATION_LEASE_MS = 6_000;
const CREATION_HEARTBEAT_MS = 2_000;
const CREATION_WAIT_MS = 12_000;

/**
 * Prefix of every lock holder id this process writes (creation leases): shutdownBackgroundWork()
 * releases this process's leases by it, so another instance goes on at once.
 */
export const PROCESS_HOLDER_PREFIX = `p${process.pid}-${randomUUID().slice(0, 8)}:`;

export function newLockHolder(): string {
  return `${PROCESS_HOLDER_PREFIX}${randomUUID()}`;
}

/** Heartbeats of the creations running in this process (stopped on shutdown). */
const creationHeartbeats = new Set<NodeJS.Timeout>();

/**
 * Hands back the creation leases this process holds (shutdown): stops their heartbeats and EXPIRES
 * them, keeping the holder id — another instance takes over at once and, since the Soisy call may be
 * in flight, writes the merchant note like after a crash. Returns how many.
 */
export async function releaseProcessCreationLeases(db: Db): Promise<number> {
  for (const timer of creationHeartbeats) clearInterval(timer);
  creationHeartbeats.clear();
  const { count } = await db.paymentSession.updateMany({
    where: { creationLockedBy: { startsWith: PROCESS_HOLDER_PREFIX } },
    data: { creationLockedUntil: new Date(Date.now() - 1) },
  });
  return count;
}

export function defaultSoisyClientFactory(db: Db, keyring: Keyring, logger: Logger) {
  return async (shop: string, environment: SoisyEnvironment, settings?: SettingsRow | null): Promise<SoisyClient | null> => {
    const credentials = settings ? credentialsFromRow(settings, environment, keyring) : await soisyCredentials(db, shop, environment, keyring);
    if (!credentials) return null;
    return createSoisyClient({ environment, shopId: credentials.soisyShopId, apiKey: credentials.apiKey, logger });
  };
}

// ---------------------------------------------------------------------------------------------
// Payment session request (Shopify → app)
// ---------------------------------------------------------------------------------------------

export type StartResult =
  | { ok: true; redirectUrl: string; soisyMs: number }
  | { ok: false; status: 400 | 404 | 409 | 502 | 503; message: string; soisyMs: number };

const inflight = new Map<string, Promise<StartResult>>();

/**
 * Answers a payment session request. Idempotent by Shopify's session id: sequential or concurrent
 * repeats get the same redirect URL and create at most one Soisy order (in-process requests share
 * one promise; across processes a row lock on the session decides who calls Soisy).
 */
export function startPaymentSession(deps: PaymentDeps, shop: string, body: PaymentSessionRequest): Promise<StartResult> {
  const key = `${shop}:${body.id}`;
  const running = inflight.get(key);
  if (running) return running;
  const promise = startPaymentSessionOnce(deps, shop, body).finally(() => inflight.delete(key));
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
  const settings = await db.shopSettings.findUnique({ where: { shop } });
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
      },
    });
    if (!eligibility.eligible) {
      await applyInput(deps, session.id, { kind: "not_eligible", code: eligibility.code, merchantMessage: eligibility.merchantMessage }, {
        preloaded: { session, settings },
        data: { creationLockedBy: null, creationLockedUntil: null },
        // Shopify accepts mutations only after it has our answer to this request.
        notBefore: new Date(deps.now().getTime() + 2_000),
        timeline: { source: "app", type: "not_eligible", detail: { reason: eligibility.reason, code: eligibility.code } },
      });
      return { ok: true, redirectUrl: urls.notEligible, soisyMs: 0 };
    }
    return createSoisyOrder(deps, session, settings, body, urls, holder, created);
  }
  return startAgainAnswer(session, urls);
}

/**
 * Where Shopify sends the shopper: Soisy's webapp (level 1) or, for a session that arrived while the
 * shop was on level 2, the app's in-store pre-approval form (which forwards to Soisy once approved).
 */
function shopperUrl(row: PaymentRow, urls: ReturnType<typeof paymentUrls>): string | null {
  if (!row.soisyRedirectUrl) return null;
  return row.integrationLevel === "preapproval" ? urls.preapproval : row.soisyRedirectUrl;
}

/**
 * Inserts the session (state "received", its timeline's first row, and the creation lock for
 * `holder`) in one statement unless it exists; returns the stored row and whether it was new.
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
  const email = typeof (customer as { email?: unknown } | null)?.email === "string" ? (customer as { email: string }).email.slice(0, 320) : null;
  const now = deps.now();
  try {
    const row = await db.paymentSession.create({
      data: {
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
        customerLocale: localeOf(customer),
        cancelUrl: cancelUrlOf(body),
        proposedAt: new Date(body.proposed_at),
        environment: body.test ? "sandbox" : "production",
        customerJson: customer === null ? null : JSON.stringify(customer),
        customerEmail: email,
        state: "received" satisfies PaymentState,
        integrationLevel,
        callbackSecret: sessionSecret(body.id, deps.keyring),
        creationLockedBy: holder,
        creationLockedUntil: new Date(now.getTime() + CREATION_LEASE_MS),
        events: {
          create: {
            shop,
            source: "shopify",
            type: "payment_session_received",
            dedupeKey: `shopify-session:${body.id}`,
            detailJson: JSON.stringify({ amount: body.amount, currency: body.currency, test: body.test, kind: body.kind }),
          },
        },
      },
    });
    return { row, created: true };
  } catch (error) {
    // Seen before (a retry), or a concurrent request inserted it first.
    const row = await db.paymentSession.findUnique({ where: { id: body.id } });
    if (row) return { row, created: false };
    throw error;
  }
}

async function createSoisyOrder(
  deps: PaymentDeps,
  session: PaymentRow,
  settings: SettingsRow,
  body: PaymentSessionRequest,
  urls: ReturnType<typeof paymentUrls>,
  holder: string,
  alreadyHeld: boolean,
): Promise<StartResult> {
  const { db } = deps;
  const deadline = Date.now() + CREATION_WAIT_MS;
  let interruptedHolder: string | null = null;
  while (!alreadyHeld) {
    // Someone else holds the lease (another request or instance) or finished: wait for its outcome.
    const row = await db.paymentSession.findUnique({ where: { id: session.id } });
    if (!row) return { ok: false, status: 404, message: "payment session not found", soisyMs: 0 };
    if (row.soisyRedirectUrl || row.state !== "received") return startAgainAnswer(row, urls);
    const now = deps.now();
    if (!row.creationLockedUntil || row.creationLockedUntil < now) {
      // Free or expired: take it with a compare-and-set on what was read (one winner).
      const claimed = await db.paymentSession.updateMany({
        where: {
          id: session.id,
          state: "received",
          soisyRedirectUrl: null,
          creationLockedBy: row.creationLockedBy,
          creationLockedUntil: row.creationLockedUntil,
        },
        data: { creationLockedBy: holder, creationLockedUntil: new Date(now.getTime() + CREATION_LEASE_MS) },
      });
      if (claimed.count === 1) {
        // An expired lease still naming a holder: that holder died while creating (released leases are null).
        interruptedHolder = row.creationLockedBy;
        break;
      }
      continue;
    }
    if (Date.now() > deadline) return { ok: false, status: 503, message: "the Soisy order is still being created; retry", soisyMs: 0 };
    await new Promise((r) => setTimeout(r, 100));
  }

  if (interruptedHolder) {
    // The earlier attempt may have reached Soisy before it died: tell the merchant before creating again.
    deps.logger.warn({ sessionId: session.id }, "took over an interrupted Soisy order creation: a second Soisy order may exist");
    await db.soisyEvent
      .create({
        data: {
          shop: session.shop,
          paymentSessionId: session.id,
          source: "app",
          type: "soisy_order_interrupted",
          dedupeKey: `creation-interrupted:${session.id}:${interruptedHolder}`,
        },
      })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code !== "P2002") throw error;
      });
  }

  // Heartbeat: renew the lease while the Soisy call runs (stops with the creation, success or not).
  let leaseLost = false;
  const heartbeat = setInterval(() => {
    db.paymentSession
      .updateMany({
        where: { id: session.id, creationLockedBy: holder },
        data: { creationLockedUntil: new Date(deps.now().getTime() + CREATION_LEASE_MS) },
      })
      .then(({ count }) => {
        if (count === 0 && !leaseLost) {
          leaseLost = true;
          deps.logger.warn({ sessionId: session.id }, "the Soisy order creation lease was lost (this process was too slow)");
        }
      })
      .catch((error: unknown) => deps.logger.warn({ sessionId: session.id, err: error }, "renewing the creation lease failed"));
  }, CREATION_HEARTBEAT_MS);
  heartbeat.unref();
  creationHeartbeats.add(heartbeat);
  try {
    return await createSoisyOrderHeld(deps, session, settings, body, urls, holder);
  } finally {
    clearInterval(heartbeat);
    creationHeartbeats.delete(heartbeat);
  }
}

async function createSoisyOrderHeld(
  deps: PaymentDeps,
  session: PaymentRow,
  settings: SettingsRow,
  body: PaymentSessionRequest,
  urls: ReturnType<typeof paymentUrls>,
  holder: string,
): Promise<StartResult> {
  const { db } = deps;
  const release = () =>
    db.paymentSession.updateMany({ where: { id: session.id, creationLockedBy: holder }, data: { creationLockedBy: null, creationLockedUntil: null } });
  const zeroInterest = settings.zeroInterest;
  const client = await deps.soisyClient(session.shop, session.environment as SoisyEnvironment, settings);
  if (!client) {
    await release();
    return { ok: false, status: 503, message: "Soisy credentials are not configured for this environment", soisyMs: 0 };
  }
  const full: CreateOrderInput = {
    amount: session.amountCents,
    orderReference: session.id,
    successUrl: urls.success,
    errorUrl: urls.error,
    callbackUrl: urls.callback,
    ...(zeroInterest ? { zeroInterestRate: true } : {}),
    ...soisyCustomerFields(body.customer),
  };
  const minimal: CreateOrderInput = {
    amount: full.amount,
    orderReference: full.orderReference,
    successUrl: full.successUrl,
    errorUrl: full.errorUrl,
    callbackUrl: full.callbackUrl,
    ...(zeroInterest ? { zeroInterestRate: true } : {}),
  };
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
    await db.soisyEvent.create({
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
    timeline: { source: "app", type: "soisy_order_created", detail: { token: created.token, ...(level === "preapproval" ? { level } : {}) } },
  });
  return { ok: true, redirectUrl: level === "preapproval" ? urls.preapproval : created.redirectUrl, soisyMs };
}

function startAgainAnswer(row: PaymentRow, urls: ReturnType<typeof paymentUrls>): StartResult {
  if (row.state === "not_eligible") return { ok: true, redirectUrl: urls.notEligible, soisyMs: 0 };
  const url = shopperUrl(row, urls);
  if (url) return { ok: true, redirectUrl: url, soisyMs: 0 };
  return { ok: false, status: 409, message: `payment session is ${row.state}`, soisyMs: 0 };
}

// ---------------------------------------------------------------------------------------------
// Applying lifecycle inputs
// ---------------------------------------------------------------------------------------------

export interface ApplyOptions {
  /** Earliest delivery of the mutation this input causes. */
  notBefore?: Date;
  /** A timeline row recorded in the same transaction (dedupeKey makes repeats no-ops). */
  timeline?: { source: string; type: string; detail?: Record<string, unknown>; dedupeKey?: string };
  /** Soisy status to store alongside (from GET /orders/{token}). */
  soisy?: OrderStatus;
  /** Deliver the resulting mutation right away and wait for it (shopper-facing paths). */
  deliverNow?: boolean;
  /** Rows the caller already read (saves queries; a stale row only costs a retry). */
  preloaded?: { session?: PaymentRow; settings?: SettingsRow | null };
  /** Other columns written in the same update (e.g. the Soisy token with "order_created"). */
  data?: {
    soisyToken?: string;
    soisyRedirectUrl?: string;
    creationLockedBy?: null;
    creationLockedUntil?: null;
    preapprovalRedirectUrl?: string;
    preapprovalInstalments?: number;
    preapprovalLockedUntil?: null;
  };
}

export interface Applied {
  session: PaymentRow;
  transition: Transition;
  outboxMessageIds: string[];
}

class VersionConflict extends Error {}
class GroupAlreadyResolved extends Error {}

/** Feeds one input to the lifecycle and persists the outcome atomically; retried on races. */
export async function applyInput(deps: PaymentDeps, sessionId: string, input: LifecycleInput, options: ApplyOptions = {}): Promise<Applied> {
  const { db } = deps;
  let groupConflict = false;
  let preloaded = options.preloaded;
  for (let attempt = 0; attempt < 8; attempt++) {
    // The caller's rows save queries on the hot path; the version check below catches stale ones.
    const session = preloaded?.session ?? (await db.paymentSession.findUniqueOrThrow({ where: { id: sessionId } }));
    const settings = preloaded?.settings !== undefined ? preloaded.settings : await db.shopSettings.findUnique({ where: { shop: session.shop } });
    preloaded = undefined;
    const now = deps.now();
    const decide = (groupAlreadyResolved: boolean) =>
      transition(
        {
          state: session.state as PaymentState,
          amountCents: session.amountCents,
          flagReason: session.flagReason,
          pendingExpiresAt: session.pendingExpiresAt,
          groupAlreadyResolved,
          settings: {
            resolveOn: (settings?.resolveOn as "verified" | "disbursed" | undefined) ?? "verified",
            pendingExpiryDays: settings?.pendingExpiryDays ?? 3,
          },
          now,
        },
        input,
      );
    let result = decide(groupConflict);
    // The group rule only matters when this input would resolve or set pending: look it up then.
    const wouldSettle = result.effects.some(
      (e) => e.type === "mutation" && (e.mutation === "paymentSessionResolve" || e.mutation === "paymentSessionPending"),
    );
    if (wouldSettle && !groupConflict) {
      const other = await db.groupResolution.findUnique({ where: { group: session.group } });
      if (other && other.paymentSessionId !== session.id) result = decide(true);
    }
    const data = {
      state: result.state,
      ...result.patch,
      ...(options.soisy ? { soisyStatus: options.soisy.status, soisyLoanAmountCents: options.soisy.loanAmount ?? null, lastCheckedAt: now } : {}),
      ...options.data,
    };
    try {
      const outboxKeys: string[] = [];
      const needsTransaction = options.timeline?.dedupeKey !== undefined || result.effects.some((e) => e.type === "mutation" || e.type === "alert");
      if (!needsTransaction) {
        // Common case (state change + timeline rows): one atomic statement, no interactive transaction.
        const timeline: TimelineRow[] = [];
        if (options.timeline) timeline.push(timelineRow(session, options.timeline.source, options.timeline.type, options.timeline.detail));
        for (const effect of result.effects) {
          if (effect.type === "timeline" && effect.event !== "no_change" && effect.event !== "ignored") {
            timeline.push(timelineRow(session, "app", effect.event, effect.detail));
          }
        }
        orderTimeline(timeline);
        try {
          await db.paymentSession.update({
            where: { id: session.id, version: session.version },
            data: {
              ...data,
              version: { increment: 1 },
              ...(timeline.length ? { events: { createMany: { data: timeline.map(({ paymentSessionId: _omit, ...row }) => row) } } } : {}),
            },
          });
        } catch (error) {
          if ((error as { code?: string }).code === "P2025") throw new VersionConflict();
          throw error;
        }
      } else await db.$transaction(async (tx) => {
        const changed = await tx.paymentSession.updateMany({
          where: { id: session.id, version: session.version },
          data: { ...data, version: { increment: 1 } },
        });
        if (changed.count !== 1) throw new VersionConflict();
        const timeline: TimelineRow[] = [];
        if (options.timeline) {
          const entry = options.timeline;
          const seen = entry.dedupeKey ? await tx.soisyEvent.findUnique({ where: { dedupeKey: entry.dedupeKey } }) : null;
          if (!seen) timeline.push(timelineRow(session, entry.source, entry.type, entry.detail, entry.dedupeKey));
        }
        for (const effect of result.effects) await persistEffect(tx, deps, session, effect, options, outboxKeys, timeline);
        orderTimeline(timeline);
        if (timeline.length) await tx.soisyEvent.createMany({ data: timeline });
      });
      const ids = outboxKeys.length
        ? (await db.outboxMessage.findMany({ where: { dedupeKey: { in: outboxKeys } }, select: { id: true } })).map((m) => m.id)
        : [];
      if (options.deliverNow && deps.deliverNow) {
        for (const id of ids) await deps.deliverNow(id).catch((error) => deps.logger.warn({ err: error }, "immediate delivery failed; the outbox worker retries"));
      }
      const updated: PaymentRow =
        options.deliverNow && ids.length
          ? await db.paymentSession.findUniqueOrThrow({ where: { id: session.id } })
          : { ...session, ...data, version: session.version + 1, updatedAt: now };
      return { session: updated, transition: result, outboxMessageIds: ids };
    } catch (error) {
      if (error instanceof VersionConflict) continue;
      if (error instanceof GroupAlreadyResolved) {
        groupConflict = true;
        continue;
      }
      throw error;
    }
  }
  throw new Error(`payment session ${sessionId}: too many concurrent updates`);
}

interface TimelineRow {
  shop: string;
  paymentSessionId: string;
  source: string;
  type: string;
  dedupeKey: string | null;
  detailJson: string | null;
  createdAt: Date;
}

/** Rows written together keep their order on the timeline (sorted by createdAt). */
function orderTimeline(rows: TimelineRow[]) {
  const base = Date.now();
  rows.forEach((row, i) => (row.createdAt = new Date(base + i)));
}

function timelineRow(session: PaymentRow, source: string, type: string, detail?: Record<string, unknown>, dedupeKey?: string): TimelineRow {
  return {
    shop: session.shop,
    paymentSessionId: session.id,
    source,
    type,
    dedupeKey: dedupeKey ?? null,
    detailJson: detail ? JSON.stringify(detail) : null,
    createdAt: new Date(),
  };
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function persistEffect(
  tx: Tx,
  deps: PaymentDeps,
  session: PaymentRow,
  effect: Effect,
  options: ApplyOptions,
  outboxKeys: string[],
  timeline: TimelineRow[],
) {
  if (effect.type === "timeline") {
    // Inputs that changed nothing (repeats, polls) are not written: the timeline shows decisions.
    if (effect.event === "no_change" || effect.event === "ignored") return;
    timeline.push(timelineRow(session, "app", effect.event, effect.detail));
    return;
  }
  if (effect.type === "alert") {
    // Each kind of alert is recorded once per payment (the lifecycle may raise it on every poll).
    const dedupeKey = `alert:${session.id}:${effect.code}`;
    if (await tx.soisyEvent.findUnique({ where: { dedupeKey } })) return;
    await tx.soisyEvent.create({
      data: { shop: session.shop, paymentSessionId: session.id, source: "app", type: `alert:${effect.code}`, dedupeKey, detailJson: JSON.stringify({ message: effect.message }) },
    });
    deps.logger.warn({ sessionId: session.id, alert: effect.code }, effect.message);
    return;
  }
  let variables: Record<string, unknown>;
  if (effect.mutation === "paymentSessionResolve") {
    // One resolved payment per group: the primary key on GroupResolution.group decides races.
    const existing = await tx.groupResolution.findUnique({ where: { group: session.group } });
    if (existing && existing.paymentSessionId !== session.id) throw new GroupAlreadyResolved();
    if (!existing) {
      try {
        await tx.groupResolution.create({ data: { group: session.group, paymentSessionId: session.id, shop: session.shop } });
      } catch {
        throw new GroupAlreadyResolved();
      }
    }
    variables = { id: session.gid };
  } else if (effect.mutation === "paymentSessionReject") {
    variables = { id: session.gid, reason: { code: effect.code, merchantMessage: effect.merchantMessage } };
  } else {
    variables = { id: session.gid, pendingExpiresAt: effect.pendingExpiresAt.toISOString(), reason: effect.reason };
  }
  await enqueueMutation(tx, {
    shop: session.shop,
    paymentSessionId: session.id,
    mutation: effect.mutation,
    variables,
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
  });
  outboxKeys.push(`${session.id}:${effect.mutation}`);
}

// ---------------------------------------------------------------------------------------------
// Inputs from Soisy and the shopper
// ---------------------------------------------------------------------------------------------

/** A recent Soisy observation is reused instead of calling Soisy again (repeated return GETs, polls). */
export const OBSERVATION_FRESH_MS = 5_000;
/** What a shopper-facing request may spend on Soisy before answering with the waiting page. */
export const SHOPPER_SOISY_DEADLINE_MS = 5_000;
/** What the return route spends in all, Soisy and Shopify's next step included (< 8 s). */
export const SHOPPER_RETURN_BUDGET_MS = 7_000;

/** What a Soisy callback may spend confirming the order with Soisy. */
const CALLBACK_SOISY_DEADLINE_MS = 8_000;

const observing = new Map<string, Promise<{ observation: SoisyObservation; order: OrderStatus }>>();

/**
 * Reads the order from Soisy (the only source of truth) for a session with a Soisy order.
 * `deadlineAt` (epoch ms) bounds the whole read, retries included. Concurrent reads of the same
 * session in this process share one Soisy call.
 */
export async function observeSoisy(
  deps: PaymentDeps,
  session: PaymentRow,
  options: { deadlineAt?: number } = {},
): Promise<{ observation: SoisyObservation; order: OrderStatus }> {
  const running = observing.get(session.id);
  if (running) return running;
  const promise = observeSoisyOnce(deps, session, options).finally(() => observing.delete(session.id));
  observing.set(session.id, promise);
  return promise;
}

async function observeSoisyOnce(
  deps: PaymentDeps,
  session: PaymentRow,
  options: { deadlineAt?: number },
): Promise<{ observation: SoisyObservation; order: OrderStatus }> {
  if (!session.soisyToken) throw new Error("payment session has no Soisy order");
  const client = await deps.soisyClient(session.shop, session.environment as SoisyEnvironment);
  if (!client) throw new Error("Soisy credentials are no longer configured for this environment");
  const order = await client.getOrder(session.soisyToken, options.deadlineAt !== undefined ? { deadlineAt: options.deadlineAt } : undefined);
  if (order.orderReference && order.orderReference !== session.id) {
    throw new Error("Soisy order reference does not match the payment session");
  }
  return { observation: { status: order.status, loanAmountCents: order.loanAmount ?? null }, order };
}

/** The stored observation when it is younger than OBSERVATION_FRESH_MS (else null). */
export function recentObservation(session: PaymentRow, now: Date): SoisyObservation | null {
  if (!session.lastCheckedAt || !session.soisyStatus) return null;
  const age = now.getTime() - session.lastCheckedAt.getTime();
  if (age < 0 || age > OBSERVATION_FRESH_MS) return null;
  return { status: session.soisyStatus, loanAmountCents: session.soisyLoanAmountCents };
}

export async function findSession(db: Db, sessionId: string): Promise<PaymentRow | null> {
  return db.paymentSession.findUnique({ where: { id: sessionId } });
}

export type ShopperDestination = { kind: "redirect"; url: string } | { kind: "wait" };

/** Where a shopper returning from Soisy goes, once the input is applied. */
export function destinationFor(session: PaymentRow, wanted: Transition["shopper"]): ShopperDestination {
  if (wanted === "cancel_url" && session.cancelUrl) return { kind: "redirect", url: session.cancelUrl };
  if (session.nextActionUrl) return { kind: "redirect", url: session.nextActionUrl };
  if (session.state === "abandoned" && session.cancelUrl) return { kind: "redirect", url: session.cancelUrl };
  return { kind: "wait" };
}

/**
 * A shopper back from Soisy. Bounded: Soisy gets SHOPPER_SOISY_DEADLINE_MS and the whole answer
 * SHOPPER_RETURN_BUDGET_MS; past that the shopper sees the waiting page, which keeps polling. A return
 * URL opened again within OBSERVATION_FRESH_MS reuses the last Soisy answer, and the timeline gets one
 * `returned_*` row per distinct (outcome, Soisy status), not one per GET.
 */
export async function handleShopperReturn(deps: PaymentDeps, session: PaymentRow, via: "success" | "error"): Promise<ShopperDestination> {
  if (!session.soisyToken) {
    return session.cancelUrl ? { kind: "redirect", url: session.cancelUrl } : { kind: "wait" };
  }
  const budgetEnd = Date.now() + SHOPPER_RETURN_BUDGET_MS;
  let observation = recentObservation(session, deps.now());
  let order: OrderStatus | undefined;
  if (!observation) {
    try {
      const observed = await observeSoisy(deps, session, { deadlineAt: Date.now() + SHOPPER_SOISY_DEADLINE_MS });
      observation = observed.observation;
      order = observed.order;
    } catch (error) {
      deps.logger.warn({ sessionId: session.id, err: error }, "could not confirm the order with Soisy on the shopper's return");
      await recordOnce(deps.db, {
        shop: session.shop,
        paymentSessionId: session.id,
        source: "shopper_return",
        type: `returned_${via}_unconfirmed`,
        dedupeKey: `return:${session.id}:${via}:unconfirmed`,
      });
      return destinationFor(session, undefined);
    }
  }
  const applied = await applyInput(deps, session.id, { kind: "shopper_returned", via, soisy: observation }, {
    ...(order ? { soisy: order } : {}),
    timeline: {
      source: "shopper_return",
      type: `returned_${via}`,
      detail: { soisyStatus: observation.status },
      dedupeKey: `return:${session.id}:${via}:${observation.status}`,
    },
  });
  // Shopify's next step, within what is left of the budget (the worker goes on with it otherwise).
  if (deps.deliverNow && applied.outboxMessageIds.length) {
    const deliver = deps.deliverNow;
    const all = Promise.all(applied.outboxMessageIds.map((id) => deliver(id).catch(() => undefined)));
    const left = budgetEnd - Date.now();
    if (left > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    const fresh = await findSession(deps.db, session.id);
    if (fresh) return destinationFor(fresh, applied.transition.shopper);
  }
  return destinationFor(applied.session, applied.transition.shopper);
}

/** Writes a timeline row unless one with the same dedupeKey exists (a race only loses the duplicate). */
async function recordOnce(
  db: Db,
  row: { shop: string; paymentSessionId: string; source: string; type: string; dedupeKey: string; detailJson?: string },
): Promise<void> {
  if (await db.soisyEvent.findUnique({ where: { dedupeKey: row.dedupeKey }, select: { id: true } })) return;
  try {
    await db.soisyEvent.create({ data: row });
  } catch (error) {
    if ((error as { code?: string }).code !== "P2002") throw error;
  }
}

export async function handleSoisyCallback(
  deps: PaymentDeps,
  session: PaymentRow,
  callback: { eventId: string; orderToken: string; eventDate?: string },
): Promise<"applied" | "token_mismatch"> {
  if (!session.soisyToken || callback.orderToken !== session.soisyToken) return "token_mismatch";
  // Bounded: past it Soisy gets a 503 and calls again (and reconciliation reads the order anyway).
  const observed = await observeSoisy(deps, session, { deadlineAt: Date.now() + CALLBACK_SOISY_DEADLINE_MS });
  await applyInput(deps, session.id, { kind: "soisy_callback", eventId: callback.eventId, soisy: observed.observation }, {
    soisy: observed.order,
    deliverNow: true,
    timeline: {
      source: "soisy_callback",
      type: callback.eventId,
      dedupeKey: `callback:${session.soisyToken}:${callback.eventId}`,
      detail: { eventDate: callback.eventDate ?? null, soisyStatus: observed.order.status },
    },
  });
  return "applied";
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

function parseStringArray(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

function billingCountryOf(customer: unknown): string | null {
  const c = customer as { billing_address?: { country_code?: unknown }; shipping_address?: { country_code?: unknown } } | null | undefined;
  const code = c?.billing_address?.country_code ?? c?.shipping_address?.country_code;
  return typeof code === "string" && /^[A-Za-z]{2}$/.test(code) ? code.toUpperCase() : null;
}

function localeOf(customer: unknown): string | null {
  const locale = (customer as { locale?: unknown } | null | undefined)?.locale;
  return typeof locale === "string" ? locale.slice(0, 35) : null;
}

export type PaymentDecisionResult = { ok: true; state: string } | { ok: false; status: 404 | 409; message: string };

/**
 * The merchant settles a payment held for review (e.g. the loan amount differs from the order):
 * resolve once they have checked with Soisy, or reject. The lifecycle still applies the group rule.
 */
export async function decideFlaggedPayment(
  deps: PaymentDeps,
  shop: string,
  paymentId: string,
  decision: "resolve" | "reject",
  decidedBy: string,
): Promise<PaymentDecisionResult> {
  const session = await deps.db.paymentSession.findUnique({ where: { id: paymentId } });
  if (!session || session.shop !== shop) return { ok: false, status: 404, message: "payment not found" };
  if (!session.flagReason) return { ok: false, status: 409, message: "this payment is not waiting for your decision" };
  if (session.state === "resolved" || session.state === "rejected" || session.state === "not_eligible") {
    return { ok: false, status: 409, message: `payment already ${session.state}` };
  }
  const applied = await applyInput(deps, session.id, { kind: "merchant_decided", decision }, {
    preloaded: { session },
    deliverNow: true,
    timeline: { source: "merchant", type: `merchant_${decision}`, detail: { by: decidedBy } },
  });
  return { ok: true, state: applied.session.state };
}
