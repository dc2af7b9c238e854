/**
 * Merchant action on a void session (from the payment's admin page): "loan cancelled at Soisy" →
 * voidSessionResolve. POST form: intent=confirm_void. Authenticated like every admin action
 * (shopify.authenticate.admin: the session token; server/origin-check.ts guards the origin), then
 * back to the payment's page with the outcome (?done=confirm_void or ?error=notFound|alreadyDecided).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import { db } from "~/db.server";
import { readFormBody } from "~/http/form-body.server";
import { routeId } from "~/http/route-id";
import { localeFromRequest } from "~/i18n/i18n";
import { decideVoid } from "~/payments/settlement-service.server";
import { paymentDeps } from "~/runtime.server";
import { shopify } from "~/shopify.server";
import { withLang } from "~/transactions/format";

const intentSchema = z.object({ intent: z.literal("confirm_void") });

export async function loader() {
  return json({ error: "POST intent=confirm_void" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const id = routeId(params.id);
  if (!id) return json({ error: "void not found" }, { status: 404 });
  const body = await readFormBody(request);
  if (!body.ok) return json({ error: "send a form body: intent=confirm_void" }, { status: body.status });
  const input = intentSchema.safeParse(body.form);
  if (!input.success) return json({ error: "intent must be confirm_void" }, { status: 400 });
  // The settlement must belong to THIS shop.
  const settlement = await db().settlementSession.findFirst({ where: { id, shop: session.shop }, select: { id: true, paymentSessionId: true } });
  if (!settlement) return json({ error: "void not found" }, { status: 404 });
  const by = session.onlineAccessInfo?.associated_user?.email ?? `merchant:${session.shop}`;
  const result = await decideVoid(paymentDeps(), session.shop, settlement.id, by);
  const back = `/app/transactions/${encodeURIComponent(settlement.paymentSessionId)}`;
  const locale = localeFromRequest(request);
  if (!result.ok) return redirect(withLang(`${back}?error=${result.status === 404 ? "notFound" : "alreadyDecided"}`, locale));
  return redirect(withLang(`${back}?done=confirm_void`, locale));
}
