/**
 * Feeds one input (Shopify, Soisy, the shopper, the merchant) to the pure lifecycle (lifecycle.ts) and
 * stores the transition (transition-store.server.ts), deciding again on fresh rows when another writer
 * won the race.
 */
import { DEFAULT_AUTHORIZATION_DAYS } from "~/settings/fund-on";
import type { OrderStatus } from "~/soisy/types";
import { parseDeferred, transition, type LifecycleInput, type PaymentState, type Transition } from "./lifecycle";
import type { PaymentDeps, PaymentRow, SettingsRow } from "./payment-deps.server";
import { storeTransition, type ExtraColumns, type SessionColumns, type TimelineEntry } from "./transition-store.server";

export interface ApplyOptions {
  /** Earliest delivery of the mutation this input causes. */
  notBefore?: Date;
  /** Timeline rows recorded in the same transaction (a dedupeKey makes repeats no-ops). */
  timeline?: TimelineEntry | TimelineEntry[];
  /** Soisy status to store alongside (from GET /orders/{token}). */
  soisy?: OrderStatus;
  /** Deliver the resulting mutation right away and wait for it (shopper-facing paths). */
  deliverNow?: boolean;
  /** Rows the caller already read (saves queries; a stale row only costs a retry). */
  preloaded?: { session?: PaymentRow; settings?: SettingsRow | null };
  /** Other columns written in the same update (e.g. the Soisy token with "order_created"). */
  data?: ExtraColumns;
}

export interface Applied {
  session: PaymentRow;
  transition: Transition;
  outboxMessageIds: string[];
}

/** Feeds one input to the lifecycle and persists the outcome atomically; retried on races. */
export async function applyInput(deps: PaymentDeps, sessionId: string, input: LifecycleInput, options: ApplyOptions = {}): Promise<Applied> {
  const { db } = deps;
  let groupConflict = false;
  let preloaded = options.preloaded;
  for (let attempt = 0; attempt < 8; attempt++) {
    // The caller's rows save queries on the hot path; the version check in storeTransition catches stale ones.
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
            authorizationDays: settings?.authorizationDays ?? DEFAULT_AUTHORIZATION_DAYS,
          },
          now,
          kind: session.kind === "authorization" ? "authorization" : "sale",
          confirmed: session.confirmationResult === true,
          deferred: parseDeferred(session.deferredJson),
          confirmationRequestedAt: session.confirmationRequestedAt,
        },
        input,
      );
    let result = decide(groupConflict);
    // The group rule only matters when this input would resolve or set pending (or ask Shopify to confirm first): look it up then.
    const wouldSettle = result.effects.some(
      (e) =>
        e.type === "mutation" &&
        (e.mutation === "paymentSessionResolve" || e.mutation === "paymentSessionPending" || e.mutation === "paymentSessionConfirm"),
    );
    if (wouldSettle && !groupConflict) {
      const other = await db.groupResolution.findUnique({ where: { group: session.group } });
      if (other && other.paymentSessionId !== session.id) result = decide(true);
    }
    const columns: SessionColumns = {
      state: result.state,
      ...result.patch,
      ...(options.soisy ? { soisyStatus: options.soisy.status, soisyLoanAmountCents: options.soisy.loanAmount ?? null, lastCheckedAt: now } : {}),
      ...options.data,
    };
    const stored = await storeTransition(deps, {
      session,
      transition: result,
      columns,
      ...(options.timeline ? { timeline: Array.isArray(options.timeline) ? options.timeline : [options.timeline] } : {}),
      ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    });
    if (stored.kind === "version_conflict") continue;
    if (stored.kind === "group_conflict") {
      groupConflict = true;
      continue;
    }
    const ids = stored.outboxKeys.length
      ? (await db.outboxMessage.findMany({ where: { dedupeKey: { in: stored.outboxKeys } }, select: { id: true } })).map((m) => m.id)
      : [];
    if (options.deliverNow && deps.deliverNow) {
      for (const id of ids) await deps.deliverNow(id).catch((error) => deps.logger.warn({ err: error }, "immediate delivery failed; the outbox worker retries"));
    }
    const updated: PaymentRow =
      options.deliverNow && ids.length
        ? await db.paymentSession.findUniqueOrThrow({ where: { id: session.id } })
        : { ...session, ...columns, version: session.version + 1, updatedAt: now };
    return { session: updated, transition: result, outboxMessageIds: ids };
  }
  throw new Error(`payment session ${sessionId}: too many concurrent updates`);
}
