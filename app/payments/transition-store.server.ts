/**
 * Persists one lifecycle transition: the new state, its timeline rows and its Shopify mutations (the
 * outbox) together or not at all, guarded by an optimistic check on the session's version. It does
 * not retry: a lost race is an outcome (`version_conflict`, `group_conflict`) that apply-input.server.ts
 * answers by deciding again on fresh rows.
 */
import type { Db } from "~/db.server";
import type { Effect, LifecyclePatch, PaymentState, Transition } from "./lifecycle";
import { enqueueMutation, outboxDedupeKey } from "./outbox.server";
import type { PaymentDeps, PaymentRow } from "./payment-deps.server";

/** A timeline row the caller records with the transition (dedupeKey makes repeats no-ops). */
export interface TimelineEntry {
  source: string;
  type: string;
  detail?: Record<string, unknown>;
  dedupeKey?: string;
  /** When it happened, if not now (e.g. the session's arrival, written with its first transition). */
  at?: Date;
  /** The caller knows no row with this dedupeKey exists (it inserted the session): no lookup. */
  knownNew?: boolean;
}

/** Columns an input writes besides the lifecycle's (e.g. the Soisy token with "order_created"). */
export interface ExtraColumns {
  soisyToken?: string;
  soisyRedirectUrl?: string;
  creationLockedBy?: null;
  creationLockedUntil?: null;
  preapprovalRedirectUrl?: string;
  preapprovalInstalments?: number;
  preapprovalLockedUntil?: null;
}

/** Everything written to the PaymentSession row with a transition. */
export type SessionColumns = { state: PaymentState } & LifecyclePatch & {
    soisyStatus?: string;
    soisyLoanAmountCents?: number | null;
    lastCheckedAt?: Date;
  } & ExtraColumns;

export interface TransitionWrite {
  /** The session as read: its version must still be the stored one. */
  session: PaymentRow;
  transition: Transition;
  columns: SessionColumns;
  /** Timeline rows recorded with the transition, in order, before the lifecycle's own. */
  timeline?: TimelineEntry[];
  /** Earliest delivery of the mutation this transition causes. */
  notBefore?: Date;
}

export type StoreOutcome =
  /** Written; `outboxKeys` are the dedupe keys of the mutations it enqueued (new or already there). */
  | { kind: "stored"; outboxKeys: string[] }
  /** Another writer changed the session since it was read: nothing was written. */
  | { kind: "version_conflict" }
  /** Another session of the same group is resolved: nothing was written. */
  | { kind: "group_conflict" };

class VersionConflict extends Error {}
class GroupAlreadyResolved extends Error {}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export async function storeTransition(deps: Pick<PaymentDeps, "db" | "logger">, write: TransitionWrite): Promise<StoreOutcome> {
  const { db } = deps;
  const { session, transition, columns } = write;
  const outboxKeys: string[] = [];
  try {
    await db.$transaction(async (tx) => {
      const changed = await tx.paymentSession.updateMany({
        where: { id: session.id, version: session.version },
        data: { ...columns, version: { increment: 1 } },
      });
      if (changed.count !== 1) throw new VersionConflict();
      const timeline = timelineRows(session, await unseenEntries(tx, write.timeline ?? []), transition.effects);
      for (const effect of transition.effects) {
        const key = await persistEffect(tx, { deps, session, notBefore: write.notBefore }, effect);
        if (key) outboxKeys.push(key);
      }
      if (timeline.length) await tx.timelineEvent.createMany({ data: orderTimeline(timeline) });
    });
  } catch (error) {
    if (error instanceof VersionConflict) return { kind: "version_conflict" };
    if (error instanceof GroupAlreadyResolved) return { kind: "group_conflict" };
    throw error;
  }
  return { kind: "stored", outboxKeys };
}

interface TimelineRow {
  shop: string;
  paymentSessionId: string;
  source: string;
  type: string;
  dedupeKey: string | null;
  detailJson: string | null;
  createdAt: Date;
  /** Keeps createdAt (an entry's own `at`). */
  fixed?: boolean;
}

