/**
 * Where Soisy is: the API's origin and the shopper webapp's URL per environment, with the
 * environment-variable overrides the simulators and the demo use (client.server.ts calls them).
 */
import type { SoisyEnvironment } from "./types";

export const SOISY_DEFAULT_API_URLS: Record<SoisyEnvironment, string> = {
  sandbox: "https://api.sandbox.soisy.it",
  production: "https://api.soisy.it",
};

export const SOISY_DEFAULT_WEBAPP_URLS: Record<SoisyEnvironment, string> = {
  sandbox: "https://shop.sandbox.soisy.it",
  production: "https://shop.soisy.it",
};

export type Env = Record<string, string | undefined>;

export function normalizeBaseUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${source} is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${source} must be an http(s) URL`);
  if (url.username || url.password) throw new Error(`${source} must not contain credentials`);
  if (url.search || url.hash) throw new Error(`${source} must not contain a query or a fragment`);
  return url.toString().replace(/\/+$/, "");
}

function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Origin of Soisy's API for an environment (no trailing slash, no `/api/shops`).
 * `SOISY_API_URL` overrides both environments (simulator), then `SOISY_SANDBOX_API_URL` /
 * `SOISY_PRODUCTION_API_URL`, then Soisy's real hosts.
 */
export function soisyApiBaseUrl(environment: SoisyEnvironment, env: Env = process.env): string {
  assertEnvironment(environment);
  const override = envValue(env, "SOISY_API_URL");
  if (override) return normalizeBaseUrl(override, "SOISY_API_URL");
  const name = environment === "sandbox" ? "SOISY_SANDBOX_API_URL" : "SOISY_PRODUCTION_API_URL";
  const specific = envValue(env, name);
  if (specific) return normalizeBaseUrl(specific, name);
  return SOISY_DEFAULT_API_URLS[environment];
}

/**
 * Soisy's shopper webapp URL for an order: only a fallback for when a response lacks `redirectUrl`.
 * `SOISY_WEBAPP_URL` overrides both environments.
 */
export function soisyWebappUrl(
  environment: SoisyEnvironment,
  shopId: string,
  token: string,
  env: Env = process.env,
): string {
  assertEnvironment(environment);
  const override = envValue(env, "SOISY_WEBAPP_URL");
  const base = override ? normalizeBaseUrl(override, "SOISY_WEBAPP_URL") : SOISY_DEFAULT_WEBAPP_URLS[environment];
  return `${base}/${encodeURIComponent(shopId)}#/loan-request?token=${encodeURIComponent(token)}`;
}

export function assertEnvironment(environment: string): asserts environment is SoisyEnvironment {
  if (environment !== "sandbox" && environment !== "production") {
    throw new Error(`Unknown Soisy environment ${JSON.stringify(String(environment))}`);
  }
}
