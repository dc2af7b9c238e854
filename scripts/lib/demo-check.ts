/**
 * `npm run demo -- --check`: drives the running demo over HTTP, as a shopper, Soisy's operator and
 * Shopify would (no browser): one whole level-1 payment to "resolved" and one in-store pre-approval
 * (level 2) to "resolved", through the same pages and endpoints the browser tests use
 * (test/simulators/*\/README.md). Each step prints one line; the first failure throws a
 * `CheckFailure` naming the step and the reason. Waits poll with a deadline, never sleep blindly.
 *
 * Both payments end resolved (final at Shopify and in the app), so they leave nothing for a later
 * `npm run demo` to retry or expire against simulators that no longer know them.
 */
import { withCheckChar } from "../../app/preapproval/fiscal-code";

export interface DemoCheckTarget {
  appUrl: string;
  shopifyUrl: string;
  soisyUrl: string;
  /** Level-1 shop (redirect to Soisy's webapp) and level-2 shop (in-store pre-approval). */
  shop: string;
  instoreShop: string;
}

export interface DrivenPayment {
  shop: string;
  /** Shopify's payment session id (the app's PaymentSession.id, Soisy's orderReference). */
  sessionId: string;
  soisyToken: string;
}

export class CheckFailure extends Error {
  constructor(
    readonly step: string,
    reason: string,
  ) {
    super(`${step}: ${reason}`);
  }
}

/** The approved magic fiscal code of the Soisy simulator, with its check character. */
export const APPROVED_FISCAL_CODE = withCheckChar("RSSMRA80A01H501");

const STEP_TIMEOUT_MS = 30_000;

export type Print = (line: string) => void;

export async function step<T>(print: Print, name: string, run: () => Promise<T>, done: (value: T) => string, since = Date.now()): Promise<T> {
  const started = since;
  let value: T;
  try {
    value = await run();
  } catch (error) {
    if (error instanceof CheckFailure) throw error;
    throw new CheckFailure(name, error instanceof Error ? error.message : String(error));
  }
  print(`✓ ${done(value)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return value;
}

export async function http(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(STEP_TIMEOUT_MS), ...init });
  } catch (error) {
    throw new Error(`${init.method ?? "GET"} ${url} failed: ${(error as Error).message}`);
  }
}

export async function expectStatus(res: Response, statuses: number[], what: string): Promise<Response> {
  if (statuses.includes(res.status)) return res;
  const body = (await res.text().catch(() => "")).replace(/\s+/g, " ").slice(0, 300);
  throw new Error(`${what} answered HTTP ${res.status}${body ? `: ${body}` : ""}`);
}

export async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const headers = init.body ? { "content-type": "application/json" } : undefined;
  const res = await expectStatus(await http(url, { headers, ...init }), [200], `${init.method ?? "GET"} ${url}`);
  return (await res.json()) as T;
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; `last` says what it saw. */
export async function until<T>(what: string, probe: () => Promise<{ value?: T; last: string }>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "nothing yet";
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const seen = await probe().catch((error: Error) => ({ value: undefined, last: error.message }));
    if (seen.value !== undefined) return seen.value;
    last = seen.last;
    if (Date.now() >= deadline) throw new Error(`${what} not reached within ${timeoutMs / 1000} s (last seen: ${last})`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The Soisy webapp URL's token (`…/{shopId}#/loan-request?token=…`). */
export function tokenOf(webappUrl: string): string | null {
  const fragment = new URL(webappUrl).hash;
  return new URLSearchParams(fragment.slice(fragment.indexOf("?") + 1)).get("token");
}

interface SoisyOrder {
  status: string;
  orderReference: string | null;
  amount: number | null;
}

/**
 * The shopper pays at the simulated Shopify checkout; Shopify sends the payment session to the app.
 * `extra`: more checkout fields (`kind: "authorization"`, `inventory: "gone"`).
 */
export async function checkout(target: DemoCheckTarget, shop: string, amount: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await http(`${target.shopifyUrl}/checkout`, {
    method: "POST",
    body: new URLSearchParams({ shop, amount, currency: "EUR", test: "true", ...extra }),
  });
  await expectStatus(res, [303], "the Shopify simulator's checkout (payment session sent to the app)");
  const location = res.headers.get("location");
  if (!location) throw new Error("the checkout redirected nowhere");
  return new URL(location, target.shopifyUrl).toString();
}

export async function soisyOrder(target: DemoCheckTarget, token: string): Promise<SoisyOrder> {
  return json<SoisyOrder>(`${target.soisyUrl}/_sim/orders/${encodeURIComponent(token)}`);
}

const RETURN_PAGE = /\/payments\/return\/([^/]+)\/([^/]+)\/(?:success|error)$/;

/**
 * The app's "we are confirming your payment" page (while Shopify confirms the stock, or is not reachable
 * yet) polls /payments/status/{id}/{secret} until Shopify's next step is known: the same, over HTTP.
 */
async function waitLikeReturnPage(target: DemoCheckTarget, returnUrl: string): Promise<string | null> {
  const match = RETURN_PAGE.exec(new URL(returnUrl).pathname);
  if (!returnUrl.startsWith(`${target.appUrl}/`) || !match) return null;
  const statusUrl = `${target.appUrl}/payments/status/${match[1]}/${match[2]}`;
  return until("Shopify's next step for the shopper (the app's waiting page)", async () => {
    const status = await json<{ state?: string; redirectUrl?: string | null }>(statusUrl, { headers: { accept: "application/json" } });
    return status.redirectUrl ? { value: status.redirectUrl, last: status.state ?? "?" } : { last: `payment ${status.state ?? "?"}, no next step yet` };
  });
}

/** What the shopper's browser does after Soisy: follow the redirects (and the app's waiting page) to Shopify's order status page. */
export async function followToShopifyOrder(target: DemoCheckTarget, url: string, shop: string, sessionId: string): Promise<string> {
  let next = url;
  for (let hops = 0; hops < 6; hops++) {
    const res = await http(next);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      next = new URL(location, next).toString();
      continue;
    }
    await expectStatus(res, [200], `GET ${next}`);
    const waited = await waitLikeReturnPage(target, next);
    if (waited) {
      next = new URL(waited, next).toString();
      continue;
    }
    const expected = `${target.shopifyUrl}/shops/${encodeURIComponent(shop)}/orders/${encodeURIComponent(sessionId)}`;
    if (next !== expected) throw new Error(`the shopper landed on ${next}, not on Shopify's order page ${expected}`);
    return orderState(await res.text());
  }
  throw new Error(`too many redirects from ${url}`);
}

export function orderState(html: string): string {
  return /data-state="([^"]*)"/.exec(html)?.[1] ?? "unknown";
}

