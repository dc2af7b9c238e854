/**
 * The app's Payments Apps API documents and the classification of Shopify's answers, on recorded
 * statuses and bodies (Shopify's documented shapes and the simulator's exact user-error texts).
 */
import { parse, OperationTypeNode, Kind } from "graphql";
import { describe, expect, it } from "vitest";
import {
  classifyPaymentsApiResponse,
  describePaymentsApiResult,
  interpretUserError,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  PAYMENTS_API_DOCUMENTS,
  PAYMENTS_API_MUTATIONS,
  PAYMENTS_API_VARIABLE_SCHEMAS,
  redact,
  type PaymentsApiMutation,
} from "~/shopify/payments-api.server";
import { paymentsAppsSchema, validatePaymentsAppsDocument } from "../helpers/payments-schema";
import { INVALID_TOKEN_BODY, SHOPIFY_USER_ERROR_MESSAGES as MSG } from "../simulators/shopify";

const NOW = new Date("2026-07-13T10:00:00Z");
const TOKEN = "shpat_secret_token_0123456789";
const json = (value: unknown) => JSON.stringify(value);
const classify = (mutation: PaymentsApiMutation, status: number, body: unknown, retryAfter?: string) =>
  classifyPaymentsApiResponse(
    mutation,
    { status, bodyText: typeof body === "string" ? body : json(body), retryAfter: retryAfter ?? null },
    { now: NOW, secrets: [TOKEN] },
  );

const resolvedSession = (id = "gid://shopify/PaymentSession/abc") => ({
  id,
  state: { __typename: "PaymentSessionStateResolved", code: "RESOLVED" },
  pendingExpiresAt: null,
  nextAction: {
    action: "REDIRECT",
    context: { __typename: "PaymentSessionActionsRedirect", redirectUrl: "https://shop.example/orders/abc" },
  },
});
const userErrorBody = (mutation: PaymentsApiMutation, sessionKey: string, errors: unknown[]) => ({
  data: { [mutation]: { [sessionKey]: null, userErrors: errors } },
  extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10 } },
});

describe("documents", () => {
  it.each(PAYMENTS_API_MUTATIONS)("%s validates against Shopify's 2026-04 Payments Apps schema", (mutation) => {
    const errors = validatePaymentsAppsDocument(PAYMENTS_API_DOCUMENTS[mutation]);
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it("each document is one named mutation calling the root field it is keyed by", () => {
    const mutationFields = paymentsAppsSchema().getMutationType()?.getFields() ?? {};
    for (const mutation of PAYMENTS_API_MUTATIONS) {
      const doc = parse(PAYMENTS_API_DOCUMENTS[mutation]);
      expect(doc.definitions).toHaveLength(1);
      const op = doc.definitions[0];
      if (op?.kind !== Kind.OPERATION_DEFINITION) throw new Error("not an operation");
      expect(op.operation).toBe(OperationTypeNode.MUTATION);
      expect(op.name?.value.toLowerCase()).toBe(mutation.toLowerCase());
      const fields = op.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : s.kind));
      expect(fields).toEqual([mutation]);
      expect(mutationFields).toHaveProperty(mutation);
    }
  });

  it("payment-session documents ask for the state, the nextAction redirect URL and userErrors", () => {
    for (const mutation of ["paymentSessionResolve", "paymentSessionReject", "paymentSessionPending"] as const) {
      const text = PAYMENTS_API_DOCUMENTS[mutation].replace(/\s+/g, " ");
      expect(text).toContain("paymentSession { id state { __typename");
      expect(text).toContain("nextAction { action context { __typename ... on PaymentSessionActionsRedirect { redirectUrl } } }");
      expect(text).toMatch(/userErrors \{ field message( code)? \}/);
    }
    // The pending state's reason must be aliased (it conflicts with the rejected state's reason).
    expect(PAYMENTS_API_DOCUMENTS.paymentSessionResolve).toContain("pendingReason: reason");
    // Only pending has coded user errors among payment-session mutations.
    expect(PAYMENTS_API_DOCUMENTS.paymentSessionPending).toMatch(/userErrors \{\s*field\s*message\s*code\s*\}/);
    expect(PAYMENTS_API_DOCUMENTS.paymentSessionResolve).not.toMatch(/userErrors \{[^}]*code/);
    expect(PAYMENTS_API_DOCUMENTS.paymentSessionReject).not.toMatch(/userErrors \{[^}]*code/);
  });

  it("a document asking for `code` on a plain UserError would fail the schema check (the check can fail)", () => {
    const broken = PAYMENTS_API_DOCUMENTS.paymentSessionResolve.replace(
      /userErrors \{\s*field\s*message\s*\}/,
      "userErrors { field message code }",
    );
    expect(broken).not.toBe(PAYMENTS_API_DOCUMENTS.paymentSessionResolve);
    expect(validatePaymentsAppsDocument(broken).map((e) => e.message).join()).toMatch(/code/);
  });
});

