/**
 * The order status page and what the merchant does on it, as in Shopify's admin: refund a paid order
 * (a refund session), and for an authorization fulfil it (a capture session of the full amount), capture
 * part of it, or cancel it (a void session). Each form sends the session to the app, then 303s back.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendHtml } from "./http";
import { notFoundPage, orderStatusPage } from "./pages";
import type { SimStore } from "./store";
import type { SimPaymentSession, StartCaptureInput, StartRefundInput, StartVoidInput } from "./types";

const ORDER_PATH = /^\/shops\/([^/]+)\/orders\/([A-Za-z0-9_-]+)$/;
const ORDER_ACTION_PATH = /^\/shops\/([^/]+)\/orders\/([A-Za-z0-9_-]+)\/(refunds|captures|voids)$/;
const AMOUNT = /^\d+(\.\d{1,2})?$/;

export interface OrderRouteDeps {
  store: SimStore;
  startRefund(input: StartRefundInput): Promise<unknown>;
  startCapture(input: StartCaptureInput): Promise<unknown>;
  startVoid(input: StartVoidInput): Promise<unknown>;
}

export function createOrderRoutes(deps: OrderRouteDeps) {
  const { store } = deps;

  function related(session: SimPaymentSession) {
    const of = <T extends { paymentId: string }>(map: Map<string, T>) => [...map.values()].filter((s) => s.paymentId === session.id);
    return { refunds: of(store.refundSessions), captures: of(store.captures.sessions), voids: of(store.voids.sessions) };
  }

  function sessionAt(shop: string, id: string): SimPaymentSession | undefined {
    const session = store.paymentSessions.get(id);
    return session && session.shop === shop ? session : undefined;
  }

  async function act(res: ServerResponse, session: SimPaymentSession, action: string, form: URLSearchParams): Promise<void> {
    const amount = form.get("amount")?.trim().replace(",", ".") ?? "";
    const needsAmount = action !== "voids";
    if (needsAmount && (!AMOUNT.test(amount) || Number(amount) <= 0)) {
      return sendHtml(res, 400, orderStatusPage(session, related(session), "Importo non valido / Invalid amount"));
    }
    const common = { shop: session.shop, paymentId: session.id, test: session.test };
    try {
      if (action === "refunds") await deps.startRefund({ ...common, amount, currency: session.currency });
      else if (action === "captures") await deps.startCapture({ ...common, amount, currency: session.currency });
      else await deps.startVoid(common);
    } catch (error) {
      // Shopify offers capture and void only on a resolved authorization (the simulator throws otherwise).
      return sendHtml(res, 409, orderStatusPage(session, related(session), (error as Error).message));
    }
    res.writeHead(303, { Location: `/shops/${encodeURIComponent(session.shop)}/orders/${encodeURIComponent(session.id)}`, "Cache-Control": "no-store" });
    res.end();
  }

  /** Handles the order page's requests; false when the request is not one of them. */
  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? "GET";
    const page = ORDER_PATH.exec(url.pathname);
    if (page && method === "GET") {
      const session = sessionAt(decodeURIComponent(page[1] ?? ""), page[2] ?? "");
      if (!session) sendHtml(res, 404, notFoundPage());
      else sendHtml(res, 200, orderStatusPage(session, related(session)));
      return true;
    }
    const action = ORDER_ACTION_PATH.exec(url.pathname);
    if (action && method === "POST") {
      const session = sessionAt(decodeURIComponent(action[1] ?? ""), action[2] ?? "");
      if (!session) sendHtml(res, 404, notFoundPage());
      else await act(res, session, action[3] ?? "", new URLSearchParams(await readBody(req)));
      return true;
    }
    return false;
  }

  return { route };
}
