/**
 * Capture and void sessions (issue 15, docs/fund-on-fulfilment.md). Shopify's request is stored and
 * answered 201 first; the capture is then processed right away in the background and, should that be
 * lost, by the durable retry loop (`processDueSettlements`, run with the app's periodic jobs):
 * settlement-lifecycle.ts decides, settlement-steps.server.ts writes each step, this file talks to Soisy.
 *
 * Soisy's match-trigger happens at most once per capture, also with two app instances and crashes:
 * every step is written with the settlement's version (optimistic concurrency), so only the instance
 * whose write won makes the call; "triggering" is written BEFORE the call with a lease
 * (`nextAttemptAt`), and a capture found still triggering after it (the process died between the
 * call and the write) reads the order (getOrder) before anything else; Soisy refuses a second trigger
 * anyway. Voids have no Soisy API: the merchant cancels the loan at Soisy and confirms (`decideVoid`).
 */
import { InvalidAmountError, parseDecimalToCents } from "~/money/cents";
import type { SoisyClient } from "~/soisy/client.server";
import type { SoisyEnvironment } from "~/soisy/types";
import type { PaymentDeps } from "./payment-deps.server";
import { WORKING_STATES, type SettlementInput, type SettlementState } from "./settlement-lifecycle";
import { advanceSettlement, storeSettlement, type SettlementRow } from "./settlement-steps.server";
import type { CaptureSessionRequest, VoidSessionRequest } from "./shopify-requests";

/** How long a Soisy call may take before another instance may assume the caller died (≫ the client's timeout). */
export const SOISY_CALL_LEASE_MS = 60_000;
const SOISY_READ_DEADLINE_MS = 15_000;
/** Retrying an unclear order: 5 s, 10 s, 20 s … up to 30 minutes. */
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 30 * 60_000;
/** Steps one processing run takes at most (received → triggering → checking → triggering → checking → …). */
const MAX_STEPS = 6;

export type SettlementReceiveResult = { ok: true; created: boolean; settlementId: string } | { ok: false; status: 400 | 404 | 409; message: string };

export function retryDelayMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

/** A capture session from Shopify: stored (idempotently), then processed in the background. */
export async function receiveCaptureSession(deps: PaymentDeps, shop: string, body: CaptureSessionRequest): Promise<SettlementReceiveResult> {
  let amountCents: number;
  try {
    amountCents = parseDecimalToCents(body.amount);
  } catch (error) {
    if (error instanceof InvalidAmountError) return { ok: false, status: 400, message: `amount: ${error.message}` };
    throw error;
  }
  const result = await storeSettlement(deps, shop, { kind: "capture", id: body.id, gid: body.gid, paymentId: body.payment_id, amountCents, currency: body.currency, test: body.test, merchantLocale: body.merchant_locale ?? null, proposedAt: new Date(body.proposed_at) });
  if (result.ok) processInBackground(deps, result.settlementId);
  return result;
}

/** A void session from Shopify: stored (idempotently), then put to the merchant (or refused). */
export async function receiveVoidSession(deps: PaymentDeps, shop: string, body: VoidSessionRequest): Promise<SettlementReceiveResult> {
  const result = await storeSettlement(deps, shop, { kind: "void", id: body.id, gid: body.gid, paymentId: body.payment_id, amountCents: null, currency: null, test: body.test, merchantLocale: body.merchant_locale ?? null, proposedAt: new Date(body.proposed_at) });
  if (result.ok) processInBackground(deps, result.settlementId);
  return result;
}

/** Runs `processSettlement` after the current request is answered; failures are left to the retry loop. */
function processInBackground(deps: PaymentDeps, settlementId: string): void {
  setImmediate(() => {
    processSettlement(deps, settlementId).catch((error: unknown) => deps.logger.error({ settlementId, err: error }, "processing a settlement failed; the retry loop takes it again"));
  });
}

/**
 * Takes one settlement as far as it can go now: from "received" through Soisy's answers to a queued
 * Shopify mutation, or to a later retry. A settlement still within a lease (another instance is
 * calling Soisy) or waiting for its retry time is left alone. Returns the state it left it in.
 */
export async function processSettlement(deps: PaymentDeps, settlementId: string): Promise<SettlementState | null> {
  let row = await deps.db.settlementSession.findUnique({ where: { id: settlementId } });
  if (!row) return null;
  const payment = await deps.db.paymentSession.findUnique({ where: { id: row.paymentSessionId }, select: { soisyToken: true, environment: true } });
  if (!payment) return null;
  let input: SettlementInput | null = row.state === "received" ? { kind: "received" } : { kind: "resume" };
  for (let step = 0; step < MAX_STEPS && input; step++) {
    if (!(WORKING_STATES as readonly string[]).includes(row.state)) break;
    if (step === 0 && row.state !== "received" && row.nextAttemptAt && row.nextAttemptAt > deps.now()) break;
    const client = row.kind === "void" ? NO_SOISY : await deps.soisyClient(row.shop, payment.environment as SoisyEnvironment);
    if (!client) {
      await postpone(deps, row, "no Soisy credentials for this payment's environment");
      break;
    }
    const advanced = await advanceSettlement(deps, row, input, { leaseMs: SOISY_CALL_LEASE_MS, retryDelayMs });
    if (!advanced) break; // another instance moved it first: it does the rest
    row = advanced.row;
    input = await performSoisyEffect(deps, client, advanced.row.id, payment.soisyToken ?? "", advanced.soisy);
  }
  return row.state as SettlementState;
}