describe("variable schemas", () => {
  it("accept what the app sends", () => {
    const gid = "gid://shopify/PaymentSession/u0nwmSrNntjIWozmNslK5Tlq";
    expect(PAYMENTS_API_VARIABLE_SCHEMAS.paymentSessionResolve.safeParse({ id: gid }).success).toBe(true);
    expect(
      PAYMENTS_API_VARIABLE_SCHEMAS.paymentSessionReject.safeParse({
        id: gid,
        reason: { code: "INSTRUMENT_DECLINED", merchantMessage: "Rifiutato da Soisy" },
      }).success,
    ).toBe(true);
    expect(
      PAYMENTS_API_VARIABLE_SCHEMAS.paymentSessionPending.safeParse({
        id: gid,
        pendingExpiresAt: "2026-07-16T10:00:00.000Z",
        reason: "PARTNER_ACTION_REQUIRED",
      }).success,
    ).toBe(true);
    expect(
      PAYMENTS_API_VARIABLE_SCHEMAS.refundSessionReject.safeParse({
        id: "gid://shopify/RefundSession/r1",
        reason: { code: "PROCESSING_ERROR", merchantMessage: "no" },
      }).success,
    ).toBe(true);
  });

  it("refuse wrong gids, unknown codes, malformed dates and extra keys", () => {
    const s = PAYMENTS_API_VARIABLE_SCHEMAS;
    expect(s.paymentSessionResolve.safeParse({ id: "u0nwmSrNntjIWozmNslK5Tlq" }).success).toBe(false);
    expect(s.paymentSessionResolve.safeParse({ id: "gid://shopify/RefundSession/x" }).success).toBe(false);
    expect(s.paymentSessionReject.safeParse({ id: "gid://shopify/PaymentSession/x", reason: { code: "NOPE" } }).success).toBe(false);
    expect(
      s.paymentSessionPending.safeParse({ id: "gid://shopify/PaymentSession/x", pendingExpiresAt: "in 3 days", reason: "PARTNER_ACTION_REQUIRED" })
        .success,
    ).toBe(false);
    expect(s.refundSessionResolve.safeParse({ id: "gid://shopify/RefundSession/x", extra: 1 }).success).toBe(false);
  });
});

