/**
 * Capture and void sessions: one state machine for both (they differ only in names and codes).
 *
 * Semantics (the 2026-04 schema's descriptions of the mutations and their error codes; Shopify documents
 * no message texts, so the messages follow the enum descriptions):
 * - "Resolves an open capture session. After captureSessionResolve completes, any captureSessionReject
 *   attempts will fail. Subsequent captureSessionResolve attempts will succeed." → a repeated resolve
 *   succeeds unchanged (the capture is resolved exactly once); a reject after it → INVALID_STATE.
 * - "Subsequent captureSessionReject attempts will succeed, but the reason argument will be ignored."
 *   → a repeated reject succeeds with the first reason; a resolve after it → INVALID_STATE ("…has already
 *   been rejected").
 * - An id the simulator never sent (or sent for another shop) → …_NOT_FOUND.
 * - As for refunds (assumed, undocumented): before the app answered the session request with 201 the
 *   session is not open → INVALID_STATE "…has not been received".
 */
import { parseGid } from "./fixtures";
import type { AppliedMutation, SimSettlementSession } from "./types";

export interface SettlementUserError {
  field: string[] | null;
  message: string;
  code: string;
}

export type SettlementOutcome =
  | { ok: true; session: SimSettlementSession; repeated: boolean }
  | { ok: false; userErrors: SettlementUserError[]; session: SimSettlementSession | null };

export type SettlementType = "CaptureSession" | "VoidSession";

const NAMES = {
  CaptureSession: { label: "Capture session", code: "CAPTURE_SESSION", resolve: "captureSessionResolve", reject: "captureSessionReject" },
  VoidSession: { label: "Void session", code: "VOID_SESSION", resolve: "voidSessionResolve", reject: "voidSessionReject" },
} as const;

/** The user-error messages of one session type. */
export function settlementMessages(type: SettlementType) {
  const { label } = NAMES[type];
  return {
    notFound: `${label} not found.`,
    alreadyRejected: `${label} has already been rejected.`,
    alreadyResolved: `${label} has already been resolved.`,
    notReceived: `The response to the ${label.toLowerCase()} request has not been received.`,
  } as const;
}

export class SettlementSessions {
  readonly sessions = new Map<string, SimSettlementSession>();
  private readonly messages;

  constructor(
    readonly type: SettlementType,
    private readonly nowIso: () => string,
  ) {
    this.messages = settlementMessages(type);
  }

  private find(shop: string, gid: unknown): SimSettlementSession | null {
    const id = parseGid(gid, this.type);
    if (id === null) return null;
    const session = this.sessions.get(id);
    return session && session.shop === shop ? session : null;
  }

  private error(message: string, suffix: "NOT_FOUND" | "INVALID_STATE"): SettlementUserError {
    return { field: ["id"], message, code: `${NAMES[this.type].code}_${suffix}` };
  }

  private record(session: SimSettlementSession | null, name: string, args: Record<string, unknown>, outcome: SettlementOutcome): SettlementOutcome {
    const applied: AppliedMutation = {
      name,
      at: this.nowIso(),
      args,
      outcome: outcome.ok ? (outcome.repeated ? "repeated" : "applied") : "rejected",
      userErrors: outcome.ok ? [] : outcome.userErrors,
    };
    session?.mutations.push(applied);
    return outcome;
  }

  resolve(shop: string, args: { id: unknown }): SettlementOutcome {
    const name = NAMES[this.type].resolve;
    const session = this.find(shop, args.id);
    if (!session) return { ok: false, session: null, userErrors: [this.error(this.messages.notFound, "NOT_FOUND")] };
    const code = session.state.code;
    if (code === "RESOLVED") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (code !== "OPEN") {
      const message = code === "REJECTED" ? this.messages.alreadyRejected : this.messages.notReceived;
      return this.record(session, name, args, { ok: false, session, userErrors: [this.error(message, "INVALID_STATE")] });
    }
    session.state = { code: "RESOLVED" };
    return this.record(session, name, args, { ok: true, session, repeated: false });
  }

  reject(shop: string, args: { id: unknown; reason: { code: string; merchantMessage?: string | null } }): SettlementOutcome {
    const name = NAMES[this.type].reject;
    const session = this.find(shop, args.id);
    if (!session) return { ok: false, session: null, userErrors: [this.error(this.messages.notFound, "NOT_FOUND")] };
    const code = session.state.code;
    if (code === "REJECTED") return this.record(session, name, args, { ok: true, session, repeated: true });
    if (code !== "OPEN") {
      const message = code === "RESOLVED" ? this.messages.alreadyResolved : this.messages.notReceived;
      return this.record(session, name, args, { ok: false, session, userErrors: [this.error(message, "INVALID_STATE")] });
    }
    session.state = { code: "REJECTED", reason: args.reason.code, merchantMessage: args.reason.merchantMessage ?? null };
    return this.record(session, name, args, { ok: true, session, repeated: false });
  }

  /** The sessions of one payment, oldest first. */
  ofPayment(paymentId: string): SimSettlementSession[] {
    return [...this.sessions.values()].filter((s) => s.paymentId === paymentId);
  }
}

/** GraphQL shape of a capture or void session (`…StateResolved` / `…StateRejected`). */
export function settlementSessionObject(session: SimSettlementSession, type: SettlementType): Record<string, unknown> {
  const state = session.state;
  return {
    __typename: type,
    id: session.gid,
    state:
      state.code === "REJECTED"
        ? { __typename: `${type}StateRejected`, code: "REJECTED", reason: state.reason, merchantMessage: state.merchantMessage }
        : { __typename: `${type}StateResolved`, code: "RESOLVED" },
  };
}
