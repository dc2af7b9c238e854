/**
 * Refunds settled from Soisy's own data, end to end against the built app and its background jobs
 * (real database, the Soisy and Shopify simulators): the merchant cancels the loan in Soisy's back
 * office, Shopify sends the full refund, and the app resolves it at Shopify by itself with the
 * evidence on the payment page; a partial refund Soisy's data does not prove stays with the merchant,
 * whose refund card says the app is watching Soisy, with the reason on the timeline (it and en);
 * `npm run reconcile -- --refunds` does the same pass from the command line.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { ADMIN_USER_AGENT } from "../helpers/admin-page";
import { resolvedPayment } from "../helpers/payments";
import { eventually, printAppOutputIfFailed, repoRoot, startStack, STACK_SETUP_TIMEOUT_MS, type Stack } from "../helpers/stack";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ shop: "refund-settle-e2e.myshopify.com" });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

const db = () => stack.database.db;

async function tokenOf(paymentId: string, database = db()): Promise<string> {
  return (await database.paymentSession.findUniqueOrThrow({ where: { id: paymentId } })).soisyToken!;
}

async function soisyOperator(stack: Stack, token: string, action: "cancel" | "reduce", body: Record<string, unknown> = {}): Promise<void> {
  const res = await fetch(`${stack.soisy.url}/_sim/orders/${encodeURIComponent(token)}/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

/** The payment page as the merchant's admin gets it (server-rendered), with its text only. */
async function paymentPage(paymentId: string, lang: "it" | "en"): Promise<string> {
  const res = await fetch(`${stack.appUrl}/app/transactions/${encodeURIComponent(paymentId)}?lang=${lang}`, {
    headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop), "user-agent": ADMIN_USER_AGENT },
  });
  expect(res.status).toBe(200);
  return (await res.text())
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&nbsp;|\u00a0/g, " ")
    .replace(/\s+/g, " ");
}

describe("refunds settled from Soisy's data (built app, background pass)", () => {
  it("a full refund after the merchant cancelled the loan at Soisy is resolved at Shopify by the app alone", async () => {
    const payment = await resolvedPayment(stack, "300.00");
    await soisyOperator(stack, await tokenOf(payment.id), "cancel");
    const refund = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "300.00" });
    expect(refund).toMatchObject({ ok: true, status: 201 });

    await eventually(async () => stack.shopify.refundSessions.get(refund.id)?.state.code === "RESOLVED", 20_000, "refund resolved at Shopify");
    const row = await eventually(async () => {
      const r = await db().refundSession.findUniqueOrThrow({ where: { id: refund.id } });
      return r.state === "resolved" ? r : undefined;
    }, 10_000, "refund resolved in the database");
    expect(row.decidedBy).toBe("soisy");
    expect(stack.shopify.refundSessions.get(refund.id)?.mutations.filter((m) => m.outcome === "applied").map((m) => m.name)).toEqual(["refundSessionResolve"]);

    const it = await paymentPage(payment.id, "it");
    expect(it).toContain("Rimborso di € 300,00 chiuso automaticamente: su Soisy il finanziamento risulta annullato");
    expect(it).not.toContain("L'app controlla Soisy per questo rimborso");
    const en = await paymentPage(payment.id, "en");
    expect(en).toContain("Refund of €300.00 settled automatically: Soisy shows the loan cancelled");
  });

  it("a partial refund Soisy's data does not prove stays with the merchant, who is told the app is watching Soisy and why it did not decide", async () => {
    const payment = await resolvedPayment(stack, "200.00");
    await soisyOperator(stack, await tokenOf(payment.id), "reduce", { cents: 40_00 });
    const refund = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "50.00" });
    expect(refund).toMatchObject({ ok: true, status: 201 });

    await eventually(
      async () => (await db().timelineEvent.count({ where: { paymentSessionId: payment.id, type: "refund_soisy_ambiguous" } })) === 1,
      20_000,
      "the ambiguous observation on the timeline",
    );
    expect((await db().refundSession.findUniqueOrThrow({ where: { id: refund.id } })).state).toBe("awaiting_merchant");
    expect(stack.shopify.refundSessions.get(refund.id)?.mutations ?? []).toEqual([]);

    const it = await paymentPage(payment.id, "it");
    expect(it).toContain("L'app controlla Soisy per questo rimborso");
    expect(it).toContain("Ultimo controllo su Soisy:");
    expect(it).toContain("Rimborso di € 50,00 non chiuso automaticamente.");
    expect(it).toContain("Il finanziamento è stato ridotto di un importo diverso da quello dei rimborsi aperti.");
    const en = await paymentPage(payment.id, "en");
    expect(en).toContain("The app is watching Soisy for this refund");
    expect(en).toContain("a loan of €160.00 (before this refund: €200.00)");
  });
});

describe("npm run reconcile -- --refunds (background jobs off)", () => {
  let cli: Stack;
  beforeAll(async () => {
    cli = await startStack({ shop: "refund-settle-cli.myshopify.com", appEnv: { JOBS_DISABLED: "true" } });
  }, STACK_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await cli?.close();
  });

  it("settles the refund the merchant made at Soisy and delivers refundSessionResolve", async () => {
    const payment = await resolvedPayment(cli, "120.00");
    await soisyOperator(cli, await tokenOf(payment.id, cli.database.db), "reduce", { cents: 20_00 });
    const refund = await cli.shopify.startRefund({ shop: cli.shop, paymentId: payment.id, amount: "20.00" });
    expect(refund).toMatchObject({ ok: true, status: 201 });
    expect((await cli.database.db.refundSession.findUniqueOrThrow({ where: { id: refund.id } })).state).toBe("awaiting_merchant");

    const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "scripts/reconcile.ts", "--refunds"], {
      cwd: repoRoot,
      env: { ...cli.env, LOG_LEVEL: "silent" },
      timeout: 60_000,
    });
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as { refunds: { checked: number; resolved: number } };
    expect(report.refunds).toMatchObject({ checked: 1, resolved: 1 });
    await eventually(async () => cli.shopify.refundSessions.get(refund.id)?.state.code === "RESOLVED", 20_000, "refund resolved at Shopify");
    expect((await cli.database.db.refundSession.findUniqueOrThrow({ where: { id: refund.id } })).decidedBy).toBe("soisy");
  });
});
