/**
 * Shopify's payment session request (app/payments/start-session.server.ts) against a real database
 * and the Soisy simulator: Shopify's retry of an answered session is answered again with the same URL
 * (from this instance's memory, and from the database when another instance answered first), never
 * with a second Soisy order; the same id with other data is refused. The timeline starts with
 * Shopify's request, at the session's arrival, written once with the session's first transition or
 * failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "~/logger.server";
import { defaultSoisyClientFactory, type PaymentDeps } from "~/payments/payment-deps.server";
import { paymentSessionRequestSchema } from "~/payments/shopify-requests";
import { forgetAnsweredSessions, startPaymentSession } from "~/payments/start-session.server";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { configureShop } from "../../scripts/lib/local-stack";
import { paymentSessionBody } from "../../scripts/lib/payment-session-body";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";

const SHOP = "start-session.myshopify.com";
const logger = createLogger({ level: "silent" });
let t: TestDatabase;
let soisy: SoisySimulator;
let deps: PaymentDeps;
let previousSoisyUrl: string | undefined;

beforeAll(async () => {
  t = await createTestDatabase();
  soisy = await startSoisySimulator();
  previousSoisyUrl = process.env.SOISY_API_URL;
  process.env.SOISY_API_URL = soisy.url;
  const keyring = parseKeyring(generateKeyMaterial());
  await configureShop(t.db, keyring, SHOP, "shpat_test");
  deps = { db: t.db, keyring, appUrl: "http://127.0.0.1:1", soisyClient: defaultSoisyClientFactory(t.db, keyring, logger), now: () => new Date(), logger };
});

afterAll(async () => {
  if (previousSoisyUrl === undefined) delete process.env.SOISY_API_URL;
  else process.env.SOISY_API_URL = previousSoisyUrl;
  await soisy?.close();
  await t?.cleanup();
});

let counter = 0;
function request(overrides: { amount?: string } = {}) {
  const id = `start-${++counter}-${Date.now().toString(36)}`;
  const body = paymentSessionBody(id, { shop: SHOP, amount: overrides.amount ?? "450.00" });
  return { id, body };
}
const parsed = (body: unknown) => paymentSessionRequestSchema.parse(body);
const ordersFor = (id: string) => [...soisy.orders.values()].filter((o) => o.orderReference === id).length;

describe("a payment session request and Shopify's retries of it", () => {
  it("a retry is answered with the same URL and no second Soisy order, on this instance and on another", async () => {
    const { id, body } = request();
    const first = await startPaymentSession(deps, SHOP, parsed(body));
    expect(first).toMatchObject({ ok: true });
    const again = await startPaymentSession(deps, SHOP, parsed(body));
    forgetAnsweredSessions(); // another instance (or a restarted one) knows nothing of the answer
    const elsewhere = await startPaymentSession(deps, SHOP, parsed(body));
    expect(again).toEqual({ ok: true, redirectUrl: (first as { redirectUrl: string }).redirectUrl, soisyMs: 0 });
    expect(elsewhere).toEqual(again);
    expect(ordersFor(id)).toBe(1);
    expect(await t.db.paymentSession.count({ where: { id } })).toBe(1);
  });

  it("the same id with other data is refused with 409, right after an answer too", async () => {
    const { body } = request();
    expect(await startPaymentSession(deps, SHOP, parsed(body))).toMatchObject({ ok: true });
    const other = parsed({ ...body, amount: "451.00" });
    expect(await startPaymentSession(deps, SHOP, other)).toMatchObject({ ok: false, status: 409 });
    expect(await startPaymentSession(deps, SHOP, parsed({ ...body, group: "another-group" }))).toMatchObject({ ok: false, status: 409 });
  });
});

const timelineOf = (id: string) => t.db.timelineEvent.findMany({ where: { paymentSessionId: id }, orderBy: { createdAt: "asc" } });

describe("the timeline's first row: Shopify's request", () => {
  it("is written with the Soisy order, at the session's arrival, once across retries on another instance", async () => {
    const { id, body } = request();
    await startPaymentSession(deps, SHOP, parsed(body));
    forgetAnsweredSessions();
    await startPaymentSession(deps, SHOP, parsed(body));
    const session = await t.db.paymentSession.findUniqueOrThrow({ where: { id } });
    const rows = await timelineOf(id);
    expect(rows.map((r) => r.type).slice(0, 2)).toEqual(["payment_session_received", "soisy_order_created"]);
    expect(rows.filter((r) => r.type === "payment_session_received")).toHaveLength(1);
    expect(rows[0]!.createdAt.getTime()).toBe(session.createdAt.getTime());
    expect(JSON.parse(rows[0]!.detailJson!)).toEqual({ amount: "450.00", currency: "EUR", test: body.test, kind: "sale" });
  });

  it("is written before a failed Soisy call, and not again when Shopify's retry creates the order", async () => {
    const { id, body } = request();
    soisy.setFaults({ failNext: { count: 1, status: 500 }, match: "/orders" });
    const failed = await startPaymentSession(deps, SHOP, parsed(body));
    soisy.clearFaults();
    expect(failed).toMatchObject({ ok: false });
    expect((await timelineOf(id)).map((r) => r.type)).toEqual(["payment_session_received", "soisy_order_failed"]);
    expect(await startPaymentSession(deps, SHOP, parsed(body))).toMatchObject({ ok: true });
    const types = (await timelineOf(id)).map((r) => r.type);
    expect(types.slice(0, 3)).toEqual(["payment_session_received", "soisy_order_failed", "soisy_order_created"]);
    expect(types.filter((type) => type === "payment_session_received")).toHaveLength(1);
  });

  it("is written with the not-eligible decision", async () => {
    const { id, body } = request({ amount: "10.00" });
    const answer = await startPaymentSession(deps, SHOP, parsed(body));
    expect(answer).toMatchObject({ ok: true });
    expect((answer as { redirectUrl: string }).redirectUrl).toContain("not-eligible");
    // The app's reason, then the lifecycle's decision (the reject it queues).
    expect((await timelineOf(id)).map((r) => `${r.source} ${r.type}`)).toEqual(["shopify payment_session_received", "app not_eligible", "app not_eligible"]);
  });
});
