/**
 * The production server's own settings, read once from the environment (the app's settings are
 * app/config.server.ts). Every problem is collected and reported together; the server refuses to
 * start on any (docs/server.md lists the variables).
 */
import { readFileSync } from "node:fs";

export interface RateLimitSetting {
  /** Requests (or wrong-secret answers) allowed per IP in one window. */
  limit: number;
  windowMs: number;
}

export interface ServerConfig {
  production: boolean;
  port: number;
  /** undefined = every interface */
  host: string | undefined;
  /** Express "trust proxy": false (default) or the number of proxy hops in front of the app. */
  trustProxy: false | number;
  /** SIGTERM / SIGINT: how long in-flight requests may still run before their connections are closed. */
  shutdownGraceMs: number;
  /** Own TLS (mode a): PEM contents. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** How a payment/refund/capture/void session request proves it comes from Shopify. */
  shopifyProof: ShopifyProofConfig;
  rateLimits: { login: RateLimitSetting; preapproval: RateLimitSetting; wrongSecret: RateLimitSetting };
}

export type ShopifyProofConfig = {
  /** Mode (a): client certificate verified against this CA bundle by the app's own TLS server. */
  clientCa: Buffer | null;
  /** Mode (b): a header that the TLS terminator sets after verifying Shopify's client certificate. */
  header: { name: string; value: string } | null;
  /** SHOPIFY_MTLS=off: no proof asked (never the default in production). */
  off: boolean;
};

export class ServerConfigError extends Error {
  override name = "ServerConfigError";
}

export const MIN_PROOF_HEADER_VALUE_LENGTH = 32;

type Env = Record<string, string | undefined>;

function intFrom(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
}

function fileFrom(env: Env, name: string, problems: string[]): Buffer | null {
  const file = env[name]?.trim();
  if (!file) return null;
  try {
    return readFileSync(file);
  } catch (error) {
    problems.push(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    return null;
  }
}

function rateLimitFrom(env: Env, prefix: string, limit: number, windowMs: number, problems: string[]): RateLimitSetting {
  return {
    limit: intFrom(env, `${prefix}_MAX`, limit, 1, 1_000_000, problems),
    windowMs: intFrom(env, `${prefix}_WINDOW_MS`, windowMs, 1_000, 86_400_000, problems),
  };
}

export function loadServerConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  const production = env.NODE_ENV === "production";

  const port = intFrom(env, "PORT", 3000, 0, 65_535, problems);
  const host = env.HOST?.trim() || undefined;

  const trustRaw = (env.TRUST_PROXY ?? "").trim().toLowerCase();
  let trustProxy: false | number = false;
  if (trustRaw !== "" && trustRaw !== "off" && trustRaw !== "false" && trustRaw !== "0") {
    const hops = Number(trustRaw);
    if (Number.isInteger(hops) && hops >= 1 && hops <= 10) trustProxy = hops;
    else problems.push(`TRUST_PROXY must be the number of proxies in front of the app (1-10) or "off" (got "${env.TRUST_PROXY}")`);
  }

  const shutdownGraceMs = intFrom(env, "SHUTDOWN_GRACE_MS", 10_000, 0, 600_000, problems);

  const cert = fileFrom(env, "TLS_CERT_FILE", problems);
  const key = fileFrom(env, "TLS_KEY_FILE", problems);
  if (Boolean(env.TLS_CERT_FILE?.trim()) !== Boolean(env.TLS_KEY_FILE?.trim())) {
    problems.push("TLS_CERT_FILE and TLS_KEY_FILE go together (the app's own HTTPS server)");
  }
  const tls = cert && key ? { cert, key } : null;

  const clientCa = fileFrom(env, "SHOPIFY_MTLS_CA_FILE", problems);
  if (env.SHOPIFY_MTLS_CA_FILE?.trim() && !(env.TLS_CERT_FILE?.trim() && env.TLS_KEY_FILE?.trim())) {
    problems.push("SHOPIFY_MTLS_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE: client certificates are checked by the app's own TLS server");
  }

  const headerName = env.SHOPIFY_MTLS_HEADER?.trim().toLowerCase() ?? "";
  const headerValue = env.SHOPIFY_MTLS_HEADER_VALUE ?? "";
  let header: ShopifyProofConfig["header"] = null;
  if (headerName || headerValue) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(headerName)) {
      problems.push("SHOPIFY_MTLS_HEADER must be a header name (letters, digits, '-'), set together with SHOPIFY_MTLS_HEADER_VALUE");
    } else if (headerValue.length < MIN_PROOF_HEADER_VALUE_LENGTH) {
      problems.push(`SHOPIFY_MTLS_HEADER_VALUE must be a secret of at least ${MIN_PROOF_HEADER_VALUE_LENGTH} characters`);
    } else {
      header = { name: headerName, value: headerValue };
    }
  }

  const mtlsSwitch = (env.SHOPIFY_MTLS ?? "").trim().toLowerCase();
  if (mtlsSwitch !== "" && mtlsSwitch !== "off" && mtlsSwitch !== "on") problems.push(`SHOPIFY_MTLS must be "off" or unset (got "${env.SHOPIFY_MTLS}")`);
  const off = mtlsSwitch === "off";
  if (off && (clientCa || header)) problems.push("SHOPIFY_MTLS=off contradicts SHOPIFY_MTLS_CA_FILE / SHOPIFY_MTLS_HEADER: choose one");
  if (production && !off && !clientCa && !header && !env.SHOPIFY_MTLS_CA_FILE?.trim() && !headerName && !headerValue) {
    problems.push(
      "payment and refund session requests need a proof that they come from Shopify (mTLS). Set either " +
        "TLS_CERT_FILE + TLS_KEY_FILE + SHOPIFY_MTLS_CA_FILE (the app terminates TLS and checks Shopify's client certificate) or " +
        "SHOPIFY_MTLS_HEADER + SHOPIFY_MTLS_HEADER_VALUE (a TLS terminator in front checks it and sets that header); " +
        "SHOPIFY_MTLS=off runs without the check (not for a real shop). See docs/server.md",
    );
  }

  const rateLimits = {
    login: rateLimitFrom(env, "RATE_LIMIT_LOGIN", 30, 15 * 60_000, problems),
    preapproval: rateLimitFrom(env, "RATE_LIMIT_PREAPPROVAL", 120, 15 * 60_000, problems),
    wrongSecret: rateLimitFrom(env, "RATE_LIMIT_WRONG_SECRET", 30, 15 * 60_000, problems),
  };

  if (problems.length) throw new ServerConfigError(`The server cannot start:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return { production, port, host, trustProxy, shutdownGraceMs, tls, shopifyProof: { clientCa, header, off }, rateLimits };
}
