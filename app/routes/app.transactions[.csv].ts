/**
 * GET /app/transactions.csv — the filtered transactions list as CSV (same parameters as the list,
 * validated the same way; pagination parameters are ignored: every matching row is exported).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { shopify } from "~/shopify.server";
import { db } from "~/db.server";
import { parseTransactionQuery } from "~/transactions/filters";
import { allTransactions } from "~/transactions/query.server";
import { csvHeader, csvRow } from "~/transactions/csv";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const query = parseTransactionQuery(new URL(request.url).searchParams);
  const rows = allTransactions(db(), session.shop, query.filters);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvHeader()));
    },
    async pull(controller) {
      try {
        const next = await rows.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(csvRow(next.value)));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="soisy-transactions-${stamp}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