/** The Soisy call a step asked for, and its answer as the next input (null: nothing to call). */
async function performSoisyEffect(
  deps: PaymentDeps,
  client: SoisyClient,
  settlementId: string,
  token: string,
  soisy: { type: "soisy_trigger"; amountCents: number } | { type: "soisy_read_order" } | null,
): Promise<SettlementInput | null> {
  if (!soisy) return null;
  if (soisy.type === "soisy_trigger") {
    try {
      const result = await client.matchTrigger(token, soisy.amountCents);
      deps.logger.info({ settlementId, outcome: result.outcome, ...(result.outcome === "refused" ? { reason: result.reason } : {}) }, "Soisy match-trigger answered");
      if (result.outcome === "triggered") return { kind: "trigger_result", result: { outcome: "triggered" } };
      if (result.outcome === "refused") return { kind: "trigger_result", result: { outcome: "refused", reason: result.reason, messages: result.messages } };
      return { kind: "trigger_result", result: { outcome: "unknown", error: result.error.message } };
    } catch (error) {
      // Read the order before anything else: never assume a call failed.
      return { kind: "trigger_result", result: { outcome: "unknown", error: error instanceof Error ? error.message : String(error) } };
    }
  }
  try {
    const order = await client.getOrder(token, { deadlineAt: Date.now() + SOISY_READ_DEADLINE_MS });
    return { kind: "order_read", status: order.status };
  } catch (error) {
    deps.logger.warn({ settlementId, err: error }, "reading the Soisy order of a capture failed; retrying later");
    return { kind: "order_read_failed", error: error instanceof Error ? error.message : String(error) };
  }
}

/** Voids never call Soisy: a placeholder so the loop stays one shape. */
const NO_SOISY = {} as SoisyClient;

async function postpone(deps: PaymentDeps, row: SettlementRow, why: string): Promise<void> {
  const attempts = row.attempts + 1;
  await deps.db.settlementSession.updateMany({
    where: { id: row.id, version: row.version },
    data: { attempts, nextAttemptAt: new Date(deps.now().getTime() + retryDelayMs(attempts)) },
  });
  deps.logger.warn({ settlementId: row.id, attempts }, `settlement postponed: ${why}`);
}

export interface SettlementPassReport {
  checked: number;
  failed: number;
}

/** The durable retry loop's pass: every settlement with work left whose time has come (oldest first). */
export async function processDueSettlements(deps: PaymentDeps, options: { limit?: number } = {}): Promise<SettlementPassReport> {
  const due = await deps.db.settlementSession.findMany({
    where: { state: { in: [...WORKING_STATES] }, OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: deps.now() } }] },
    orderBy: { createdAt: "asc" },
    select: { id: true },
    take: options.limit ?? 50,
  });
  const report: SettlementPassReport = { checked: 0, failed: 0 };
  for (const { id } of due) {
    report.checked++;
    try {
      await processSettlement(deps, id);
    } catch (error) {
      report.failed++;
      deps.logger.warn({ settlementId: id, err: error }, "settlement retry failed");
    }
  }
  return report;
}

export type VoidDecisionResult = { ok: true; state: SettlementState } | { ok: false; status: 404 | 409; message: string };

/**
 * The merchant cancelled the loan at Soisy and confirms the void: voidSessionResolve through the
 * outbox. Idempotent (a second confirmation answers the current state); a void of a payment captured
 * meanwhile is refused (voidSessionReject) and answered 409 with the reason.
 */
export async function decideVoid(deps: PaymentDeps, shop: string, settlementId: string, decidedBy: string): Promise<VoidDecisionResult> {
  const { db } = deps;
  const row = await db.settlementSession.findUnique({ where: { id: settlementId } });
  if (!row || row.shop !== shop || row.kind !== "void") return { ok: false, status: 404, message: "void not found" };
  if (row.state === "resolving" || row.state === "resolved") return { ok: true, state: row.state };
  if (row.state === "received") await processSettlement(deps, row.id);
  const current = await db.settlementSession.findUniqueOrThrow({ where: { id: row.id } });
  if (current.state === "awaiting_merchant") {
    const advanced = await advanceSettlement(deps, current, { kind: "merchant_confirmed_void", by: decidedBy }, { leaseMs: SOISY_CALL_LEASE_MS, retryDelayMs });
    if (!advanced) return decideVoid(deps, shop, settlementId, decidedBy);
  }
  const after = await db.settlementSession.findUniqueOrThrow({ where: { id: row.id } });
  if (after.state === "resolving" || after.state === "resolved") {
    const message = await db.outboxMessage.findUnique({ where: { dedupeKey: `${row.id}:voidSessionResolve` }, select: { id: true } });
    if (message && deps.deliverNow) await deps.deliverNow(message.id).catch(() => undefined);
    const delivered = await db.settlementSession.findUniqueOrThrow({ where: { id: row.id } });
    return { ok: true, state: delivered.state as SettlementState };
  }
  return { ok: false, status: 409, message: after.rejectReason ?? `void already ${after.state}` };
}
