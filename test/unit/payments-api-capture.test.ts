/**
 * The capture, void and confirm mutations (issue 15): their documents, variables and the classification
 * of Shopify's answers, on recorded bodies using the simulator's user-error texts.
 */
import { describe, expect, it } from "vitest";
import {
  classifyPaymentsApiResponse,
  PAYMENTS_API_DOCUMENTS,
  PAYMENTS_API_VARIABLE_SCHEMAS,
  PAYMENT_SESSION_MUTATIONS,
  REFUND_SESSION_MUTATIONS,
  type PaymentsApiMutation,
} from "~/shopify/payments-api.server";
import { validatePaymentsAppsDocument } from "../helpers/payments-schema";
import { settlementMessages, SHOPIFY_USER_ERROR_MESSAGES as MSG } from "../simulators/shopify";

const classify = (mutation: PaymentsApiMutation, body: unknown) =>
  classifyPaymentsApiResponse(mutation, { status: 200, bodyText: JSON.stringify(body), retryAfter: null });
const withUserErrors = (mutation: PaymentsApiMutation, sessionKey: string, errors: unknown[]) => ({
  data: { [mutation]: { [sessionKey]: null, userErrors: errors } },
});
const NEW = ["paymentSessionConfirm", "captureSessionResolve", "captureSessionReject", "voidSessionResolve", "voidSessionReject"] as const;

