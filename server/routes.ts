/**
 * What the server must know about the app's URLs before Remix sees a request: the body size limit of
 * each route, the routes that only Shopify may call, and the routes whose path carries a
 * per-session secret (never logged, wrong guesses rate-limited). Paths are matched like Remix
 * matches them: case-insensitively, segment by segment.
 */

const KB = 1024;

/** Body size limits, first match wins. GET and HEAD bodies are never read (limit 0). */
export const BODY_LIMITS: ReadonlyArray<{ pattern: RegExp; bytes: number; what: string }> = [
  // Shopify's payment/refund/capture/void session requests and confirmation callbacks (app/payments/shopify-requests.ts reads at most 64 KB too).
  { pattern: /^\/payments\/(sessions|refunds|captures|voids|confirmations)\/?$/i, bytes: 64 * KB, what: "session request" },
  // The in-store pre-approval form (a handful of fields).
  { pattern: /^\/payments\/preapproval\/[^/]+\/[^/]+\/?$/i, bytes: 16 * KB, what: "pre-approval form" },
  // Soisy's callback: {orderToken, eventId, eventMessage} (the route itself stops at 16 KB).
  { pattern: /^\/soisy\/callback\/[^/]+\/[^/]+\/?$/i, bytes: 16 * KB, what: "Soisy callback" },
  // Shopify webhooks (app/uninstalled, compliance topics: small JSON documents).
  { pattern: /^\/webhooks(\/|$)/i, bytes: 256 * KB, what: "webhook" },
  // Login and OAuth: a shop domain.
  { pattern: /^\/auth(\/|$)/i, bytes: 16 * KB, what: "login form" },
  // The merchant admin's forms (settings, refunds, transactions).
  { pattern: /^\/app(\/|$)/i, bytes: 256 * KB, what: "admin form" },
];
export const DEFAULT_BODY_LIMIT = 1024 * KB;

/** The size limit of a request's body (0 = the body is not read). */
export function bodyLimitFor(method: string, pathname: string): { bytes: number; what: string } {
  if (method === "GET" || method === "HEAD") return { bytes: 0, what: "request" };
  const path = normalizePath(pathname);
  for (const entry of BODY_LIMITS) if (entry.pattern.test(path)) return entry;
  return { bytes: DEFAULT_BODY_LIMIT, what: "request" };
}

/** Routes only Shopify calls (payments extension endpoints): they need the mTLS proof (server/shopify-proof.ts). */
export function needsShopifyProof(pathname: string): boolean {
  return /^\/payments\/(sessions|refunds|captures|voids|confirmations)\/?$/i.test(normalizePath(pathname));
}

const SECRET_ROUTES = /^\/(payments\/(return|status|preapproval|not-eligible)|soisy\/callback)\/([^/]+)\/([^/]+)(\/|$)/i;

/** The session id and secret of a secret-URL route, or null for any other path. */
export function secretOf(pathname: string): { sessionId: string; secret: string } | null {
  const m = SECRET_ROUTES.exec(normalizePath(pathname));
  return m ? { sessionId: m[3]!, secret: m[4]! } : null;
}

export function isPreapprovalPath(pathname: string): boolean {
  return /^\/payments\/preapproval\/[^/]+\/[^/]+\/?$/i.test(normalizePath(pathname));
}

export function isLoginPath(pathname: string): boolean {
  return /^\/auth\/login\/?$/i.test(normalizePath(pathname));
}

/**
 * The path as the router matches it: each segment percent-decoded (an encoded "/" stays encoded, as
 * React Router does), repeated slashes collapsed. Without this, "/payments/%73essions" would reach
 * the session route unchecked.
 */
export function normalizePath(pathname: string): string {
  return pathname
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment).replace(/\//g, "%2F");
      } catch {
        return segment;
      }
    })
    .join("/")
    .replace(/\/{2,}/g, "/");
}

const REDACTED = "[redacted]";

/** Query parameters whose values never reach a log line (OAuth, HMAC signatures, session tokens). */
const SECRET_QUERY_KEYS = new Set(["signature", "hmac", "code", "state", "id_token", "host", "session", "token"]);
const SECRET_QUERY_PATTERN = /token|secret|password|passwd|signature|hmac|api[_-]?key|auth/i;

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

/**
 * A request target (path + query) safe to log: the secret segment of the per-session URLs
 * (/payments/return/<id>/<secret>/…, /soisy/callback/<id>/<secret>, …) and the values of
 * sensitive query parameters are replaced by "[redacted]".
 */
export function redactUrl(target: string): string {
  if (!target) return target;
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? null : target.slice(q + 1);

  const segments = path.split("/");
  const names = segments.map((s) => decodeSafe(s).toLowerCase());
  // Skip empty segments (repeated slashes) when looking for the route's shape.
  const idx = names.map((n, i) => (n === "" ? -1 : i)).filter((i) => i !== -1);
  for (let k = 0; k + 3 < idx.length; k++) {
    const first = names[idx[k]!];
    const second = names[idx[k + 1]!];
    const secretRoute =
      (first === "payments" && (second === "return" || second === "status" || second === "preapproval" || second === "not-eligible")) ||
      (first === "soisy" && second === "callback");
    if (secretRoute) segments[idx[k + 3]!] = REDACTED;
  }
  let out = segments.join("/");
  if (query !== null) {
    const parts = query.split("&").map((part) => {
      const eq = part.indexOf("=");
      const key = eq === -1 ? part : part.slice(0, eq);
      const name = decodeSafe(key).toLowerCase();
      if (eq === -1) return part;
      return SECRET_QUERY_KEYS.has(name) || SECRET_QUERY_PATTERN.test(name) ? `${key}=${REDACTED}` : part;
    });
    out += `?${parts.join("&")}`;
  }
  return out;
}
