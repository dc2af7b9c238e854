/**
 * Pieces shared by the demo, the end-to-end tests and the load script: a configured shop, the app
 * served from its production build as a child process, free ports and readiness checks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import path from "node:path";
import type { Db } from "../../app/db.server";
import type { Keyring } from "../../app/security/encryption.server";
import { encryptSessionToken } from "../../app/shopify/session-storage.server";
import {
  ensureShopSettings,
  markCredentialsVerified,
  saveShopOptions,
  saveSoisyCredentials,
  setReady,
  type ShopOptions,
} from "../../app/settings/settings.server";
import { DEFAULT_SHOP_OPTIONS } from "../../app/settings/shop-defaults";
import { productionNodeFlags } from "./start-flags";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

/**
 * A shop that has installed the app: settings, Soisy's public sandbox credentials (encrypted) for
 * both environments unless told otherwise, marked verified as a passed "Salva e verifica" marks them
 * (so a ready shop is consistent with its credentials), ready, and an offline Shopify session with `accessToken`.
 */
export async function configureShop(
  db: Db,
  keyring: Keyring,
  shop: string,
  accessToken: string,
  options: { options?: Partial<ShopOptions>; ready?: boolean; production?: boolean } = {},
): Promise<void> {
  await ensureShopSettings(db, shop);
  await saveShopOptions(db, shop, { ...DEFAULT_SHOP_OPTIONS, ...options.options });
  await saveSoisyCredentials(db, shop, "sandbox", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
  await markCredentialsVerified(db, shop, "sandbox");
  if (options.production ?? true) {
    await saveSoisyCredentials(db, shop, "production", { soisyShopId: "partnershop", apiKey: "partnerkey" }, keyring);
    await markCredentialsVerified(db, shop, "production");
  }
  await setReady(db, shop, options.ready ?? true);
  const id = `offline_${shop}`;
  const session = {
    id,
    shop,
    state: "local",
    isOnline: false,
    scope: "write_payment_gateways,write_payment_sessions,write_payment_customizations",
    // Stored encrypted, as the app's session storage stores it (app/shopify/session-storage.server.ts).
    accessToken: encryptSessionToken(accessToken, id, "accessToken", keyring),
  };
  await db.session.upsert({ where: { id: session.id }, create: session, update: session });
}

export async function freePort(preferred = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(preferred !== 0 && error.code === "EADDRINUSE" ? new Error(`port ${preferred} is in use`) : error);
    });
    server.listen(preferred, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`the process exited before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

/** The production build's directory: build/ or $APP_BUILD_DIR (absolute). */
export function appBuildDir(): string {
  return path.resolve(repoRoot, process.env.APP_BUILD_DIR || "build");
}

/** The production server bundled by the build (`npm start` runs it). */
export function appServerEntry(): string {
  return path.join(appBuildDir(), "server.mjs");
}

/**
 * Local stacks prove "this session request comes from Shopify" like a TLS terminator would after
 * checking Shopify's client certificate (docs/server.md, mode b): a header with a shared secret.
 * The simulator sends it (`proofHeader`), the app gets it through `shopifyProofEnv`.
 */
export interface ShopifyProof {
  name: string;
  value: string;
}

export function newShopifyProof(): ShopifyProof {
  return { name: "x-shopify-client-cert-verified", value: randomBytes(24).toString("hex") };
}

export function shopifyProofEnv(proof: ShopifyProof): { SHOPIFY_MTLS_HEADER: string; SHOPIFY_MTLS_HEADER_VALUE: string } {
  return { SHOPIFY_MTLS_HEADER: proof.name, SHOPIFY_MTLS_HEADER_VALUE: proof.value };
}

/** The proof header an app started with `env` expects (none when it expects none), for requests posted directly. */
export function shopifyProofHeaders(env: Record<string, string | undefined>): Record<string, string> {
  const name = env.SHOPIFY_MTLS_HEADER;
  const value = env.SHOPIFY_MTLS_HEADER_VALUE;
  return name && value ? { [name]: value } : {};
}

/**
 * Serves build/ (or $APP_BUILD_DIR) with the production server (`node <flags> <build>/server.mjs`, as
 * `npm start` does) and waits for /healthz (`ready` replaces that check, e.g. for an HTTPS server).
 */
export async function spawnApp(options: {
  port: number;
  env: NodeJS.ProcessEnv;
  stdio?: "inherit" | "pipe" | "ignore";
  /** What the app prints (stdio "pipe"), chunk by chunk, with the stream it came from. */
  onOutput?: (text: string, stream: "stdout" | "stderr") => void;
  ready?: (isAlive: () => boolean) => Promise<void>;
  /** Node's flags instead of `npm start`'s (the benchmark compares settings with them). */
  nodeFlags?: string[];
}): Promise<ChildProcess> {
  const stdio = options.stdio ?? "pipe";
  // An APP_BUILD_DIR in the child's environment picks another build (bench:http compares builds).
  const entry = options.env.APP_BUILD_DIR ? path.join(path.resolve(repoRoot, options.env.APP_BUILD_DIR), "server.mjs") : appServerEntry();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? productionNodeFlags()), entry], {
    cwd: repoRoot,
    env: { ...options.env, PORT: String(options.port), HOST: "127.0.0.1" },
    stdio: ["ignore", stdio, stdio],
  });
  if (stdio === "pipe") {
    child.stdout?.on("data", (d: Buffer) => options.onOutput?.(d.toString(), "stdout"));
    child.stderr?.on("data", (d: Buffer) => options.onOutput?.(d.toString(), "stderr"));
  }
  const isAlive = () => child.exitCode === null && child.signalCode === null;
  try {
    if (options.ready) await options.ready(isAlive);
    else await waitForHttp(`http://127.0.0.1:${options.port}/healthz`, 60_000, isAlive);
  } catch (error) {
    // Say how the app ended when it died at start (a crash, a port taken, a missing build), not only that it did not answer.
    const ended = isAlive() ? null : child.signalCode ? `killed by ${child.signalCode}` : `exit code ${child.exitCode}`;
    child.kill("SIGKILL");
    if (ended) throw new Error(`the app (${appServerEntry()}) exited before answering (${ended})`, { cause: error });
    throw error;
  }
  return child;
}

export async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}
