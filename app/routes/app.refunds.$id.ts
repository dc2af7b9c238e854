/**
 * Merchant action on a refund (from the admin): "refunded at Soisy" (resolve) or "decline" (reject).
 * POST form or JSON: { decision: "resolve" | "reject", reason?: string }.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { decideRefund } from "~/payments/refund-service.server";
import { paymentDeps } from "~/runtime.server";
import { shopify } from "~/shopify.server";

const decisionSchema = z.object({
  decision: z.enum(["resolve", "reject"]),
  reason: z.string().trim().max(255).optional(),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const raw = /application\/json/i.test(request.headers.get("content-type") ?? "")
    ? await request.json().catch(() => null)
    : Object.fromEntries(await request.formData());
  const input = decisionSchema.safeParse(raw);
  if (!input.success) return json({ error: "decision must be resolve or reject" }, { status: 400 });
  const by = session.onlineAccessInfo?.associated_user?.email ?? `merchant:${session.shop}`;
  const result = await decideRefund(paymentDeps(), session.shop, params.id ?? "", input.data.decision, by, input.data.reason);
  if (!result.ok) return json({ error: result.message }, { status: result.status });
  return json({ state: result.state });
}
