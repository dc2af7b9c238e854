/**
 * Soisy → app: a callback (form-encoded, unsigned). Authenticated by the per-session secret in
 * the URL (HMAC, constant time, checked before anything is read); matched to the stored token;
 * confirmed with GET /orders/{token} before the lifecycle acts. Forged → 404, nothing read or written.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { logger } from "~/logger.server";
import { handleSoisyCallback } from "~/payments/inputs.server";
import { sessionAtUrl, verifyUrlSecret } from "~/payments/session-from-url.server";
import { paymentDeps } from "~/runtime.server";
import { unstorableString } from "~/payments/shopify-requests";
import { parseSoisyCallback } from "~/soisy/types";

const MAX_CALLBACK_BYTES = 16 * 1024;
const notFound = () => json({ error: "not found" }, { status: 404 });

export async function loader() {
  return notFound();
}

export async function action({ request, params }: ActionFunctionArgs) {
  const deps = paymentDeps();
  // The secret is checked before the body is read; the session is looked up once the body is valid.
  const url = request.method === "POST" ? verifyUrlSecret(params, deps.keyring) : null;
  if (!url) return notFound();
  const { id } = url;
  if (Number(request.headers.get("content-length") ?? "0") > MAX_CALLBACK_BYTES) return json({ error: "too large" }, { status: 413 });
  const text = await request.text();
  if (text.length > MAX_CALLBACK_BYTES) return json({ error: "too large" }, { status: 413 });
  const type = request.headers.get("content-type") ?? "";
  let parsed;
  if (/application\/json/i.test(type)) {
    try {
      parsed = parseSoisyCallback(JSON.parse(text) as Record<string, unknown>);
    } catch {
      return json({ error: "body is not valid JSON" }, { status: 400 });
    }
  } else {
    parsed = parseSoisyCallback(text);
  }
  if (!parsed.success) return json({ error: "invalid callback" }, { status: 400 });
  // A NUL or a lone surrogate would reach the timeline (eventId) and fail in PostgreSQL.
  if (unstorableString(parsed.data) !== null) return json({ error: "invalid callback" }, { status: 400 });
  const found = await sessionAtUrl(deps.db, url);
  if (found.kind !== "found") return notFound();
  const { session } = found;
  try {
    const outcome = await handleSoisyCallback(deps, session, {
      eventId: parsed.data.eventId,
      orderToken: parsed.data.orderToken,
      ...(parsed.data.eventDate ? { eventDate: parsed.data.eventDate } : {}),
    });
    if (outcome === "token_mismatch") return json({ error: "order token does not match" }, { status: 400 });
    return json({ ok: true });
  } catch (error) {
    // Could not confirm with Soisy: the reconciliation job will; tell Soisy to try again too.
    logger.warn({ sessionId: id, err: error }, "callback not confirmed with Soisy");
    return json({ error: "temporarily unable to confirm the order" }, { status: 503 });
  }
}
