/**
 * The Shopify simulator's capture, void and confirm semantics (store + GraphQL execution in-process, no
 * HTTP): the app's own documents run against the simulator's copy of the 2026-04 schema, and the state
 * rules later tests rely on ("captureSessionResolve exactly once", confirm only before a final answer).
 */
import { describe, expect, it } from "vitest";
import {
  CAPTURE_SESSION_REJECT_MUTATION,
  CAPTURE_SESSION_RESOLVE_MUTATION,
  PAYMENT_SESSION_CONFIRM_MUTATION,
  PAYMENT_SESSION_PENDING_MUTATION,
  PAYMENT_SESSION_RESOLVE_MUTATION,
  VOID_SESSION_REJECT_MUTATION,
  VOID_SESSION_RESOLVE_MUTATION,
} from "~/shopify/payments-api-documents";
import { executeDocument, prepareDocument } from "../simulators/shopify/graphql-api";
import { settlementMessages } from "../simulators/shopify/settlement-store";
import { MESSAGES, SimStore } from "../simulators/shopify/store";
import type { SimPaymentSession, SimSettlementSession, SimShop } from "../simulators/shopify/types";

const SHOP = "soisy-test.myshopify.com";
const NOW = new Date("2026-07-13T10:00:00Z");

function setup(opts: { oversellProtection?: boolean } = {}) {
  const store = new SimStore({ now: () => NOW, pendingExpiryLimitMs: 30 * 86_400_000, orderStatusUrl: (s, id) => `http://sim/${s}/orders/${id}` });
  const shop: SimShop = {
    domain: SHOP,
    accessToken: "t",
    name: "Soisy Test",
    merchantLocale: "it",
    currency: "EUR",
    configuration: null,
    configurationHistory: [],
    oversellProtection: opts.oversellProtection ?? false,
  };
  store.shops.set(SHOP, shop);

  async function run(query: string, variables: Record<string, unknown>) {
    const prepared = prepareDocument(query, null);
    expect(prepared.errors).toEqual([]);
    const result = await executeDocument({ document: prepared.document!, variables, operationName: null, shop, store, apiVersion: "2026-04" });
    expect(result.errors).toBeUndefined();
    return result.data as Record<string, { userErrors: Array<{ code?: string; message: string }>; [key: string]: unknown }>;
  }

  function payment(id: string, patch: Partial<SimPaymentSession> = {}): SimPaymentSession {
    const session: SimPaymentSession = {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop: SHOP,
      group: `g-${id}`,
      amount: "1000.00",
      currency: "EUR",
      test: false,
      createdAt: NOW.toISOString(),
      cancelUrl: "http://sim/cancelled",
      request: {},
      acknowledged: true,
      appRedirectUrl: "https://soisy.example/x",
      state: { code: "REDIRECTING" },
      pendingExpiresAt: null,
      authorizationExpiresAt: null,
      nextAction: null,
      mutations: [],
      kind: "authorization",
      inventoryAvailable: true,
      confirmation: null,
      ...patch,
    };
    store.paymentSessions.set(id, session);
    return session;
  }

  function settlement(type: "CaptureSession" | "VoidSession", id: string, patch: Partial<SimSettlementSession> = {}): SimSettlementSession {
    const session: SimSettlementSession = {
      id,
      gid: `gid://shopify/${type}/${id}`,
      shop: SHOP,
      paymentId: "p1",
      amount: type === "CaptureSession" ? "1000.00" : null,
      currency: type === "CaptureSession" ? "EUR" : null,
      test: false,
      createdAt: NOW.toISOString(),
      request: {},
      acknowledged: true,
      state: { code: "OPEN" },
      mutations: [],
      ...patch,
    };
    (type === "CaptureSession" ? store.captures : store.voids).sessions.set(id, session);
    return session;
  }

  return { store, run, payment, settlement };
}

const CAPTURE = settlementMessages("CaptureSession");
const VOID = settlementMessages("VoidSession");

