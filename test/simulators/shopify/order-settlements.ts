/**
 * The order status page's part about an authorized payment (fund on fulfilment, issue 15): what the
 * merchant does in Shopify's admin — "Evadi ordine" (Shopify sends a capture session of the full
 * amount, as on fulfilment), a partial "Incassa" with an amount, "Annulla ordine" (a void session) —
 * and the captures and voids sent so far with their states, shown like refunds.
 */
import { escapeHtml } from "./html-escape";
import type { SimPaymentSession, SimSettlementSession } from "./types";

/** A capture or void that is still in flight or went through: no second one is offered meanwhile. */
function blocks(s: SimSettlementSession): boolean {
  return s.state.code !== "REJECTED" && s.state.code !== "APP_FAILED";
}

function settlementList(kind: "capture" | "void", sessions: SimSettlementSession[]): string {
  if (sessions.length === 0) return "";
  const title = kind === "capture" ? `Incassi <span class="en" lang="en">/ Captures</span>` : `Annullamenti <span class="en" lang="en">/ Voids</span>`;
  const items = sessions
    .map((s) => {
      const what = kind === "capture" ? `${escapeHtml(s.amount)} ${escapeHtml(s.currency)}` : `Annullamento <span lang="en">/ Void</span>`;
      const why =
        s.state.code === "REJECTED"
          ? ` — ${escapeHtml(s.state.reason)}${s.state.merchantMessage ? `: <span data-testid="${kind}-reason">${escapeHtml(s.state.merchantMessage)}</span>` : ""}`
          : "";
      return `<li data-${kind}-state="${escapeHtml(s.state.code)}" data-${kind}-id="${escapeHtml(s.id)}">${what}: ${escapeHtml(s.state.code)}${why}</li>`;
    })
    .join("");
  return `<h2>${title}</h2><ul>${items}</ul>`;
}

function actions(session: SimPaymentSession): string {
  const base = `/shops/${escapeHtml(encodeURIComponent(session.shop))}/orders/${escapeHtml(encodeURIComponent(session.id))}`;
  return `<section class="actions" aria-labelledby="fulfilment-title" data-testid="authorization-actions">
<h2 id="fulfilment-title">Evasione (come il commerciante nell'admin di Shopify) <span class="en" lang="en">/ Fulfilment (as the merchant in Shopify's admin)</span></h2>
<form method="post" action="${base}/captures">
<input type="hidden" name="amount" value="${escapeHtml(session.amount)}">
<button type="submit">Evadi ordine <span lang="en">/ Fulfil order</span></button>
</form>
<form method="post" action="${base}/captures">
<div class="field"><label for="f-capture-amount">Importo da incassare <span class="en" lang="en">/ Amount to capture</span></label>
<input id="f-capture-amount" name="amount" inputmode="decimal" value="${escapeHtml(session.amount)}" required></div>
<button type="submit">Incassa <span lang="en">/ Capture</span></button>
</form>
<form method="post" action="${base}/voids">
<button type="submit" class="secondary">Annulla ordine <span lang="en">/ Cancel order</span></button>
</form>
</section>`;
}

export function settlementSections(session: SimPaymentSession, captures: SimSettlementSession[], voids: SimSettlementSession[]): string {
  if (session.kind !== "authorization") return "";
  const open = session.state.code === "RESOLVED" && ![...captures, ...voids].some(blocks);
  return `${settlementList("capture", captures)}${settlementList("void", voids)}${open ? actions(session) : ""}`;
}
