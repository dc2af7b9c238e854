/**
 * The simulated Online Store: a tiny theme whose product and cart pages render the REAL app blocks of
 * `extensions/soisy-widget` with liquidjs (the filters and tags the blocks use), an in-memory cart
 * (`/cart.js`, `/cart/add.js`, `/cart/change.js`, `/cart/update.js`, `/cart/clear.js`), the extension's
 * assets, and Shopify's **app proxy**: `/shops/{shop}/apps/soisy/*` → `${appUrl}/proxy/*` with the proxy
 * parameters and `signature`. See README.md ("Storefront and app proxy").
 */
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { Liquid, Tag, type Context, type Emitter, type TagToken, type TopLevelToken, type Liquid as LiquidEngine } from "liquidjs";
import { escapeHtml } from "./pages";
import { readBody, sendHtml, sendJson } from "./http";

export const WIDGET_EXTENSION_DIR = path.resolve(import.meta.dirname, "../../../extensions/soisy-widget");
export const APP_PROXY_PREFIX = "/apps/soisy";

export interface SimVariant {
  id: number;
  title: string;
  /** Cents. */
  price: number;
}
export interface SimProduct {
  handle: string;
  title: string;
  description: string;
  variants: SimVariant[];
}
export interface SimCartLine {
  variantId: number;
  quantity: number;
}
/** Every request forwarded through the app proxy (what the app received and answered). */
export interface ProxyRequestRecord {
  at: string;
  shop: string;
  method: string;
  /** The app URL the request went to, signature included. */
  url: string;
  status: number | null;
  error?: string;
  durationMs: number;
}
/** The app-data metafield `app.metafields.soisy.widget` the blocks read (optional). */
export interface WidgetMetafield {
  ready?: boolean;
  minCents?: number;
  maxCents?: number;
}

export const DEFAULT_PRODUCTS: SimProduct[] = [
  {
    handle: "divano-letto",
    title: "Divano letto Milano",
    description: "Divano letto a tre posti, tessuto sfoderabile. / Three-seater sofa bed, removable cover.",
    variants: [
      { id: 41001, title: "Tessuto grigio", price: 123_456 },
      { id: 41002, title: "Pelle nera", price: 249_900 },
      { id: 41003, title: "Cuscino coordinato", price: 4_990 },
    ],
  },
  {
    handle: "bici-elettrica",
    title: "Bici elettrica Dolomiti",
    description: "E-bike da trekking, batteria 625 Wh. / Trekking e-bike, 625 Wh battery.",
    variants: [{ id: 42001, title: "Taglia unica", price: 189_000 }],
  },
  {
    handle: "lampada",
    title: "Lampada da tavolo",
    description: "Lampada in ottone. / Brass table lamp.",
    variants: [{ id: 43001, title: "Ottone", price: 5_990 }],
  },
];

export interface StorefrontDeps {
  appUrl(): string;
  /** The app's client secret (the simulator's oauth.clientSecret): the app proxy's signing key. */
  appSecret(): string | undefined;
  hasShop(domain: string): boolean;
  now(): Date;
  log(line: string): void;
  /** The app-data metafield `soisy.widget` the app wrote on its installation (Admin API), JSON text. */
  appMetafieldValue?(shop: string): string | undefined;
  /** Extension folder (default: the repo's extensions/soisy-widget). */
  extensionDir?: string;
}

/**
 * Shopify's app proxy signature: the query parameters (without `signature`) as `key=value` strings,
 * values of a repeated key joined with ",", sorted, concatenated without separator, HMAC-SHA256 hex.
 */
export function appProxySignature(secret: string, params: URLSearchParams): string {
  const values = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  const message = [...values.entries()]
    .map(([key, list]) => `${key}=${list.join(",")}`)
    .sort()
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

const ASSET_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** `{% schema %}…{% endschema %}`: Shopify reads it; it renders nothing. */
class SchemaTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: LiquidEngine) {
    super(token, remain, liquid);
    while (remain.length) {
      const next = remain.shift()!;
      if ((next as TagToken).name === "endschema") return;
    }
    throw new Error("tag {% schema %} not closed");
  }
  *render(_ctx: Context, _emitter: Emitter): Generator<unknown, void, unknown> {}
}

