/** HTML pages the simulated Shopify serves to a shopper (checkout, cancel page, order status). */
import { DEFAULT_ADDRESS, defaultCustomer } from "./fixtures";
import { escapeHtml } from "./html-escape";
import { settlementSections } from "./order-settlements";
import type { SessionAttempt, SimPaymentSession, SimRefundSession, SimSettlementSession, SimShop } from "./types";

export { escapeHtml };

const STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; background: #f4f6f8; color: #1a1a1a; }
  header { background: #1a1a1a; color: #fff; padding: 0.75rem 1.5rem; }
  header p { margin: 0; font-weight: 600; }
  main { max-width: 40rem; margin: 1.5rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 0.75rem;
         box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  h1 { font-size: 1.5rem; margin-top: 0; }
  .en { color: #4a4a4a; font-size: 0.95em; }
  fieldset { border: 1px solid #c9cccf; border-radius: 0.5rem; margin: 0 0 1rem; padding: 0.75rem 1rem; }
  legend { font-weight: 600; padding: 0 0.25rem; }
  .field { display: flex; flex-direction: column; margin-bottom: 0.75rem; }
  .field label { font-weight: 500; margin-bottom: 0.25rem; }
  .row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
  input, select { font: inherit; padding: 0.5rem; border: 1px solid #8c9196; border-radius: 0.375rem; width: 100%; min-width: 0; }
  .check input { width: auto; }
  input:focus, select:focus, button:focus, a:focus { outline: 3px solid #2c6ecb; outline-offset: 2px; }
  .check { flex-direction: row; align-items: center; gap: 0.5rem; }
  button { font: inherit; font-weight: 600; background: #008060; color: #fff; border: 0; border-radius: 0.5rem;
           padding: 0.75rem 1.25rem; cursor: pointer; width: 100%; }
  button.secondary { background: #fff; color: #8e1f0b; border: 1px solid #8e1f0b; }
  .actions form { margin-bottom: 0.75rem; }
  .alert { border-left: 4px solid #d72c0d; background: #fff4f4; padding: 0.75rem 1rem; margin-bottom: 1rem; }
  .ok { border-left: 4px solid #008060; background: #f1f8f5; padding: 0.75rem 1rem; }
  .pending { border-left: 4px solid #b98900; background: #fff5ea; padding: 0.75rem 1rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
  dt { font-weight: 600; }
  dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
  /* Phones (360 px): one column, less chrome, nothing wider than the screen. */
  @media (max-width: 36rem) {
    header { padding: 0.75rem 1rem; }
    main { margin: 0.75rem 0.5rem; padding: 1rem; }
    .row { grid-template-columns: 1fr; }
    dl { grid-template-columns: 1fr; }
    dd { margin-bottom: 0.5rem; }
  }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85em; }
  pre { white-space: pre-wrap; word-break: break-all; background: #f6f6f7; padding: 0.5rem; }
`;

function layout(title: string, body: string, attrs = ""): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><p>Shopify (simulatore / <span lang="en">simulator</span>)</p></header>
<main${attrs}>
${body}
</main>
</body>
</html>`;
}

function field(
  name: string,
  labelIt: string,
  labelEn: string,
  value: string,
  extra: { type?: string; required?: boolean; autocomplete?: string; inputmode?: string } = {},
): string {
  const id = `f-${name}`;
  return `<div class="field">
  <label for="${id}">${escapeHtml(labelIt)} <span class="en" lang="en">/ ${escapeHtml(labelEn)}</span></label>
  <input id="${id}" name="${name}" type="${extra.type ?? "text"}" value="${escapeHtml(value)}"${
    extra.required ? " required" : ""
  }${extra.autocomplete ? ` autocomplete="${extra.autocomplete}"` : ""}${
    extra.inputmode ? ` inputmode="${extra.inputmode}"` : ""
  }>
</div>`;
}

export interface CheckoutFormValues {
  shop: string;
  amount: string;
  currency: string;
  test: boolean;
  email: string;
  phone_number: string;
  given_name: string;
  family_name: string;
  line1: string;
  line2: string;
  city: string;
  postal_code: string;
  province: string;
  province_code: string;
  country_code: string;
  /** Shopify's session `kind`: "sale", or "authorization" (the merchant captures on fulfilment). */
  kind: "sale" | "authorization";
  /** What Shopify answers on the confirmation callback: "available", or "gone" (sold to someone else meanwhile). */
  inventory: "available" | "gone";
}

export function defaultCheckoutValues(shop: string): CheckoutFormValues {
  const customer = defaultCustomer();
  return {
    shop,
    amount: "450.00",
    currency: "EUR",
    test: true,
    email: customer.email,
    phone_number: customer.phone_number,
    given_name: DEFAULT_ADDRESS.given_name ?? "",
    family_name: DEFAULT_ADDRESS.family_name ?? "",
    line1: DEFAULT_ADDRESS.line1 ?? "",
    line2: DEFAULT_ADDRESS.line2 ?? "",
    city: DEFAULT_ADDRESS.city ?? "",
    postal_code: DEFAULT_ADDRESS.postal_code ?? "",
    province: DEFAULT_ADDRESS.province ?? "",
    province_code: DEFAULT_ADDRESS.province_code ?? "",
    country_code: DEFAULT_ADDRESS.country_code ?? "",
    kind: "sale",
    inventory: "available",
  };
}

function options(values: Array<[string, string, string]>, selected: string): string {
  return values
    .map(([value, it, en]) => `<option value="${value}"${value === selected ? " selected" : ""}>${escapeHtml(it)} / ${escapeHtml(en)}</option>`)
    .join("");
}

const CURRENCIES = ["EUR", "USD", "GBP", "CHF"];

export function checkoutPage(input: { shops: SimShop[]; values: CheckoutFormValues; error?: string }): string {
  const v = input.values;
  const shopOptions = input.shops
    .map(
      (s) =>
        `<option value="${escapeHtml(s.domain)}"${s.domain === v.shop ? " selected" : ""}>${escapeHtml(s.domain)}</option>`,
    )
    .join("");
  const currencyOptions = CURRENCIES.map(
    (c) => `<option value="${c}"${c === v.currency ? " selected" : ""}>${c}</option>`,
  ).join("");
  const error = input.error
    ? `<div class="alert" role="alert"><p>${escapeHtml(input.error)}</p></div>`
    : "";
  return layout(
    "Checkout – Pagamento",
    `<h1>Pagamento <span class="en" lang="en">/ Payment</span></h1>
${error}
<form method="post" action="/checkout" aria-describedby="checkout-help">
<p id="checkout-help">Scegli il negozio e l'importo, controlla i dati del cliente e paga a rate con Soisy.
<span class="en" lang="en">Pick the shop and amount, check the customer's details and pay in instalments with Soisy.</span></p>
<fieldset>
  <legend>Ordine <span class="en" lang="en">/ Order</span></legend>
  <div class="field">
    <label for="f-shop">Negozio <span class="en" lang="en">/ Shop</span></label>
    <select id="f-shop" name="shop" required>${shopOptions}</select>
  </div>
  <div class="row">
    ${field("amount", "Importo", "Amount", v.amount, { required: true, inputmode: "decimal" })}
    <div class="field">
      <label for="f-currency">Valuta <span class="en" lang="en">/ Currency</span></label>
      <select id="f-currency" name="currency">${currencyOptions}</select>
    </div>
  </div>
  <div class="field check">
    <input id="f-test" name="test" type="checkbox" value="true"${v.test ? " checked" : ""}>
    <label for="f-test">Modalità test <span class="en" lang="en">/ Test mode</span></label>
  </div>
  <div class="field">
    <label for="f-kind">Tipo di pagamento <span class="en" lang="en">/ Payment type</span></label>
    <select id="f-kind" name="kind" aria-describedby="f-kind-help">${options(
      [
        ["sale", "Vendita", "Sale"],
        ["authorization", "Autorizzazione", "Authorization"],
      ],
      v.kind,
    )}</select>
    <small id="f-kind-help">Autorizzazione: l'ordine viene incassato quando il commerciante lo evade.
    <span class="en" lang="en">Authorization: the order is captured when the merchant fulfils it.</span></small>
  </div>
  <div class="field">
    <label for="f-inventory">Magazzino alla conferma <span class="en" lang="en">/ Stock at confirmation</span></label>
    <select id="f-inventory" name="inventory">${options(
      [
        ["available", "Articoli disponibili", "Items in stock"],
        ["gone", "Esauriti nel frattempo", "Sold out meanwhile"],
      ],
      v.inventory,
    )}</select>
  </div>
</fieldset>
<fieldset>
  <legend>Cliente <span class="en" lang="en">/ Customer</span></legend>
  <div class="row">
    ${field("given_name", "Nome", "First name", v.given_name, { autocomplete: "given-name" })}
    ${field("family_name", "Cognome", "Last name", v.family_name, { autocomplete: "family-name" })}
  </div>
  ${field("email", "Email", "Email", v.email, { type: "email", autocomplete: "email" })}
  ${field("phone_number", "Telefono", "Phone", v.phone_number, { type: "tel", autocomplete: "tel" })}
</fieldset>
<fieldset>
  <legend>Indirizzo di fatturazione e spedizione <span class="en" lang="en">/ Billing and shipping address</span></legend>
  ${field("line1", "Indirizzo", "Address", v.line1, { autocomplete: "address-line1" })}
  ${field("line2", "Interno, scala (facoltativo)", "Apartment, suite (optional)", v.line2, { autocomplete: "address-line2" })}
  <div class="row">
    ${field("city", "Città", "City", v.city, { autocomplete: "address-level2" })}
    ${field("postal_code", "CAP", "Postal code", v.postal_code, { autocomplete: "postal-code" })}
  </div>
  <div class="row">
    ${field("province", "Provincia", "Province", v.province, { autocomplete: "address-level1" })}
    ${field("province_code", "Sigla provincia", "Province code", v.province_code)}
  </div>
  ${field("country_code", "Paese (codice ISO)", "Country (ISO code)", v.country_code, { autocomplete: "country" })}
</fieldset>
<button type="submit">Paga a rate con Soisy <span lang="en">/ Pay in instalments with Soisy</span></button>
</form>`,
  );
}

export function appFailedPage(input: {
  sessionId: string;
  error: string | undefined;
  attempts: SessionAttempt[];
}): string {
  const rows = input.attempts
    .map(
      (a) =>
        `<li>Tentativo <span lang="en">/ attempt</span> ${a.n}: ${
          a.status === null ? "nessuna risposta / no response" : `HTTP ${a.status}`
        }${a.error ? ` — ${escapeHtml(a.error)}` : ""}${
          a.responseBody ? `<pre>${escapeHtml(a.responseBody.slice(0, 500))}</pre>` : ""
        }</li>`,
    )
    .join("");
  return layout(
    "Errore del pagamento",
    `<h1>Impossibile avviare il pagamento <span class="en" lang="en">/ The payment could not be started</span></h1>
<div class="alert" role="alert">
<p>L'app di pagamento non ha risposto correttamente dopo ${input.attempts.length} tentativi.
<span lang="en">The payments app failed after ${input.attempts.length} attempts.</span></p>
<p>${escapeHtml(input.error ?? "")}</p>
</div>
<p>Sessione <span lang="en">/ session</span>: <code>${escapeHtml(input.sessionId)}</code></p>
<ol>${rows}</ol>
<p><a href="/checkout">Torna al checkout <span lang="en">/ Back to checkout</span></a></p>`,
  );
}

export function cancelledPage(session: SimPaymentSession | undefined): string {
  const rejected = session?.state.code === "REJECTED";
  const state = session?.state.code === "REJECTED" ? session.state : null;
  // What the app told Shopify (merchantMessage, the app's words): Shopify's checkout shows it with the decline.
  const why = state?.merchantMessage
    ? `<p data-testid="reject-reason">Motivo indicato dall'app di pagamento <span lang="en">/ Reason given by the payments app</span>: ${escapeHtml(state.merchantMessage)}</p>`
    : "";
  const note = rejected
    ? `<div class="alert" role="status"><p>Il pagamento è stato rifiutato. <span lang="en">The payment was declined.</span></p>${why}</div>`
    : "";
  return layout(
    "Scegli un altro metodo di pagamento",
    `<h1>Scegli un altro metodo di pagamento <span class="en" lang="en">/ Choose another payment method</span></h1>
${note}
<p>Il tuo ordine non è stato completato: puoi pagare in un altro modo.
<span class="en" lang="en">Your order was not completed: you can pay another way.</span></p>
${session ? `<p>Sessione <span lang="en">/ session</span>: <code>${escapeHtml(session.id)}</code></p>` : ""}
<p><a href="/checkout">Torna al checkout <span lang="en">/ Back to checkout</span></a></p>`,
    ` data-state="${escapeHtml(session?.state.code ?? "UNKNOWN")}" data-page="cancelled"`,
  );
}

const STATE_TEXT: Record<string, { it: string; en: string; cls: string; detailIt: string; detailEn: string }> = {
  RESOLVED: {
    it: "Ordine confermato",
    en: "Order confirmed",
    cls: "ok",
    detailIt: "Grazie! Il pagamento a rate è stato approvato.",
    detailEn: "Thank you! The instalment payment was approved.",
  },
  PENDING: {
    it: "Pagamento in attesa di conferma",
    en: "Payment pending confirmation",
    cls: "pending",
    detailIt: "Il tuo ordine è stato ricevuto; il pagamento è in attesa di conferma da parte di Soisy.",
    detailEn: "Your order was received; the payment is awaiting confirmation from Soisy.",
  },
  REJECTED: {
    it: "Pagamento rifiutato",
    en: "Payment declined",
    cls: "alert",
    detailIt: "Il pagamento non è andato a buon fine.",
    detailEn: "The payment did not go through.",
  },
};

/** What Shopify knows about an order besides its payment session: refunds, captures and voids. */
export interface OrderRelated {
  refunds?: SimRefundSession[];
  captures?: SimSettlementSession[];
  voids?: SimSettlementSession[];
}

/**
 * A sale, or an authorization once captured, can be refunded (Shopify refunds only money it received);
 * an open authorization is fulfilled (captured) or cancelled (voided) instead (order-settlements.ts).
 */
function refundable(session: SimPaymentSession, captures: SimSettlementSession[]): boolean {
  if (session.state.code !== "RESOLVED") return false;
  return session.kind !== "authorization" || captures.some((c) => c.state.code === "RESOLVED");
}

export function orderStatusPage(session: SimPaymentSession, related: OrderRelated = {}, error?: string): string {
  const { refunds = [], captures = [], voids = [] } = related;
  const code = session.state.code;
  const text = STATE_TEXT[code] ?? {
    it: "Pagamento in corso",
    en: "Payment in progress",
    cls: "pending",
    detailIt: "Il pagamento non è ancora concluso.",
    detailEn: "The payment is not finished yet.",
  };
  return layout(
    `${text.it} – Stato dell'ordine`,
    `<h1>${escapeHtml(text.it)} <span class="en" lang="en">/ ${escapeHtml(text.en)}</span></h1>
<div class="${text.cls}" role="status"><p>${escapeHtml(text.detailIt)} <span lang="en">${escapeHtml(text.detailEn)}</span></p></div>
<dl>
  <dt>Negozio <span lang="en">/ Shop</span></dt><dd>${escapeHtml(session.shop)}</dd>
  <dt>Importo <span lang="en">/ Amount</span></dt><dd>${escapeHtml(session.amount)} ${escapeHtml(session.currency)}</dd>
  <dt>Sessione <span lang="en">/ Session</span></dt><dd><code>${escapeHtml(session.id)}</code></dd>
  <dt>Stato <span lang="en">/ State</span></dt><dd data-testid="state">${escapeHtml(code)}</dd>
  ${
    session.kind === "authorization"
      ? `<dt>Tipo <span lang="en">/ Type</span></dt><dd data-testid="kind">Autorizzazione, incasso all'evasione <span lang="en">/ Authorization, captured on fulfilment</span></dd>`
      : ""
  }
  ${
    session.authorizationExpiresAt
      ? `<dt>Da incassare entro <span lang="en">/ Capture before</span></dt><dd data-testid="authorization-expires-at"><time datetime="${escapeHtml(session.authorizationExpiresAt)}">${escapeHtml(session.authorizationExpiresAt)}</time></dd>`
      : ""
  }
  ${session.test ? `<dt>Test</dt><dd>sì <span lang="en">/ yes</span></dd>` : ""}
</dl>
${error ? `<div class="alert" role="alert"><p>${escapeHtml(error)}</p></div>` : ""}
${
  refunds.length
    ? `<h2>Rimborsi <span class="en" lang="en">/ Refunds</span></h2><ul>${refunds
        .map((r) => `<li data-refund-state="${escapeHtml(r.state.code)}">${escapeHtml(r.amount)} ${escapeHtml(r.currency)}: ${escapeHtml(r.state.code)}</li>`)
        .join("")}</ul>`
    : ""
}
${settlementSections(session, captures, voids)}
${
  refundable(session, captures)
    ? `<form method="post" action="/shops/${escapeHtml(encodeURIComponent(session.shop))}/orders/${escapeHtml(encodeURIComponent(session.id))}/refunds">
<h2>Rimborsa (come il commerciante nell'admin di Shopify) <span class="en" lang="en">/ Refund (as the merchant in Shopify's admin)</span></h2>
<div class="field"><label for="f-refund-amount">Importo da rimborsare <span class="en" lang="en">/ Amount to refund</span></label>
<input id="f-refund-amount" name="amount" inputmode="decimal" value="${escapeHtml(captures.find((c) => c.state.code === "RESOLVED")?.amount ?? session.amount)}" required></div>
<button type="submit">Rimborsa <span lang="en">/ Refund</span></button>
</form>`
    : ""
}`,
    ` data-state="${escapeHtml(code)}" data-page="order-status"`,
  );
}

export function notFoundPage(): string {
  return layout(
    "Pagina non trovata",
    `<h1>Pagina non trovata <span class="en" lang="en">/ Page not found</span></h1>
<p><a href="/checkout">Checkout</a></p>`,
  );
}

/** The merchant's consent to install the app (Shopify's "Install app" page). */
export function consentPage(input: { shop: string; scopes: string[]; action: string; params: URLSearchParams }): string {
  const hidden = ["client_id", "scope", "redirect_uri", "state", "grant_options[]"]
    .filter((k) => input.params.has(k))
    .map((k) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(input.params.get(k))}">`)
    .join("\n");
  const scopes = input.scopes.length
    ? `<ul>${input.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join("")}</ul>`
    : `<p>Nessun permesso richiesto <span class="en" lang="en">/ No access scopes requested</span></p>`;
  return layout(
    "Installa l'app",
    `<h1>Installa l'app <span class="en" lang="en">/ Install app</span></h1>
<p>Negozio <span lang="en">/ Shop</span>: <strong data-testid="shop">${escapeHtml(input.shop)}</strong></p>
<h2>L'app chiede di accedere a <span class="en" lang="en">/ The app asks for access to</span></h2>
${scopes}
<form method="post" action="${escapeHtml(input.action)}">
${hidden}
<button type="submit">Installa l'app <span lang="en">/ Install app</span></button>
</form>`,
    ` data-page="oauth-consent"`,
  );
}

export function oauthErrorPage(message: string): string {
  return layout(
    "Installazione non riuscita",
    `<h1>Installazione non riuscita <span class="en" lang="en">/ Installation failed</span></h1>
<div class="alert" role="alert">${escapeHtml(message)}</div>`,
    ` data-page="oauth-error"`,
  );
}