describe("capture sessions", () => {
  it("resolve once: a repeat answers the same and is recorded as repeated; a reject afterwards fails", async () => {
    const { run, settlement } = setup();
    const capture = settlement("CaptureSession", "c1");
    const first = await run(CAPTURE_SESSION_RESOLVE_MUTATION, { id: capture.gid });
    expect(first.captureSessionResolve).toEqual({
      captureSession: { id: capture.gid, state: { __typename: "CaptureSessionStateResolved", code: "RESOLVED" } },
      userErrors: [],
    });
    expect((await run(CAPTURE_SESSION_RESOLVE_MUTATION, { id: capture.gid })).captureSessionResolve).toEqual(first.captureSessionResolve);
    const rejected = await run(CAPTURE_SESSION_REJECT_MUTATION, { id: capture.gid, reason: { code: "PROCESSING_ERROR" } });
    expect(rejected.captureSessionReject?.userErrors).toEqual([{ field: ["id"], message: CAPTURE.alreadyResolved, code: "CAPTURE_SESSION_INVALID_STATE" }]);
    expect(capture.mutations.map((m) => `${m.name}:${m.outcome}`)).toEqual([
      "captureSessionResolve:applied",
      "captureSessionResolve:repeated",
      "captureSessionReject:rejected",
    ]);
    expect(capture.mutations.filter((m) => m.name === "captureSessionResolve" && m.outcome === "applied")).toHaveLength(1);
  });

  it("reject with AUTHORIZATION_EXPIRED keeps the first reason on a repeat; a resolve afterwards fails", async () => {
    const { run, settlement } = setup();
    const capture = settlement("CaptureSession", "c2");
    const first = await run(CAPTURE_SESSION_REJECT_MUTATION, { id: capture.gid, reason: { code: "AUTHORIZATION_EXPIRED", merchantMessage: "Autorizzazione scaduta" } });
    const state = { __typename: "CaptureSessionStateRejected", code: "REJECTED", reason: "AUTHORIZATION_EXPIRED", merchantMessage: "Autorizzazione scaduta" };
    expect(first.captureSessionReject).toEqual({ captureSession: { id: capture.gid, state }, userErrors: [] });
    const repeat = await run(CAPTURE_SESSION_REJECT_MUTATION, { id: capture.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: "other" } });
    expect(repeat.captureSessionReject).toEqual(first.captureSessionReject);
    const resolved = await run(CAPTURE_SESSION_RESOLVE_MUTATION, { id: capture.gid });
    expect(resolved.captureSessionResolve?.userErrors).toEqual([{ field: ["id"], message: CAPTURE.alreadyRejected, code: "CAPTURE_SESSION_INVALID_STATE" }]);
  });

  it("unknown ids, another shop's sessions and sessions the app has not answered are refused", async () => {
    const { run, settlement } = setup();
    const unknown = await run(CAPTURE_SESSION_RESOLVE_MUTATION, { id: "gid://shopify/CaptureSession/nope" });
    expect(unknown.captureSessionResolve?.userErrors).toEqual([{ field: ["id"], message: CAPTURE.notFound, code: "CAPTURE_SESSION_NOT_FOUND" }]);
    const foreign = settlement("CaptureSession", "c3", { shop: "other.myshopify.com" });
    expect((await run(CAPTURE_SESSION_RESOLVE_MUTATION, { id: foreign.gid })).captureSessionResolve?.userErrors[0]?.code).toBe("CAPTURE_SESSION_NOT_FOUND");
    const early = settlement("CaptureSession", "c4", { acknowledged: false, state: { code: "AWAITING_APP" } });
    expect((await run(CAPTURE_SESSION_RESOLVE_MUTATION, { id: early.gid })).captureSessionResolve?.userErrors).toEqual([
      { field: ["id"], message: CAPTURE.notReceived, code: "CAPTURE_SESSION_INVALID_STATE" },
    ]);
    // A void's gid is not a capture's.
    const voidSession = settlement("VoidSession", "c5");
    expect((await run(CAPTURE_SESSION_RESOLVE_MUTATION, { id: voidSession.gid })).captureSessionResolve?.userErrors[0]?.code).toBe("CAPTURE_SESSION_NOT_FOUND");
  });
});

describe("void sessions", () => {
  it("resolve once, reject refused afterwards; reject only with PROCESSING_ERROR", async () => {
    const { run, settlement } = setup();
    const voided = settlement("VoidSession", "v1");
    const first = await run(VOID_SESSION_RESOLVE_MUTATION, { id: voided.gid });
    expect(first.voidSessionResolve).toEqual({ voidSession: { id: voided.gid, state: { __typename: "VoidSessionStateResolved", code: "RESOLVED" } }, userErrors: [] });
    expect((await run(VOID_SESSION_RESOLVE_MUTATION, { id: voided.gid })).voidSessionResolve).toEqual(first.voidSessionResolve);
    expect((await run(VOID_SESSION_REJECT_MUTATION, { id: voided.gid, reason: { code: "PROCESSING_ERROR" } })).voidSessionReject?.userErrors).toEqual([
      { field: ["id"], message: VOID.alreadyResolved, code: "VOID_SESSION_INVALID_STATE" },
    ]);
    expect(prepareDocument(`mutation { voidSessionReject(id: "${voided.gid}", reason: {code: AUTHORIZATION_EXPIRED}) { userErrors { message } } }`, null).errors.length).toBeGreaterThan(0);
  });
});