interface BlockFile {
  source: string;
  schema: { javascript?: string; stylesheet?: string; settings?: Array<{ id: string; default?: unknown }> };
}

/** 123456 → "1234.56" (what the checkout's amount field takes). */
function decimal(cents: number): string {
  const c = Math.abs(Math.round(cents));
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}`;
}

function money(cents: number, locale: string): string {
  const c = Math.abs(Math.round(cents));
  const units = String(Math.floor(c / 100));
  const dec = String(c % 100).padStart(2, "0");
  return locale === "it"
    ? `€ ${units.replace(/\B(?=(\d{3})+(?!\d))/g, ".")},${dec}`
    : `€${units.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${dec}`;
}

export function createStorefront(deps: StorefrontDeps) {
  const extDir = deps.extensionDir ?? WIDGET_EXTENSION_DIR;
  const products = new Map<string, SimProduct>(DEFAULT_PRODUCTS.map((p) => [p.handle, structuredClone(p)]));
  const carts = new Map<string, SimCartLine[]>();
  const metafields = new Map<string, WidgetMetafield>();
  /** The shopper's (presentment) currency per shop; EUR unless set. */
  const currencies = new Map<string, string>();
  /** The merchant's theme-editor values per `${shop} ${block}`, over the schema's defaults. */
  const blockSettings = new Map<string, Record<string, unknown>>();
  const proxyRequests: ProxyRequestRecord[] = [];
  let proxyFault: { status: number } | null = null;

  const locales = new Map<string, Record<string, unknown>>();
  function localeFile(lang: string): Record<string, unknown> {
    const file = lang === "it" ? "it.json" : "en.default.json";
    if (!locales.has(file)) locales.set(file, JSON.parse(readFileSync(path.join(extDir, "locales", file), "utf8")) as Record<string, unknown>);
    return locales.get(file)!;
  }
  function translate(lang: string, key: string, vars: Record<string, unknown>): string {
    const lookup = (tree: Record<string, unknown>) =>
      key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), tree);
    const value = lookup(localeFile(lang)) ?? lookup(localeFile("en"));
    if (typeof value !== "string") return `translation missing: ${lang}.${key}`;
    return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  }

  /** What the app wrote with metafieldsSet (only the fields the blocks read; unparsable → none). */
  function installationMetafield(shop: string): WidgetMetafield | undefined {
    const raw = deps.appMetafieldValue?.(shop);
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as Record<string, unknown>;
      const out: WidgetMetafield = {};
      if (typeof v.ready === "boolean") out.ready = v.ready;
      if (typeof v.minCents === "number") out.minCents = v.minCents;
      if (typeof v.maxCents === "number") out.maxCents = v.maxCents;
      return out;
    } catch {
      return undefined;
    }
  }

  function variantOf(id: number): { product: SimProduct; variant: SimVariant } | undefined {
    for (const product of products.values()) {
      const variant = product.variants.find((v) => v.id === id);
      if (variant) return { product, variant };
    }
    return undefined;
  }

  function liquidFor(shop: string, lang: string, globals: Record<string, unknown>): Liquid {
    const engine = new Liquid({
      globals,
      root: [path.join(extDir, "snippets")],
      extname: ".liquid",
      strictFilters: true,
      cache: false,
    });
    engine.registerTag("schema", SchemaTag);
    engine.registerFilter("t", (key: string, ...args: unknown[]) => {
      const vars: Record<string, unknown> = {};
      for (const arg of args) if (Array.isArray(arg) && arg.length === 2) vars[String(arg[0])] = arg[1];
      return translate(lang, key, vars);
    });
    engine.registerFilter("json", (value: unknown) => JSON.stringify(value ?? null));
    engine.registerFilter("money", (cents: number) => money(Number(cents), lang));
    engine.registerFilter("asset_url", (file: string) => `/shops/${encodeURIComponent(shop)}/cdn/soisy-widget/${encodeURIComponent(file)}`);
    engine.registerFilter("stylesheet_tag", (url: string) => `<link href="${escapeHtml(url)}" rel="stylesheet" type="text/css" media="all">`);
    return engine;
  }

  function block(name: string): BlockFile {
    const source = readFileSync(path.join(extDir, "blocks", `${name}.liquid`), "utf8");
    const json = /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(source)?.[1] ?? "{}";
    return { source, schema: JSON.parse(json) as BlockFile["schema"] };
  }

  function cartJson(shop: string) {
    const lines = carts.get(shop) ?? [];
    const items = lines.flatMap((line) => {
      const found = variantOf(line.variantId);
      if (!found) return [];
      const linePrice = found.variant.price * line.quantity;
      return [
        {
          id: found.variant.id,
          key: `${found.variant.id}:sim`,
          variant_id: found.variant.id,
          handle: found.product.handle,
          product_title: found.product.title,
          variant_title: found.variant.title,
          title: `${found.product.title} - ${found.variant.title}`,
          quantity: line.quantity,
          price: found.variant.price,
          line_price: linePrice,
          final_line_price: linePrice,
        },
      ];
    });
    return {
      token: `sim-${shop}`,
      currency: "EUR",
      item_count: items.reduce((n, i) => n + i.quantity, 0),
      total_price: items.reduce((n, i) => n + i.line_price, 0),
      items,
    };
  }

  function setQuantity(shop: string, variantId: number, quantity: number, add: boolean) {
    const lines = carts.get(shop) ?? [];
    const line = lines.find((l) => l.variantId === variantId);
    if (line) line.quantity = add ? line.quantity + quantity : quantity;
    else if (quantity > 0) lines.push({ variantId, quantity });
    carts.set(
      shop,
      lines.filter((l) => l.quantity > 0),
    );
  }

  async function blockHtml(shop: string, lang: string, name: string, scope: Record<string, unknown>) {
    const file = block(name);
    const settings = { ...Object.fromEntries((file.schema.settings ?? []).map((s) => [s.id, s.default])), ...blockSettings.get(`${shop} ${name}`) };
    const root = `/shops/${encodeURIComponent(shop)}`;
    const metafield = metafields.get(shop) ?? installationMetafield(shop);
    // Shopify's global objects are visible in snippets too (liquidjs: engine globals).
    const engine = liquidFor(shop, lang, {
      request: { locale: { iso_code: lang } },
      routes: { root_url: root, cart_url: `${root}/cart` },
      cart: { ...cartJson(shop), currency: { iso_code: currencies.get(shop) ?? "EUR" } },
      app: { metafields: { soisy: { widget: metafield ? { value: metafield } : null } } },
    });
    const html = await engine.parseAndRender(file.source, { ...scope, block: { id: `${name}-1`, settings, shopify_attributes: "" } });
    // What Shopify does with the schema's "javascript" / "stylesheet": one tag each in the page.
    const assetUrl = (f: string) => `${root}/cdn/soisy-widget/${encodeURIComponent(f)}`;
    const head = [
      file.schema.stylesheet ? `<link rel="stylesheet" href="${assetUrl(file.schema.stylesheet)}">` : "",
      file.schema.javascript ? `<script src="${assetUrl(file.schema.javascript)}" defer></script>` : "",
    ].join("\n");
    return { html, head };
  }

  function page(input: { shop: string; lang: string; title: string; head: string; body: string; script: string; path: string }): string {
    const { shop, lang } = input;
    const root = `/shops/${encodeURIComponent(shop)}`;
    const other = lang === "it" ? "en" : "it";
    return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)} — ${escapeHtml(shop)}</title>
<style>
  *, *::before, *::after { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; }
  header { display: flex; justify-content: space-between; align-items: center; padding: 0.75rem 1.5rem; background: #1a1a1a; color: #fff; }
  header a { color: #fff; }
  header { flex-wrap: wrap; gap: 0.5rem 1rem; overflow-wrap: anywhere; }
  nav { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; }
  input[type="number"] { width: 5rem; }
  td[data-line] { white-space: nowrap; }
  select { max-width: 100%; }
  @media (max-width: 36rem) {
    header { padding: 0.75rem 1rem; }
    main { padding: 0 1rem; }
    th, td { padding: 0.5rem 0.25rem; }
  }
  main { max-width: 44rem; margin: 1.5rem auto; padding: 0 1.5rem; }
  .price { font-size: 1.5rem; font-weight: 700; margin: 0.5rem 0; }
  label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
  select, input { font: inherit; padding: 0.5rem; border: 1px solid #6d7175; border-radius: 4px; }
  button.primary { font: inherit; font-weight: 600; margin-top: 0.75rem; padding: 0.75rem 1.25rem; border: 0; border-radius: 4px; background: #008060; color: #fff; cursor: pointer; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid #e1e3e5; }
  .total { font-size: 1.25rem; font-weight: 700; }
  .below { color: #4a4a4a; }
  a:focus, button:focus, select:focus, input:focus { outline: 3px solid #2c6ecb; outline-offset: 2px; }
</style>
${input.head}
</head>
<body>
<header><a href="${root}/products?locale=${lang}">${escapeHtml(shop)}</a>
<nav aria-label="${lang === "it" ? "Negozio" : "Shop"}"><a href="${root}/cart?locale=${lang}">${lang === "it" ? "Carrello" : "Cart"}</a><a href="${escapeHtml(input.path)}?locale=${other}" lang="${other}">${other === "it" ? "Italiano" : "English"}</a></nav></header>
<main>
${input.body}
</main>
<script>${input.script}</script>
</body>
</html>`;
  }

  async function productPage(shop: string, product: SimProduct, lang: string, variantParam: string | null): Promise<string> {
    const root = `/shops/${encodeURIComponent(shop)}`;
    const selected = product.variants.find((v) => String(v.id) === variantParam) ?? product.variants[0]!;
    const widget = await blockHtml(shop, lang, "product-instalments", {
      product: {
        title: product.title,
        handle: product.handle,
        selected_or_first_available_variant: selected,
        variants: product.variants,
      },
    });
    const it = lang === "it";
    const options = product.variants
      .map((v) => `<option value="${v.id}" data-price="${escapeHtml(money(v.price, lang))}"${v.id === selected.id ? " selected" : ""}>${escapeHtml(v.title)} — ${escapeHtml(money(v.price, lang))}</option>`)
      .join("");
    const body = `<h1>${escapeHtml(product.title)}</h1>
<p class="price" id="price">${escapeHtml(money(selected.price, lang))}</p>
<form method="post" action="${root}/cart/add" id="product-form">
  <label for="variant">${it ? "Variante" : "Variant"}</label>
  <select name="id" id="variant">${options}</select>
  <label for="qty">${it ? "Quantità" : "Quantity"}</label>
  <input type="number" name="quantity" id="qty" value="1" min="1">
  <div><button type="submit" class="primary">${it ? "Aggiungi al carrello" : "Add to cart"}</button></div>
  <p id="added" role="status"></p>
</form>
${widget.html}
<h2>${it ? "Descrizione" : "Description"}</h2>
<p class="below" id="below">${escapeHtml(product.description)}</p>`;
    const script = `
(function () {
  var form = document.getElementById("product-form"), select = document.getElementById("variant");
  select.addEventListener("change", function () {
    document.getElementById("price").textContent = select.selectedOptions[0].getAttribute("data-price");
    history.replaceState(null, "", "?variant=" + select.value + "&locale=${lang}");
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("${root}/cart/add.js", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: Number(select.value), quantity: Number(document.getElementById("qty").value) }) })
      .then(function (r) { return r.json(); })
      .then(function () { document.getElementById("added").textContent = ${JSON.stringify(it ? "Aggiunto al carrello" : "Added to cart")}; });
  });
})();`;
    return page({ shop, lang, title: product.title, head: widget.head, body, script, path: `${root}/products/${product.handle}` });
  }

  async function cartPage(shop: string, lang: string): Promise<string> {
    const root = `/shops/${encodeURIComponent(shop)}`;
    const cart = cartJson(shop);
    const widget = await blockHtml(shop, lang, "cart-instalments", { cart: { ...cart, currency: { iso_code: currencies.get(shop) ?? "EUR" } } });
    const it = lang === "it";
    const rows = cart.items
      .map(
        (i) => `<tr><td>${escapeHtml(i.title)}</td><td><label class="sr" for="q-${i.id}" style="position:absolute;left:-9999px">${it ? "Quantità" : "Quantity"} ${escapeHtml(i.title)}</label>
<input type="number" min="0" id="q-${i.id}" name="updates[]" value="${i.quantity}" data-key="${escapeHtml(i.key)}"></td><td data-line="${escapeHtml(i.key)}">${escapeHtml(money(i.line_price, lang))}</td></tr>`,
      )
      .join("");
    const body = `<h1>${it ? "Carrello" : "Cart"}</h1>
${
  cart.items.length
    ? `<table><thead><tr><th scope="col">${it ? "Prodotto" : "Product"}</th><th scope="col">${it ? "Quantità" : "Quantity"}</th><th scope="col">${it ? "Totale" : "Total"}</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p>${it ? "Il carrello è vuoto." : "Your cart is empty."}</p>`
}
<p class="total">${it ? "Totale" : "Total"}: <span id="cart-total">${escapeHtml(money(cart.total_price, lang))}</span></p>
${widget.html}
<p class="below" id="below">${it ? "Spedizione calcolata al checkout." : "Shipping calculated at checkout."}</p>
<form method="get" action="/checkout" id="checkout-form">
  <input type="hidden" name="shop" value="${escapeHtml(shop)}">
  <input type="hidden" name="amount" id="checkout-amount" value="${decimal(cart.total_price)}">
  <input type="hidden" name="currency" value="${escapeHtml(currencies.get(shop) ?? "EUR")}">
  <button type="submit" class="primary" id="checkout"${cart.items.length ? "" : " disabled"}>${it ? "Vai al checkout" : "Check out"}</button>
</form>`;
    const script = `
(function () {
  var fmt = ${money.toString()};
  var dec = ${decimal.toString()};
  document.querySelectorAll("input[data-key]").forEach(function (input) {
    input.addEventListener("change", function () {
      fetch("${root}/cart/change.js", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id: input.getAttribute("data-key"), quantity: Number(input.value) }) })
        .then(function (r) { return r.json(); })
        .then(function (cart) {
          document.getElementById("cart-total").textContent = fmt(cart.total_price, "${lang}");
          document.getElementById("checkout-amount").value = dec(cart.total_price);
          document.getElementById("checkout").disabled = cart.items.length === 0;
          cart.items.forEach(function (i) {
            var cell = document.querySelector('[data-line="' + i.key + '"]');
            if (cell) cell.textContent = fmt(i.line_price, "${lang}");
          });
        });
    });
  });
})();`;
    return page({ shop, lang, title: it ? "Carrello" : "Cart", head: widget.head, body, script, path: `${root}/cart` });
  }

  function productsPage(shop: string, lang: string): string {
    const root = `/shops/${encodeURIComponent(shop)}`;
    const items = [...products.values()]
      .map((p) => `<li><a href="${root}/products/${p.handle}?locale=${lang}">${escapeHtml(p.title)}</a> — ${escapeHtml(money(p.variants[0]!.price, lang))}</li>`)
      .join("");
    return page({ shop, lang, title: lang === "it" ? "Prodotti" : "Products", head: "", body: `<h1>${lang === "it" ? "Prodotti" : "Products"}</h1><ul>${items}</ul>`, script: "", path: `${root}/products` });
  }

  async function cartBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const raw = await readBody(req);
    const type = req.headers["content-type"] ?? "";
    if (type.includes("application/json")) {
      try {
        const json = JSON.parse(raw) as unknown;
        return json && typeof json === "object" ? (json as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    }
    return Object.fromEntries(new URLSearchParams(raw));
  }

  function variantIdFrom(value: unknown): number | null {
    const id = Number(String(value ?? "").split(":")[0]);
    return Number.isInteger(id) && variantOf(id) ? id : null;
  }
  function quantityFrom(value: unknown, fallback: number): number | null {
    if (value === undefined || value === null || value === "") return fallback;
    const q = Number(value);
    return Number.isInteger(q) && q >= 0 && q <= 999 ? q : null;
  }

  async function proxy(req: IncomingMessage, res: ServerResponse, shop: string, rest: string, url: URL) {
    const secret = deps.appSecret();
    if (!secret) return sendJson(res, 500, { error: "the simulator has no app secret (oauth.clientSecret): cannot sign app proxy requests" });
    const started = performance.now();
    const params = new URLSearchParams(url.search);
    for (const key of ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]) params.delete(key);
    params.set("shop", shop);
    params.set("logged_in_customer_id", "");
    params.set("path_prefix", APP_PROXY_PREFIX);
    params.set("timestamp", String(Math.floor(deps.now().getTime() / 1000)));
    params.set("signature", appProxySignature(secret, params));
    const target = `${deps.appUrl()}/proxy${rest}?${params.toString()}`;
    const record: ProxyRequestRecord = { at: deps.now().toISOString(), shop, method: req.method ?? "GET", url: target, status: null, durationMs: 0 };
    proxyRequests.push(record);
    if (proxyFault) {
      record.status = proxyFault.status;
      return sendHtml(res, proxyFault.status, "<!doctype html><title>Error</title><p>App proxy error</p>");
    }
    try {
      const method = req.method ?? "GET";
      const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
      const answer = await fetch(target, {
        method,
        headers: {
          Accept: req.headers.accept ?? "*/*",
          ...(req.headers["content-type"] ? { "Content-Type": req.headers["content-type"] } : {}),
          "X-Forwarded-Host": `${shop}`,
        },
        ...(body !== undefined ? { body } : {}),
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      const text = Buffer.from(await answer.arrayBuffer());
      record.status = answer.status;
      record.durationMs = Math.round(performance.now() - started);
      const headers: Record<string, string> = { "Content-Length": String(text.length) };
      for (const name of ["content-type", "cache-control", "location"]) {
        const value = answer.headers.get(name);
        if (value) headers[name] = value;
      }
      res.writeHead(answer.status, headers);
      res.end(text);
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      record.durationMs = Math.round(performance.now() - started);
      deps.log(`app proxy ${target}: ${record.error}`);
      sendHtml(res, 502, "<!doctype html><title>Bad gateway</title><p>The app did not answer.</p>");
    }
  }

  const SHOP_PATH = /^\/shops\/([^/]+)(\/.*)$/;

  /** Handles a storefront request; false when the path is not the storefront's. */
  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = SHOP_PATH.exec(url.pathname);
    if (!m) return false;
    const shop = decodeURIComponent(m[1] ?? "");
    const rest = m[2] ?? "/";
    const method = req.method ?? "GET";
    const lang = url.searchParams.get("locale") === "en" ? "en" : "it";

    if (rest === APP_PROXY_PREFIX || rest.startsWith(`${APP_PROXY_PREFIX}/`)) {
      if (!deps.hasShop(shop)) return (sendJson(res, 404, { error: "unknown shop" }), true);
      await proxy(req, res, shop, rest.slice(APP_PROXY_PREFIX.length), url);
      return true;
    }
    const asset = /^\/cdn\/soisy-widget\/([A-Za-z0-9_.-]+)$/.exec(rest);
    if (asset && method === "GET") {
      const file = path.join(extDir, "assets", asset[1] ?? "");
      if (!existsSync(file)) return (sendJson(res, 404, { error: "Not Found" }), true);
      const body = readFileSync(file);
      res.writeHead(200, {
        "Content-Type": ASSET_TYPES[path.extname(file)] ?? "application/octet-stream",
        "Content-Length": String(body.length),
        "Cache-Control": "no-cache",
      });
      res.end(body);
      return true;
    }
    const isStorefront = rest === "/products" || rest.startsWith("/products/") || rest === "/cart" || rest.startsWith("/cart/") || rest === "/cart.js";
    if (!isStorefront) return false;
    if (!deps.hasShop(shop)) return (sendHtml(res, 404, "<!doctype html><title>Not found</title><p>Unknown shop</p>"), true);

    if (rest === "/products" && method === "GET") return (sendHtml(res, 200, productsPage(shop, lang)), true);
    const product = /^\/products\/([a-z0-9-]+)$/.exec(rest);
    if (product && method === "GET") {
      const p = products.get(product[1] ?? "");
      if (!p) return (sendHtml(res, 404, "<!doctype html><title>Not found</title><p>Product not found</p>"), true);
      return (sendHtml(res, 200, await productPage(shop, p, lang, url.searchParams.get("variant"))), true);
    }
    if (rest === "/cart" && method === "GET") return (sendHtml(res, 200, await cartPage(shop, lang)), true);
    if ((rest === "/cart.js" || rest === "/cart.json") && method === "GET") return (sendJson(res, 200, cartJson(shop), { "Cache-Control": "no-store" }), true);
    if (method === "POST") {
      const body = await cartBody(req);
      if (rest === "/cart/add.js" || rest === "/cart/add") {
        const items = Array.isArray(body.items) ? (body.items as Array<Record<string, unknown>>) : [body];
        const parsed = items.map((i) => ({ id: variantIdFrom(i.id), quantity: quantityFrom(i.quantity, 1) }));
        if (parsed.some((p) => p.id === null || p.quantity === null)) {
          return (sendJson(res, 422, { status: 422, message: "Cart Error", description: "Cannot find variant" }), true);
        }
        for (const p of parsed) setQuantity(shop, p.id!, p.quantity!, true);
        const cart = cartJson(shop);
        return (sendJson(res, 200, items.length === 1 && !Array.isArray(body.items) ? cart.items.find((i) => i.id === parsed[0]!.id) : { items: cart.items }), true);
      }
      if (rest === "/cart/change.js" || rest === "/cart/change") {
        const lines = carts.get(shop) ?? [];
        const lineNo = body.line !== undefined ? Number(body.line) : null;
        const id = lineNo !== null ? (lines[lineNo - 1]?.variantId ?? null) : variantIdFrom(body.id);
        const quantity = quantityFrom(body.quantity, 1);
        if (id === null || quantity === null || !lines.some((l) => l.variantId === id)) {
          return (sendJson(res, 400, { status: 400, message: "Cart Error", description: "no valid id or line parameter" }), true);
        }
        setQuantity(shop, id, quantity, false);
        return (sendJson(res, 200, cartJson(shop)), true);
      }
      if (rest === "/cart/update.js" || rest === "/cart/update") {
        const updates = body.updates && typeof body.updates === "object" ? (body.updates as Record<string, unknown>) : {};
        for (const [key, value] of Object.entries(updates)) {
          const id = variantIdFrom(key);
          const quantity = quantityFrom(value, 0);
          if (id !== null && quantity !== null) setQuantity(shop, id, quantity, false);
        }
        return (sendJson(res, 200, cartJson(shop)), true);
      }
      if (rest === "/cart/clear.js" || rest === "/cart/clear") {
        carts.set(shop, []);
        return (sendJson(res, 200, cartJson(shop)), true);
      }
    }
    return false;
  }

  return {
    route,
    products,
    proxyRequests,
    cart: (shop: string) => cartJson(shop),
    clearCart: (shop: string) => void carts.set(shop, []),
    addToCart: (shop: string, variantId: number, quantity = 1) => setQuantity(shop, variantId, quantity, true),
    /**
     * Sets (or with null removes) an override of the app-data metafield `app.metafields.soisy.widget` the
     * blocks read; without one they read what the app wrote on its installation through the Admin API.
     */
    setWidgetMetafield(shop: string, value: WidgetMetafield | null) {
      if (value) metafields.set(shop, structuredClone(value));
      else metafields.delete(shop);
    },
    /** The shopper's currency (Liquid `cart.currency.iso_code`); null → EUR. */
    setPresentmentCurrency(shop: string, isoCode: string | null) {
      if (isoCode) currencies.set(shop, isoCode);
      else currencies.delete(shop);
    },
    /** What the merchant set in the theme editor for a block (e.g. "product-instalments"); null → the schema's defaults. */
    setBlockSettings(shop: string, blockName: string, settings: Record<string, unknown> | null) {
      if (settings) blockSettings.set(`${shop} ${blockName}`, { ...settings });
      else blockSettings.delete(`${shop} ${blockName}`);
    },
    /** Makes the app proxy answer `status` without calling the app (null: normal). */
    setProxyFault(fault: { status: number } | null) {
      proxyFault = fault;
    },
  };
}

export type Storefront = ReturnType<typeof createStorefront>;
