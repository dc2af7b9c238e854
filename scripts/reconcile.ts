// `npm run reconcile`: one reconciliation pass outside the app (cron, operators). Polls Soisy for
// payments still open, feeds the lifecycle; with --refunds also settles open refunds from Soisy's
// data (refund-settle.server.ts); then delivers the resulting Shopify mutations.
// Uses the app's environment (DATABASE_URL, APP_ENCRYPTION_KEY, SHOPIFY_*, SOISY_*).
//   npm run reconcile -- [--older-than-ms 600000] [--limit 100] [--refunds] [--no-deliver]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "older-than-ms": { type: "string" },
    limit: { type: "string" },
    refunds: { type: "boolean", default: false },
    "no-deliver": { type: "boolean", default: false },
  },
});

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

process.env.JOBS_DISABLED = "true";
const { paymentRuntime } = await import("../app/runtime.server");
const { reconcileOpenPayments } = await import("../app/payments/reconcile.server");
const { settleRefundsFromSoisy } = await import("../app/payments/refund-settle.server");
const { ConfigError } = await import("../app/config.server");

try {
  const { deps, worker, config } = paymentRuntime();
  const olderThanMs = positiveInt("older-than-ms", values["older-than-ms"], config.RECONCILE_AFTER_MS);
  const limit = positiveInt("limit", values.limit, 100);
  const report = await reconcileOpenPayments(deps, { olderThanMs, ...(limit ? { limit } : {}) });
  const refunds = values.refunds ? await settleRefundsFromSoisy(deps, limit ? { limit } : {}) : null;
  const delivery = values["no-deliver"] ? null : await worker.runOnce();
  console.log(JSON.stringify({ reconcile: report, ...(refunds ? { refunds } : {}), outbox: delivery }));
  await deps.db.$disconnect();
  process.exit(report.failed > 0 || (refunds?.failed ?? 0) > 0 ? 1 : 0);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(2);
}
