/**
 * What refund, capture and void session requests share: Shopify sends the request (with its retries)
 * and expects 201; a 201 acknowledges the session (AWAITING_APP / APP_FAILED → OPEN), every attempt
 * failing leaves an unacknowledged session APP_FAILED. One place for simulator.ts and
 * settlement-requests.ts.
 */
import type { SessionRequestRecord, SimRefundState } from "./types";

export type Deliver = (
  record: SessionRequestRecord,
  json: string,
  accept: (status: number, body: string) => { ok: true } | { ok: false; error: string },
) => Promise<{ ok: boolean; status: number | null; error?: string }>;

/** Delivers `json` for `session` expecting 201, and records the outcome on the session and the record. */
export async function deliverExpecting201(
  deliver: Deliver,
  record: SessionRequestRecord,
  json: string,
  session: { acknowledged: boolean; state: SimRefundState },
): Promise<{ ok: boolean; status: number | null; error?: string }> {
  const result = await deliver(record, json, (status) => (status === 201 ? { ok: true } : { ok: false, error: `HTTP ${status} (Shopify expects 201)` }));
  if (result.ok) {
    session.acknowledged = true;
    if (session.state.code === "AWAITING_APP" || session.state.code === "APP_FAILED") session.state = { code: "OPEN" };
    record.outcome = "succeeded";
  } else {
    if (!session.acknowledged) session.state = { code: "APP_FAILED" };
    record.outcome = "failed";
  }
  return result;
}
