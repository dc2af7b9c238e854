/**
 * The simulator's stand-in for Soisy's shopper webapp (`/{shopId}#/loan-request?token=...`).
 * One static HTML page; it reads the token from the hash and talks to the simulator's internal
 * `/_sim/...` JSON endpoints. Buttons (accessible names): "Completa la richiesta", "Rifiuta",
 * "Abbandona". Every dynamic value is inserted with textContent.
 */

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderWebappPage(shopId: string): string {
  const shop = escapeHtml(shopId);
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Soisy (simulatore) – Richiesta di finanziamento</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a2e; background: #f4f6fb; }
  *, *::before, *::after { box-sizing: border-box; }
  body { margin: 0; }
  main { max-width: 34rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 12px;
         box-shadow: 0 2px 12px rgba(0,0,0,.08); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  .badge { display: inline-block; background: #fff3cd; color: #664d03; padding: .15rem .5rem; border-radius: 4px;
           font-size: .8rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
  dt { font-weight: 600; }
  dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
  select, input { max-width: 100%; }
  /* Phones (360 px): nothing wider than the screen. */
  @media (max-width: 36rem) {
    main { margin: 0.75rem 0.5rem; padding: 1rem; }
    dl { grid-template-columns: 1fr; }
    .actions button { flex: 1 1 100%; }
  }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  select, input { font: inherit; padding: .4rem; margin-top: .25rem; }
  .example { background: #eef2ff; padding: .75rem 1rem; border-radius: 8px; margin-top: 1rem; }
  .actions { display: flex; flex-wrap: wrap; gap: .75rem; margin-top: 1.5rem; }
  button { font: inherit; padding: .6rem 1.1rem; border-radius: 8px; border: 1px solid #3f3d99; cursor: pointer; }
  button.primary { background: #3f3d99; color: #fff; }
  button.secondary { background: #fff; color: #3f3d99; }
  button:focus-visible { outline: 3px solid #f4a261; outline-offset: 2px; }
  button[disabled] { opacity: .55; cursor: not-allowed; }
  [role="alert"]:not(:empty) { color: #842029; background: #f8d7da; padding: .5rem .75rem; border-radius: 6px; }
</style>
</head>
<body>
<main>
  <h1>Paga a rate con Soisy</h1>
  <p><span class="badge">Simulatore sandbox – nessun dato reale</span></p>
  <p id="loading">Caricamento della richiesta…</p>
  <section id="loan" hidden aria-labelledby="loan-title">
    <h2 id="loan-title">La tua richiesta di finanziamento</h2>
    <dl>
      <dt>Negozio</dt><dd id="shop">${shop}</dd>
      <dt>Importo</dt><dd id="amount"></dd>
      <dt>Riferimento ordine</dt><dd id="reference"></dd>
      <dt>Stato</dt><dd id="status"></dd>
    </dl>
    <div id="amount-field" hidden>
      <label for="amount-input">Importo da finanziare (euro)</label>
      <input id="amount-input" type="number" min="1" step="1" inputmode="numeric">
    </div>
    <label for="instalments">Numero di rate</label>
    <select id="instalments"></select>
    <p class="example" id="example" aria-live="polite"></p>
    <div class="actions">
      <button type="button" class="primary" id="complete">Completa la richiesta</button>
      <button type="button" class="secondary" id="reject">Rifiuta</button>
      <button type="button" class="secondary" id="abandon">Abbandona</button>
    </div>
  </section>
  <p id="message" role="status"></p>
  <p id="error" role="alert"></p>
</main>
<script>
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var fmt = new Intl.NumberFormat("it-IT", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" });
  function euro(cents) {
    var s = String(Math.abs(cents)).padStart(3, "0");
    return (cents < 0 ? "-" : "") + "€ " + fmt.format(s.slice(0, -2) + "." + s.slice(-2));
  }
  function pct(x) { return fmt.format(x) + "%"; }
  var STATUS = {
    quote: "in attesa di completamento",
    request_accepted: "pre-approvata, in attesa di completamento",
    waiting_for_verification: "completata, in verifica",
    waiting_for_disbursement: "approvata, in attesa di erogazione",
    waiting_for_trigger: "approvata, in attesa dell'evasione dell'ordine",
    disbursed: "erogata",
    cancelled: "rifiutata o annullata"
  };
  var hash = location.hash || "";
  var q = hash.indexOf("?") >= 0 ? hash.slice(hash.indexOf("?") + 1) : "";
  var token = new URLSearchParams(q).get("token");
  var order = null;
  var buttons = ["complete", "reject", "abandon"].map($);

  function setBusy(busy) { buttons.forEach(function (b) { b.disabled = busy; }); }
  function showError(msg) { $("error").textContent = msg; }

  async function api(method, path, body) {
    var res = await fetch(path, {
      method: method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    });
    var data = await res.json().catch(function () { return {}; });
    if (!res.ok) throw new Error(data.error || ("Errore HTTP " + res.status));
    return data;
  }

  function currentAmount() {
    if (order.amount) return order.amount;
    var v = Number($("amount-input").value);
    return Number.isInteger(v) && v > 0 ? v * 100 : null;
  }

  async function refreshExample() {
    var amount = currentAmount();
    if (!amount) { $("example").textContent = "Inserisci l'importo per vedere la rata."; return; }
    var n = Number($("instalments").value);
    try {
      var qs = await api("GET", "/_sim/orders/" + encodeURIComponent(token) + "/quotes?instalments=" + n + "&amount=" + amount);
      var m = qs.median;
      $("example").textContent = n + " rate da " + euro(m.instalmentAmount) + " – TAN " + pct(m.interestRate) +
        ", TAEG " + pct(m.apr) + " – totale dovuto " + euro(m.totalRepaid);
    } catch (e) { $("example").textContent = ""; showError(e.message); }
  }

  async function act(action) {
    showError("");
    setBusy(true);
    try {
      var body = {};
      if (action === "complete") {
        body.instalments = Number($("instalments").value);
        if (!order.amount) {
          var amount = currentAmount();
          if (!amount) throw new Error("Inserisci un importo valido.");
          body.amount = amount;
        }
      }
      var result = await api("POST", "/_sim/orders/" + encodeURIComponent(token) + "/" + action, body);
      $("message").textContent = result.message || "";
      if (result.redirectUrl) { location.assign(result.redirectUrl); return; }
      await load();
    } catch (e) {
      showError(e.message);
      setBusy(false);
    }
  }

  async function load() {
    if (!token) { $("loading").hidden = true; showError("Token mancante nell'indirizzo."); return; }
    try {
      order = await api("GET", "/_sim/orders/" + encodeURIComponent(token));
    } catch (e) { $("loading").hidden = true; showError("Richiesta non trovata: " + e.message); return; }
    $("loading").hidden = true;
    $("loan").hidden = false;
    $("amount").textContent = order.amount ? euro(order.amount) : "da indicare";
    $("amount-field").hidden = !!order.amount;
    $("reference").textContent = order.orderReference || "–";
    $("status").textContent = STATUS[order.status] || order.status;
    var select = $("instalments");
    select.textContent = "";
    for (var n = 3; n <= order.maxInstalments; n++) {
      var opt = document.createElement("option");
      opt.value = String(n);
      opt.textContent = n + " rate";
      select.appendChild(opt);
    }
    select.value = String(order.instalments || Math.min(12, order.maxInstalments));
    select.disabled = !!order.instalmentsLocked;
    var open = order.status === "quote" || order.status === "request_accepted";
    setBusy(!open);
    await refreshExample();
  }

  // The token lives in the fragment: a new fragment is a new request.
  window.addEventListener("hashchange", function () { location.reload(); });
  $("instalments").addEventListener("change", refreshExample);
  $("amount-input").addEventListener("input", refreshExample);
  $("complete").addEventListener("click", function () { act("complete"); });
  $("reject").addEventListener("click", function () { act("reject"); });
  $("abandon").addEventListener("click", function () { act("abandon"); });
  load();
})();
</script>
</body>
</html>
`;
}

export function renderNotFoundPage(): string {
  return `<!doctype html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Soisy (simulatore) – Negozio non trovato</title></head>
<body><main><h1>Negozio non trovato</h1><p>Questo negozio non esiste nel simulatore.</p></main></body></html>
`;
}