/** The entries not written yet: one lookup for those whose dedupeKey may already be there. */
async function unseenEntries(tx: Tx, entries: TimelineEntry[]): Promise<TimelineEntry[]> {
  const keys = entries.filter((e) => e.dedupeKey && !e.knownNew).map((e) => e.dedupeKey!);
  if (!keys.length) return entries;
  const seen = new Set(
    (await tx.timelineEvent.findMany({ where: { dedupeKey: { in: keys } }, select: { dedupeKey: true } })).map((r) => r.dedupeKey),
  );
  return entries.filter((e) => !e.dedupeKey || e.knownNew || !seen.has(e.dedupeKey));
}

/**
 * The timeline rows of a transition: the caller's entries first, then the lifecycle's decision. Inputs
 * that changed nothing (repeats, polls) are not written: the timeline shows decisions.
 */
function timelineRows(session: PaymentRow, entries: TimelineEntry[], effects: Effect[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const entry of entries) rows.push(timelineRow(session, entry));
  for (const effect of effects) {
    if (effect.type === "timeline" && effect.event !== "no_change" && effect.event !== "ignored") {
      rows.push(timelineRow(session, { source: "app", type: effect.event, ...(effect.detail ? { detail: effect.detail } : {}) }));
    }
  }
  return rows;
}

/** Rows written together keep their order on the timeline (sorted by createdAt); an entry's own `at` stays. */
function orderTimeline(rows: TimelineRow[]): Omit<TimelineRow, "fixed">[] {
  const base = Date.now();
  return rows.map(({ fixed, ...row }, i) => (fixed ? row : { ...row, createdAt: new Date(base + i) }));
}

function timelineRow(session: PaymentRow, entry: TimelineEntry): TimelineRow {
  return {
    shop: session.shop,
    paymentSessionId: session.id,
    source: entry.source,
    type: entry.type,
    dedupeKey: entry.dedupeKey ?? null,
    detailJson: entry.detail ? JSON.stringify(entry.detail) : null,
    createdAt: entry.at ?? new Date(),
    ...(entry.at ? { fixed: true } : {}),
  };
}

/** Writes a timeline row outside any transition unless one with the same dedupeKey exists (a race only loses the duplicate). */
export async function recordTimelineOnce(
  db: Db,
  row: { shop: string; paymentSessionId: string; source: string; type: string; dedupeKey: string; detailJson?: string; createdAt?: Date },
): Promise<void> {
  if (await db.timelineEvent.findUnique({ where: { dedupeKey: row.dedupeKey }, select: { id: true } })) return;
  try {
    await db.timelineEvent.create({ data: row });
  } catch (error) {
    if ((error as { code?: string }).code !== "P2002") throw error;
  }
}

/**
 * Writes an alert or a mutation effect inside the transaction (timeline effects are rows of
 * timelineRows). Returns the outbox dedupe key of an enqueued mutation, else null.
 */
async function persistEffect(
  tx: Tx,
  { deps, session, notBefore }: { deps: Pick<PaymentDeps, "logger">; session: PaymentRow; notBefore: Date | undefined },
  effect: Effect,
): Promise<string | null> {
  if (effect.type === "timeline") return null;
  if (effect.type === "alert") {
    // Each kind of alert is recorded once per payment (the lifecycle may raise it on every poll).
    const dedupeKey = `alert:${session.id}:${effect.code}`;
    if (await tx.timelineEvent.findUnique({ where: { dedupeKey } })) return null;
    await tx.timelineEvent.create({
      data: { shop: session.shop, paymentSessionId: session.id, source: "app", type: `alert:${effect.code}`, dedupeKey, detailJson: JSON.stringify({ message: effect.message }) },
    });
    deps.logger.warn({ sessionId: session.id, alert: effect.code }, effect.message);
    return null;
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
    variables = effect.authorizationExpiresAt
      ? { id: session.gid, authorizationExpiresAt: effect.authorizationExpiresAt.toISOString() }
      : { id: session.gid };
  } else if (effect.mutation === "paymentSessionConfirm") {
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
    ...(notBefore ? { notBefore } : {}),
  });
  return outboxDedupeKey(session.id, effect.mutation);
}