export interface Callback {
  eventId: string;
  status: number | null;
  error: string | null;
}

/** Throws when the app did not accept one of Soisy's callbacks (the simulator records each answer). */
export function refusedCallback(callbacks: Callback[]): void {
  const bad = callbacks.find((c) => c.status === null || c.status < 200 || c.status >= 300);
  if (bad) throw new Error(`the app answered Soisy's ${bad.eventId} callback with ${bad.status ?? bad.error ?? "nothing"}`);
}

/** Level 1 from Soisy's webapp on: the shopper completes, Soisy's operator verifies, Shopify resolves. */
async function completeAndResolve(print: Print, target: DemoCheckTarget, payment: DrivenPayment, label: string, since: number): Promise<void> {
  const { shop, sessionId, soisyToken } = payment;
  await step(
    print,
    `${label}: the shopper completes the request at Soisy`,
    async () => {
      const done = await json<{ redirectUrl?: string; callbacks: Callback[] }>(`${target.soisyUrl}/_sim/orders/${encodeURIComponent(soisyToken)}/complete`, {
        method: "POST",
        body: JSON.stringify({ instalments: 12 }),
      });
      refusedCallback(done.callbacks);
      if (!done.redirectUrl) throw new Error("Soisy's webapp sent the shopper nowhere (no successUrl)");
      const state = await followToShopifyOrder(target, done.redirectUrl, shop, sessionId);
      if (state !== "PENDING") throw new Error(`Shopify's order page shows the payment ${state}, expected PENDING`);
      return state;
    },
    () => `${label}: the shopper completed at Soisy, Shopify's order page shows it pending`,
  );
  await step(
    print,
    `${label}: Soisy's operator verifies the loan (callback to the app)`,
    async () => {
      const fired = await json<{ callbacks: Callback[] }>(
        `${target.soisyUrl}/_sim/orders/${encodeURIComponent(soisyToken)}/events`,
        { method: "POST", body: JSON.stringify({ eventId: "LoanWasVerified" }) },
      );
      if (fired.callbacks.length === 0) throw new Error("Soisy sent no callback");
      refusedCallback(fired.callbacks);
    },
    () => `${label}: Soisy's operator verified the loan, the app took the callback`,
  );
  await step(
    print,
    `${label}: Shopify records the payment resolved`,
    () =>
      until("payment resolved at Shopify", async () => {
        const res = await http(`${target.shopifyUrl}/shops/${encodeURIComponent(shop)}/orders/${encodeURIComponent(sessionId)}`);
        const state = orderState(await (await expectStatus(res, [200], "Shopify's order page")).text());
        return state === "RESOLVED" ? { value: state, last: state } : { last: `order page shows ${state}` };
      }),
    () => `${label} resolved at Shopify (order paid)`,
    since,
  );
}

