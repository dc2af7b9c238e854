/**
 * Merchant action on a refund (from the admin): "refunded at Soisy" (resolve) or "decline" (reject).
 * POST form or JSON: { decision: "resolve" | "reject", reason?: string }.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { readFormBody } from "~/http/form-body.server";
import { routeId } from "~/http/route-id";
import { decideRefund } from "~/payments/refund-service.server";
import { paymentDeps } from "~/runtime.server";
import { shopify } from "~/shopify.server";

const decisionSchema = z.object({
  decision: z.enum(["resolve", "reject"]),
  // PostgreSQL cannot store a NUL (the form reader refuses it too; this is for JSON bodies).
  reason: z.string().trim().max(255).refine((r) => !r.includes("\u0000")).optional(),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const id = routeId(params.id);
  if (!id) return json({ error: "refund not found" }, { status: 404 });
  if (request.method !== "POST") return json({ error: "POST a decision" }, { status: 405, headers: { Allow: "POST" } });
  const isJson = /application\/json/i.test(request.headers.get("content-type") ?? "");
  const body = isJson ? null : await readFormBody(request);
  if (body && !body.ok) return json({ error: "send a form or JSON body" }, { status: body.status });
  const raw = body ? body.form : await request.json().catch(() => null);
  const input = decisionSchema.safeParse(raw);
  if (!input.success) return json({ error: "decision must be resolve or reject" }, { status: 400 });
  const by = session.onlineAccessInfo?.associated_user?.email ?? `merchant:${session.shop}`;
  const result = await decideRefund(paymentDeps(), session.shop, id, input.data.decision, by, input.data.reason);
  if (!result.ok) return json({ error: result.message }, { status: result.status });
  return json({ state: result.state });
}
