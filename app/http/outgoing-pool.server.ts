/**
 * The keep-alive connection pool every outgoing call uses (app/http/outgoing.server.ts): ONE undici
 * `Agent` per process, which keeps a pool per origin (Soisy's API, each shop's Payments Apps API).
 *
 * Why an explicit agent rather than Node's default one: the default opens as many connections to an
 * origin as there are concurrent calls (no bound) and drops an idle one after 4 s, so a checkout that
 * comes a few seconds after the previous one pays a new TCP + TLS handshake. Here:
 *
 * - at most `OUTGOING_MAX_CONNECTIONS_PER_HOST` connections per origin; beyond that, calls wait in the
 *   origin's queue. The wait is part of the attempt: outgoingRequest's timer starts before the call is
 *   queued, so a saturated pool answers `timeout`, never hangs;
 * - an idle connection is kept `OUTGOING_KEEP_ALIVE_MS` (default 50 s) when the server does not say how
 *   long it keeps it: below the 60 s idle timeout of common load balancers (AWS ALB) and nginx's 75 s,
 *   so the app does not send on a connection the other side is about to close. A server's own
 *   `Keep-Alive: timeout=N` wins (minus undici's 2 s margin), capped at 10 minutes;
 * - one request at a time per connection (no pipelining: a slow answer would hold the ones behind it).
 *
 * Node 22's global fetch accepts this agent (npm undici 6.x and Node's bundled undici 6.x share the
 * dispatcher interface; test/integration/outgoing-pool.test.ts would fail otherwise).
 */
import { Agent, type Dispatcher } from "undici";
import { z } from "zod";

/** The environment variables of the pool; also part of the app's configuration (app/config.server.ts). */
export const outgoingPoolEnvShape = {
  /** Connections per origin (Soisy's API, each shop's Shopify host) in each app process. */
  OUTGOING_MAX_CONNECTIONS_PER_HOST: z.coerce.number().int().min(1).max(1_024).default(32),
  /** How long an idle connection is kept when the server does not announce its own keep-alive time. */
  OUTGOING_KEEP_ALIVE_MS: z.coerce.number().int().min(1_000).max(600_000).default(50_000),
};
const OutgoingPoolEnvSchema = z.object(outgoingPoolEnvShape);

export interface OutgoingPoolSettings {
  maxConnectionsPerHost: number;
  keepAliveMs: number;
}

/** Reads the pool's settings; throws naming every invalid variable. */
export function outgoingPoolSettingsFromEnv(env: Record<string, string | undefined>): OutgoingPoolSettings {
  const parsed = OutgoingPoolEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid outgoing connection pool settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return { maxConnectionsPerHost: parsed.data.OUTGOING_MAX_CONNECTIONS_PER_HOST, keepAliveMs: parsed.data.OUTGOING_KEEP_ALIVE_MS };
}

/** Longest keep-alive time a server's `Keep-Alive: timeout=N` hint may give a connection. */
const KEEP_ALIVE_MAX_MS = 10 * 60_000;
/**
 * A TCP + TLS connection attempt gets as long as a whole attempt by default (DEFAULT_OUTGOING_TIMEOUT_MS
 * in outgoing.server.ts); an attempt with less time is cut short by its own timer.
 */
const CONNECT_TIMEOUT_MS = 10_000;

export function createOutgoingAgent(settings: OutgoingPoolSettings): Agent {
  return new Agent({
    connections: settings.maxConnectionsPerHost,
    pipelining: 1,
    keepAliveTimeout: settings.keepAliveMs,
    keepAliveMaxTimeout: KEEP_ALIVE_MAX_MS,
    connect: { timeout: CONNECT_TIMEOUT_MS },
  });
}

declare global {
  /** The process's pool (kept across Vite dev-server reloads, like the database client). */
  var __soisyOutgoingAgent: Agent | undefined;
}

/** The process-wide pool, created on first use from the environment. */
export function outgoingAgent(): Dispatcher {
  globalThis.__soisyOutgoingAgent ??= createOutgoingAgent(outgoingPoolSettingsFromEnv(process.env));
  return globalThis.__soisyOutgoingAgent;
}

/**
 * Closes the pool at shutdown: calls in flight finish (each has its own timeout), then every connection
 * is closed. A call after this gets a new pool, so a straggler still works.
 */
export async function closeOutgoingConnections(): Promise<void> {
  const agent = globalThis.__soisyOutgoingAgent;
  globalThis.__soisyOutgoingAgent = undefined;
  await agent?.close();
}
