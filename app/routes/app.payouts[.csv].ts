/**
 * GET /app/payouts.csv — the payouts page's lines as CSV (same filters; app/payouts/csv.ts).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { shopify } from "~/shopify.server";
import { db } from "~/db.server";
import { parsePayoutFilters, payoutLines } from "~/payouts/query.server";
import { payoutsCsv } from "~/payouts/csv";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const filters = parsePayoutFilters(new URL(request.url).searchParams);
  const lines = await payoutLines(db(), session.shop, filters, new Date());
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(payoutsCsv(lines), {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="soisy-payouts-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