describe("classification: HTTP level", () => {
  it("5xx → retry with the status", () => {
    for (const status of [500, 502, 503, 504]) {
      const r = classify("paymentSessionResolve", status, { errors: "Internal Server Error" });
      expect(r).toMatchObject({ kind: "retry", httpStatus: status });
    }
  });

  it("503 with Retry-After → retry honouring it", () => {
    expect(classify("paymentSessionResolve", 503, { errors: "Service Unavailable" }, "7")).toMatchObject({
      kind: "retry",
      retryAfterMs: 7_000,
    });
  });

  it("429 with Retry-After seconds → retry after that long", () => {
    const r = classify(
      "paymentSessionResolve",
      429,
      { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." },
      "2.0",
    );
    expect(r).toEqual(expect.objectContaining({ kind: "retry", retryAfterMs: 2_000, httpStatus: 429 }));
  });

  it("429 with an HTTP-date Retry-After → retry until that date", () => {
    const r = classify("paymentSessionResolve", 429, "", "Mon, 13 Jul 2026 10:01:30 GMT");
    expect(r).toMatchObject({ kind: "retry", retryAfterMs: 90_000 });
  });

  it("429 without Retry-After → retry without a hint", () => {
    const r = classify("refundSessionResolve", 429, "");
    expect(r.kind).toBe("retry");
    expect(r).not.toHaveProperty("retryAfterMs");
  });

  it("401 / 403 → retry (the token may be refreshed); the reason never holds the token", () => {
    const r401 = classify("paymentSessionResolve", 401, INVALID_TOKEN_BODY);
    expect(r401).toMatchObject({ kind: "retry", httpStatus: 401 });
    const echo = classify("paymentSessionResolve", 403, { errors: `token ${TOKEN} lacks write_payment_sessions` });
    expect(echo.kind).toBe("retry");
    expect(JSON.stringify(echo)).not.toContain(TOKEN);
    expect(JSON.stringify(echo)).toContain("[redacted]");
  });

  it("402 / 423 (frozen or locked shop) and 408 → retry", () => {
    for (const status of [402, 408, 423]) expect(classify("paymentSessionResolve", status, "").kind).toBe("retry");
  });

  it("other 4xx → fatal", () => {
    expect(classify("paymentSessionResolve", 400, { errors: { query: "Required parameter missing or invalid" } })).toMatchObject({
      kind: "fatal",
      httpStatus: 400,
    });
    expect(classify("paymentSessionResolve", 404, { errors: "Not Found" })).toMatchObject({ kind: "fatal", httpStatus: 404 });
    expect(classify("paymentSessionResolve", 422, "{}").kind).toBe("fatal");
  });

  it("a redirect is never followed → fatal", () => {
    expect(classify("paymentSessionResolve", 301, "")).toMatchObject({ kind: "fatal", httpStatus: 301 });
  });

  it("200 with a body that is not GraphQL JSON → retry", () => {
    expect(classify("paymentSessionResolve", 200, "<html>maintenance</html>").kind).toBe("retry");
    expect(classify("paymentSessionResolve", 200, "[]").kind).toBe("retry");
    expect(classify("paymentSessionResolve", 200, { data: { paymentSessionResolve: null } }).kind).toBe("retry");
  });
});

describe("classification: GraphQL errors", () => {
  it("THROTTLED → retry, waiting until the cost bucket refills", () => {
    const r = classify("paymentSessionResolve", 200, {
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
      extensions: {
        cost: {
          requestedQueryCost: 10,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 2000.0, currentlyAvailable: 5, restoreRate: 100.0 },
        },
      },
    });
    expect(r).toEqual({ kind: "retry", reason: expect.stringContaining("THROTTLED"), httpStatus: 200, retryAfterMs: 50 });
  });

  it("internal error → retry", () => {
    const r = classify("paymentSessionPending", 200, {
      errors: [
        {
          message: "Internal error. Looks like something went wrong on our end.\nRequest ID: 1b2c3d",
          extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "1b2c3d" },
        },
      ],
    });
    expect(r.kind).toBe("retry");
  });

  it("validation errors (graphql-js and Shopify wording) → fatal, nothing applied", () => {
    const jsWording = classify("paymentSessionResolve", 200, {
      errors: [{ message: 'Cannot query field "code" on type "UserError".', locations: [{ line: 5, column: 9 }] }],
    });
    expect(jsWording).toMatchObject({ kind: "fatal", httpStatus: 200 });
    expect(describePaymentsApiResult(jsWording)).toContain('Cannot query field "code"');
    const rubyWording = classify("paymentSessionResolve", 200, {
      errors: [
        {
          message: "Field 'code' doesn't exist on type 'UserError'",
          locations: [{ line: 5, column: 9 }],
          path: ["mutation PaymentSessionResolve", "paymentSessionResolve", "userErrors", "code"],
          extensions: { code: "undefinedField", typeName: "UserError", fieldName: "code" },
        },
      ],
    });
    expect(rubyWording.kind).toBe("fatal");
    const badVariable = classify("paymentSessionPending", 200, {
      errors: [{ message: 'Variable "$pendingExpiresAt" got invalid value "soon"; Expected type "DateTime".' }],
    });
    expect(badVariable.kind).toBe("fatal");
  });
});