/** Level 1: checkout → the app's payment session → Soisy → callback → resolved at Shopify. */
export async function checkPayment(print: Print, target: DemoCheckTarget): Promise<DrivenPayment> {
  const label = "payment";
  const since = Date.now();
  const payment = await step(
    print,
    `${label}: checkout at Shopify → the app → Soisy's webapp`,
    async () => {
      const webapp = await checkout(target, target.shop, "1234.56");
      if (!webapp.startsWith(`${target.soisyUrl}/`)) throw new Error(`the app sent the shopper to ${webapp}, not to Soisy's webapp`);
      const soisyToken = tokenOf(webapp);
      if (!soisyToken) throw new Error(`no order token in Soisy's webapp URL ${webapp}`);
      const order = await soisyOrder(target, soisyToken);
      if (!order.orderReference) throw new Error("the Soisy order carries no reference to the payment session");
      if (order.amount !== 123_456) throw new Error(`the Soisy order is for ${order.amount} cents, expected 123456`);
      return { shop: target.shop, sessionId: order.orderReference, soisyToken };
    },
    () => `${label}: checkout at Shopify → the app → Soisy order for € 1.234,56`,
  );
  await completeAndResolve(print, target, payment, label, since);
  return payment;
}

/** Values a browser would post from the pre-approval page: its prefilled inputs, then the shopper's answers. */
export function preapprovalFormValues(html: string, answers: Record<string, string>): URLSearchParams {
  const attr = (tag: string, name: string) => {
    const raw = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
    return raw === undefined ? undefined : raw.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  };
  const values = new URLSearchParams();
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, "name");
    const type = attr(tag, "type") ?? "text";
    if (!name) continue;
    if ((type === "radio" || type === "checkbox") && !/\schecked(=|\s|\/|>)/.test(tag)) continue;
    values.set(name, attr(tag, "value") ?? (type === "checkbox" ? "on" : ""));
  }
  for (const [name, value] of Object.entries(answers)) values.set(name, value);
  return values;
}

/** Level 2: checkout at the in-store shop → the app's pre-approval page → approved fiscal code → Soisy → resolved. */
export async function checkPreapproval(print: Print, target: DemoCheckTarget): Promise<DrivenPayment> {
  const label = "in-store payment";
  const since = Date.now();
  const pageUrl = await step(
    print,
    `${label}: checkout at Shopify → the app's pre-approval page`,
    async () => {
      const url = await checkout(target, target.instoreShop, "480.00");
      if (!url.startsWith(`${target.appUrl}/payments/preapproval/`)) throw new Error(`the app sent the shopper to ${url}, not to its pre-approval page`);
      return url;
    },
    () => `${label}: checkout at Shopify → the app's pre-approval page`,
  );
  const payment = await step(
    print,
    `${label}: pre-approval with an approved fiscal code`,
    async () => {
      const page = await expectStatus(await http(pageUrl), [200], "the pre-approval page");
      const html = await page.text();
      if (!html.includes("Codice fiscale")) throw new Error("the pre-approval page shows no fiscal code field");
      const body = preapprovalFormValues(html, {
        instalments: "12",
        fiscalCode: APPROVED_FISCAL_CODE,
        citizenship: "italian",
        jobDescription: "employee_open_ended_contract",
        privacy: "on",
      });
      const sent = await http(pageUrl, { method: "POST", body, headers: { origin: target.appUrl } });
      if (sent.status !== 303) {
        const text = await sent.text();
        const errors = [...text.matchAll(/id="f-(\w+)-error"[^>]*>([^<]+)</g)].map((m) => `${m[1]}: ${m[2]}`).join("; ");
        throw new Error(`the pre-approval form answered HTTP ${sent.status}${errors ? ` (${errors})` : ""}, expected a redirect to Soisy`);
      }
      const webapp = new URL(sent.headers.get("location") ?? "", pageUrl).toString();
      const soisyToken = webapp.startsWith(`${target.soisyUrl}/`) ? tokenOf(webapp) : null;
      if (!soisyToken) throw new Error(`the approved pre-approval sent the shopper to ${webapp}, not to Soisy's webapp`);
      const order = await soisyOrder(target, soisyToken);
      if (order.status !== "request_accepted") throw new Error(`the Soisy order is ${order.status}, expected request_accepted (pre-approved)`);
      if (!order.orderReference) throw new Error("the Soisy order carries no reference to the payment session");
      return { shop: target.instoreShop, sessionId: order.orderReference, soisyToken };
    },
    () => `${label}: Soisy pre-approved ${APPROVED_FISCAL_CODE}, the shopper is on Soisy's webapp`,
  );
  await completeAndResolve(print, target, payment, label, since);
  return payment;
}