describe("documents", () => {
  it.each(NEW)("%s validates against the 2026-04 schema and asks for coded userErrors", (mutation) => {
    const source = PAYMENTS_API_DOCUMENTS[mutation];
    expect(validatePaymentsAppsDocument(source).map((e) => e.message)).toEqual([]);
    expect(source).toMatch(/userErrors \{\s*field\s*message\s*code\s*\}/);
    expect(source.replace(/\s+/g, " ")).toMatch(/state \{ __typename/);
  });

  it("paymentSessionResolve sends authorizationExpiresAt (authorizations) and reads it back", () => {
    expect(PAYMENTS_API_DOCUMENTS.paymentSessionResolve).toContain("authorizationExpiresAt: $authorizationExpiresAt");
    expect(PAYMENTS_API_DOCUMENTS.paymentSessionResolve).toMatch(/^\s*authorizationExpiresAt$/m);
    expect(PAYMENTS_API_DOCUMENTS.paymentSessionConfirm).toContain("... on PaymentSessionStateConfirming");
  });

  it("the confirm is a payment session outbox mutation (oversell protection); captures and voids are not (yet)", () => {
    expect(PAYMENT_SESSION_MUTATIONS as readonly string[]).toContain("paymentSessionConfirm");
    for (const mutation of NEW.filter((m) => m !== "paymentSessionConfirm")) {
      expect(PAYMENT_SESSION_MUTATIONS as readonly string[]).not.toContain(mutation);
      expect(REFUND_SESSION_MUTATIONS as readonly string[]).not.toContain(mutation);
    }
  });
});

describe("variables", () => {
  const s = PAYMENTS_API_VARIABLE_SCHEMAS;
  it("accept what the app will send", () => {
    expect(s.paymentSessionConfirm.safeParse({ id: "gid://shopify/PaymentSession/p1" }).success).toBe(true);
    expect(s.paymentSessionResolve.safeParse({ id: "gid://shopify/PaymentSession/p1", authorizationExpiresAt: "2026-08-12T10:00:00Z" }).success).toBe(true);
    expect(s.captureSessionResolve.safeParse({ id: "gid://shopify/CaptureSession/c1" }).success).toBe(true);
    for (const code of ["PROCESSING_ERROR", "AUTHORIZATION_EXPIRED"]) {
      expect(s.captureSessionReject.safeParse({ id: "gid://shopify/CaptureSession/c1", reason: { code, merchantMessage: "m" } }).success).toBe(true);
    }
    expect(s.voidSessionReject.safeParse({ id: "gid://shopify/VoidSession/v1", reason: { code: "PROCESSING_ERROR" } }).success).toBe(true);
  });

  it("refuse another session type's gid, codes the schema lacks and extra keys", () => {
    expect(s.captureSessionResolve.safeParse({ id: "gid://shopify/VoidSession/v1" }).success).toBe(false);
    expect(s.voidSessionResolve.safeParse({ id: "gid://shopify/CaptureSession/c1" }).success).toBe(false);
    expect(s.paymentSessionConfirm.safeParse({ id: "gid://shopify/RefundSession/r1" }).success).toBe(false);
    expect(s.voidSessionReject.safeParse({ id: "gid://shopify/VoidSession/v1", reason: { code: "AUTHORIZATION_EXPIRED" } }).success).toBe(false);
    expect(s.captureSessionReject.safeParse({ id: "gid://shopify/CaptureSession/c1", reason: { code: "INSTRUMENT_DECLINED" } }).success).toBe(false);
    expect(s.paymentSessionResolve.safeParse({ id: "gid://shopify/PaymentSession/p1", authorizationExpiresAt: "in 30 days" }).success).toBe(false);
    expect(s.captureSessionResolve.safeParse({ id: "gid://shopify/CaptureSession/c1", amount: "1.00" }).success).toBe(false);
  });
});

describe("classification", () => {
  const settled = (type: "CaptureSession" | "VoidSession", state: "Resolved" | "Rejected") => ({
    id: `gid://shopify/${type}/x`,
    state: state === "Resolved" ? { __typename: `${type}StateResolved`, code: "RESOLVED" } : { __typename: `${type}StateRejected`, code: "REJECTED", reason: "PROCESSING_ERROR" },
  });

  it("ok, and a success showing the opposite final state → conflict", () => {
    expect(classify("captureSessionResolve", { data: { captureSessionResolve: { captureSession: settled("CaptureSession", "Resolved"), userErrors: [] } } })).toMatchObject({ kind: "ok", nextActionUrl: null });
    expect(classify("captureSessionResolve", { data: { captureSessionResolve: { captureSession: settled("CaptureSession", "Rejected"), userErrors: [] } } }).kind).toBe("conflict");
    expect(classify("voidSessionReject", { data: { voidSessionReject: { voidSession: settled("VoidSession", "Resolved"), userErrors: [] } } }).kind).toBe("conflict");
    expect(classify("voidSessionReject", { data: { voidSessionReject: { voidSession: settled("VoidSession", "Rejected"), userErrors: [] } } }).kind).toBe("ok");
  });

  it.each([
    ["CaptureSession", "captureSession", "captureSessionResolve", "captureSessionReject", "CAPTURE_SESSION"],
    ["VoidSession", "voidSession", "voidSessionResolve", "voidSessionReject", "VOID_SESSION"],
  ] as const)("%s: not received → retry; same outcome → already_done; other outcome / not found → conflict", (type, key, resolve, reject, prefix) => {
    const m = settlementMessages(type);
    const run = (mutation: PaymentsApiMutation, message: string, suffix: string) =>
      classify(mutation, withUserErrors(mutation, key, [{ field: ["id"], message, code: `${prefix}_${suffix}` }])).kind;
    expect(run(resolve, m.notReceived, "INVALID_STATE")).toBe("retry");
    expect(run(reject, m.notReceived, "INVALID_STATE")).toBe("retry");
    expect(run(resolve, m.alreadyResolved, "INVALID_STATE")).toBe("already_done");
    expect(run(reject, m.alreadyRejected, "INVALID_STATE")).toBe("already_done");
    expect(run(resolve, m.alreadyRejected, "INVALID_STATE")).toBe("conflict");
    expect(run(reject, m.alreadyResolved, "INVALID_STATE")).toBe("conflict");
    expect(run(resolve, m.notFound, "NOT_FOUND")).toBe("conflict");
    // The enum's own wording names both outcomes: never taken as done.
    expect(run(reject, `${type} has already been resolved or has already been rejected with a different reason.`, "INVALID_STATE")).toBe("conflict");
  });

  it("confirm: ok while CONFIRMING; not received → retry; not supported / invalid / not found / a final state → conflict", () => {
    const confirming = { id: "gid://shopify/PaymentSession/p", state: { __typename: "PaymentSessionStateConfirming", code: "CONFIRMING" }, nextAction: null };
    expect(classify("paymentSessionConfirm", { data: { paymentSessionConfirm: { paymentSession: confirming, userErrors: [] } } }).kind).toBe("ok");
    const resolved = { ...confirming, state: { __typename: "PaymentSessionStateResolved", code: "RESOLVED" } };
    expect(classify("paymentSessionConfirm", { data: { paymentSessionConfirm: { paymentSession: resolved, userErrors: [] } } }).kind).toBe("conflict");
    const run = (message: string, code: string) =>
      classify("paymentSessionConfirm", withUserErrors("paymentSessionConfirm", "paymentSession", [{ field: ["id"], message, code }])).kind;
    expect(run(MSG.confirmNotReceived, "INVALID_STATE_TRANSITION")).toBe("retry");
    expect(run(MSG.confirmInvalidState, "INVALID_STATE_TRANSITION")).toBe("conflict");
    expect(run(MSG.confirmNotSupported, "CONFIRMATION_NOT_SUPPORTED")).toBe("conflict");
    expect(run(MSG.confirmNotFound, "PAYMENT_SESSION_NOT_FOUND")).toBe("conflict");
  });
});