describe("classification: payloads", () => {
  it("ok → nextActionUrl from the redirect context, data kept", () => {
    const r = classify("paymentSessionResolve", 200, {
      data: { paymentSessionResolve: { paymentSession: resolvedSession(), userErrors: [] } },
    });
    expect(r).toMatchObject({
      kind: "ok",
      nextActionUrl: "https://shop.example/orders/abc",
      httpStatus: 200,
      data: { paymentSession: { state: { code: "RESOLVED" } } },
    });
  });

  it("ok without nextAction → nextActionUrl null; refunds and configure have none", () => {
    const pending = classify("paymentSessionPending", 200, {
      data: { paymentSessionPending: { paymentSession: { ...resolvedSession(), state: { __typename: "PaymentSessionStatePending", code: "PENDING", pendingReason: "PARTNER_ACTION_REQUIRED" }, nextAction: null }, userErrors: [] } },
    });
    expect(pending).toMatchObject({ kind: "ok", nextActionUrl: null });
    const refund = classify("refundSessionResolve", 200, {
      data: { refundSessionResolve: { refundSession: { id: "gid://shopify/RefundSession/r", state: { __typename: "RefundSessionStateResolved", code: "RESOLVED" } }, userErrors: [] } },
    });
    expect(refund).toMatchObject({ kind: "ok", nextActionUrl: null });
    const configure = classify("paymentsAppConfigure", 200, {
      data: { paymentsAppConfigure: { paymentsAppConfiguration: { externalHandle: "h", ready: true }, userErrors: [] } },
    });
    expect(configure).toMatchObject({ kind: "ok", data: { paymentsAppConfiguration: { ready: true } } });
  });

  it("a 'success' showing the opposite final state → conflict", () => {
    const r = classify("paymentSessionResolve", 200, {
      data: {
        paymentSessionResolve: {
          paymentSession: { ...resolvedSession(), state: { __typename: "PaymentSessionStateRejected", code: "REJECTED", reason: "RISKY" } },
          userErrors: [],
        },
      },
    });
    expect(r.kind).toBe("conflict");
  });

  it("resolve on a rejected / unanswered session (one message for both) → ambiguous conflict", () => {
    const r = classify("paymentSessionResolve", 200, userErrorBody("paymentSessionResolve", "paymentSession", [{ field: ["id"], message: MSG.resolveInvalidState }]));
    expect(r).toEqual({
      kind: "conflict",
      ambiguous: true,
      httpStatus: 200,
      userErrors: [{ field: ["id"], message: MSG.resolveInvalidState }],
    });
  });

  it("reject on a resolved / unanswered session → ambiguous conflict", () => {
    const r = classify("paymentSessionReject", 200, userErrorBody("paymentSessionReject", "paymentSession", [{ field: ["id"], message: MSG.rejectInvalidState }]));
    expect(r).toMatchObject({ kind: "conflict", ambiguous: true });
  });

  it("unknown payment session → conflict (not ambiguous)", () => {
    for (const mutation of ["paymentSessionResolve", "paymentSessionReject"] as const) {
      const r = classify(mutation, 200, userErrorBody(mutation, "paymentSession", [{ field: ["id"], message: MSG.paymentNotFound }]));
      expect(r.kind).toBe("conflict");
      expect(r).not.toHaveProperty("ambiguous");
    }
  });

  it("pending: not received → retry; already resolved/rejected → already_done; bad expiry / unknown → conflict", () => {
    const pending = (message: string, code: string, field = ["id"]) =>
      classify("paymentSessionPending", 200, userErrorBody("paymentSessionPending", "paymentSession", [{ field, message, code }]));
    expect(pending(MSG.pendingNotReceived, "PENDING_INVALID_STATE")).toMatchObject({
      kind: "retry",
      userErrors: [{ code: "PENDING_INVALID_STATE" }],
    });
    expect(pending(MSG.pendingInvalidState, "PENDING_INVALID_STATE")).toMatchObject({ kind: "already_done" });
    expect(pending(MSG.pendingExpired, "EXPIRED_PENDING_EXPIRES_AT", ["pendingExpiresAt"]).kind).toBe("conflict");
    expect(pending(MSG.pendingOutOfRange, "OUT_OF_RANGE_PENDING_EXPIRES_AT", ["pendingExpiresAt"]).kind).toBe("conflict");
    expect(pending(MSG.pendingNotFound, "NOT_FOUND").kind).toBe("conflict");
  });

  it("refunds: not received → retry; same outcome → already_done; the other outcome / not found → conflict", () => {
    const refund = (mutation: "refundSessionResolve" | "refundSessionReject", message: string, code: string) =>
      classify(mutation, 200, userErrorBody(mutation, "refundSession", [{ field: ["id"], message, code }]));
    expect(refund("refundSessionResolve", MSG.refundNotReceived, "REFUND_SESSION_INVALID_STATE").kind).toBe("retry");
    expect(refund("refundSessionReject", MSG.refundNotReceived, "REFUND_SESSION_INVALID_STATE").kind).toBe("retry");
    expect(refund("refundSessionResolve", MSG.refundAlreadyResolved, "REFUND_SESSION_INVALID_STATE").kind).toBe("already_done");
    expect(refund("refundSessionReject", MSG.refundAlreadyRejected, "REFUND_SESSION_INVALID_STATE").kind).toBe("already_done");
    expect(refund("refundSessionResolve", MSG.refundAlreadyRejected, "REFUND_SESSION_INVALID_STATE").kind).toBe("conflict");
    expect(refund("refundSessionReject", MSG.refundAlreadyResolved, "REFUND_SESSION_INVALID_STATE").kind).toBe("conflict");
    expect(refund("refundSessionResolve", MSG.refundNotFound, "REFUND_SESSION_NOT_FOUND").kind).toBe("conflict");
  });

  it("a plain 'already resolved' on a resolve → already_done; on a reject → conflict", () => {
    const e = { field: ["id"], message: "Payment session has already been resolved." };
    expect(interpretUserError("paymentSessionResolve", e)).toBe("already_done");
    expect(interpretUserError("paymentSessionReject", e)).toBe("conflict");
    expect(interpretUserError("paymentSessionResolve", { field: ["id"], message: "The response to start_payment_session request has not been received." })).toBe("retry");
  });

  it("several userErrors: a conflict wins over a transient one", () => {
    const r = classify(
      "paymentSessionPending",
      200,
      userErrorBody("paymentSessionPending", "paymentSession", [
        { field: ["id"], message: MSG.pendingNotReceived, code: "PENDING_INVALID_STATE" },
        { field: ["pendingExpiresAt"], message: MSG.pendingExpired, code: "EXPIRED_PENDING_EXPIRES_AT" },
      ]),
    );
    expect(r.kind).toBe("conflict");
  });

  it("configure userErrors → conflict", () => {
    const r = classify("paymentsAppConfigure", 200, userErrorBody("paymentsAppConfigure", "paymentsAppConfiguration", [{ field: ["externalHandle"], message: "is too long" }]));
    expect(r.kind).toBe("conflict");
  });
});

describe("helpers", () => {
  it("parseRetryAfter reads seconds and HTTP-dates, never negative, capped", () => {
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter("1.5", NOW)).toBe(1_500);
    expect(parseRetryAfter("Mon, 13 Jul 2026 10:00:10 GMT", NOW)).toBe(10_000);
    expect(parseRetryAfter("Mon, 13 Jul 2026 09:00:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("999999", NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter("", NOW)).toBeUndefined();
  });

  it("redact removes every occurrence of a secret and caps the length", () => {
    expect(redact(`a ${TOKEN} b ${TOKEN}`, [TOKEN])).toBe("a [redacted] b [redacted]");
    expect(redact("x".repeat(2_000), []).length).toBeLessThanOrEqual(501);
  });
});