describe("paymentSessionConfirm", () => {
  it("a shop without oversell protection → CONFIRMATION_NOT_SUPPORTED", async () => {
    const { run, payment } = setup();
    const session = payment("p1");
    const out = await run(PAYMENT_SESSION_CONFIRM_MUTATION, { id: session.gid });
    expect(out.paymentSessionConfirm?.userErrors).toEqual([{ field: ["id"], message: MESSAGES.confirmNotSupported, code: "CONFIRMATION_NOT_SUPPORTED" }]);
    expect(session.state).toEqual({ code: "REDIRECTING" });
  });

  it("REDIRECTING → CONFIRMING with the result Shopify will send; a repeat succeeds; then resolve is accepted", async () => {
    const { run, payment, store } = setup({ oversellProtection: true });
    const session = payment("p1");
    const out = await run(PAYMENT_SESSION_CONFIRM_MUTATION, { id: session.gid });
    expect(out.paymentSessionConfirm).toMatchObject({ paymentSession: { id: session.gid, state: { __typename: "PaymentSessionStateConfirming", code: "CONFIRMING" } }, userErrors: [] });
    expect(session.confirmation).toEqual({ requestedAt: NOW.toISOString(), result: true });
    expect((await run(PAYMENT_SESSION_CONFIRM_MUTATION, { id: session.gid })).paymentSessionConfirm?.userErrors).toEqual([]);
    const resolved = await run(PAYMENT_SESSION_RESOLVE_MUTATION, { id: session.gid, authorizationExpiresAt: "2026-08-12T10:00:00Z" });
    expect(resolved.paymentSessionResolve?.userErrors).toEqual([]);
    expect(session).toMatchObject({ state: { code: "RESOLVED" }, authorizationExpiresAt: "2026-08-12T10:00:00Z" });
    expect(store.violations).toEqual([]);
  });

  it("pending is accepted from CONFIRMING", async () => {
    const { run, payment, store } = setup({ oversellProtection: true });
    const session = payment("p1");
    await run(PAYMENT_SESSION_CONFIRM_MUTATION, { id: session.gid });
    const out = await run(PAYMENT_SESSION_PENDING_MUTATION, { id: session.gid, pendingExpiresAt: "2026-07-14T10:00:00Z", reason: "PARTNER_ACTION_REQUIRED" });
    expect(out.paymentSessionPending?.userErrors).toEqual([]);
    expect(store.violations).toEqual([]);
  });

  it("after a final answer or a pending, or before the app answered → INVALID_STATE_TRANSITION; unknown → not found", async () => {
    const { run, payment } = setup({ oversellProtection: true });
    for (const [id, patch, message] of [
      ["r", { state: { code: "RESOLVED" } }, MESSAGES.confirmInvalidState],
      ["j", { state: { code: "REJECTED", reason: "PROCESSING_ERROR", merchantMessage: null, source: null } }, MESSAGES.confirmInvalidState],
      ["p", { state: { code: "PENDING", reason: "PARTNER_ACTION_REQUIRED" } }, MESSAGES.confirmInvalidState],
      ["a", { acknowledged: false, state: { code: "AWAITING_APP" } }, MESSAGES.confirmNotReceived],
    ] as const) {
      const session = payment(id, patch as Partial<SimPaymentSession>);
      const out = await run(PAYMENT_SESSION_CONFIRM_MUTATION, { id: session.gid });
      expect(out.paymentSessionConfirm?.userErrors, id).toEqual([{ field: ["id"], message, code: "INVALID_STATE_TRANSITION" }]);
      expect(session.confirmation).toBeNull();
    }
    const unknown = await run(PAYMENT_SESSION_CONFIRM_MUTATION, { id: "gid://shopify/PaymentSession/nope" });
    expect(unknown.paymentSessionConfirm?.userErrors[0]?.code).toBe("PAYMENT_SESSION_NOT_FOUND");
  });

  it("resolving after a negative confirmation, or without confirming, is recorded as a violation", async () => {
    const { run, payment, store } = setup({ oversellProtection: true });
    const oversold = payment("gone", { inventoryAvailable: false });
    await run(PAYMENT_SESSION_CONFIRM_MUTATION, { id: oversold.gid });
    expect(oversold.confirmation?.result).toBe(false);
    await run(PAYMENT_SESSION_RESOLVE_MUTATION, { id: oversold.gid });
    const unconfirmed = payment("skipped");
    await run(PAYMENT_SESSION_RESOLVE_MUTATION, { id: unconfirmed.gid });
    expect(store.violations.map((v) => `${v.kind}:${v.sessionId}`)).toEqual(["resolved_oversold:gone", "not_confirmed:skipped"]);
  });
});
