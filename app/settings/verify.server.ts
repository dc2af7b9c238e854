/**
 * "Verify" on the settings page: one harmless authenticated call to Soisy with the stored
 * credentials — reading an order that cannot exist. Soisy checks the shop id and key first:
 * 404 = the credentials are good, 403 = wrong shop id or key. Nothing is created at Soisy.
 */
import type { Db } from "~/db.server";
import { logger as defaultLogger, type Logger } from "~/logger.server";
import type { Keyring } from "~/security/encryption.server";
import { createSoisyClient } from "~/soisy/client.server";
import { SoisyError } from "~/soisy/errors";
import {
  markCredentialsRejected,
  markCredentialsVerified,
  soisyCredentials,
  type SoisyEnvironment,
} from "./settings.server";

/** A token Soisy never hands out (its tokens are opaque, shorter and alphanumeric). */
export const CREDENTIALS_CHECK_TOKEN = "soisy-shopify-credentials-check-0000";

export type VerifyOutcome = "ok" | "auth" | "unreachable" | "server" | "unexpected" | "missing";

export interface VerifyOptions {
  keyring?: Keyring;
  /** Overrides Soisy's API base for the environment (tests). */
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  logger?: Logger;
  now?: Date;
}

/** What an answer (or failure) of the check call says about the credentials. */
export function outcomeOfCheck(error: unknown): VerifyOutcome {
  if (error === null) return "ok"; // 200: someone has that order, but the key was accepted
  if (!(error instanceof SoisyError)) return "unexpected";
  switch (error.kind) {
    case "not_found":
      return "ok";
    case "auth":
      return "auth";
    case "timeout":
    case "network":
      return "unreachable";
    case "server":
      return "server";
    default:
      return "unexpected";
  }
}

/**
 * Checks one environment's stored credentials at Soisy and records the result: "ok" marks them
 * verified (and clears "rejected"), "auth" (Soisy refused them, 403) marks them rejected and no
 * longer verified; temporary failures change nothing.
 */
export async function verifySoisyCredentials(
  db: Db,
  shop: string,
  environment: SoisyEnvironment,
  options: VerifyOptions = {},
): Promise<VerifyOutcome> {
  const credentials = await soisyCredentials(db, shop, environment, options.keyring);
  if (!credentials) return "missing";
  const log = (options.logger ?? defaultLogger).child({ component: "settings-verify", shop, environment });
  const client = createSoisyClient({
    environment,
    shopId: credentials.soisyShopId,
    apiKey: credentials.apiKey,
    timeoutMs: options.timeoutMs ?? 8_000,
    getRetries: 1,
    retryBaseDelayMs: 200,
    logger: log,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
  let failure: unknown = null;
  try {
    await client.getOrder(CREDENTIALS_CHECK_TOKEN);
  } catch (error) {
    failure = error;
  }
  const outcome = outcomeOfCheck(failure);
  if (outcome === "ok") await markCredentialsVerified(db, shop, environment, options.now ?? new Date());
  if (outcome === "auth") await markCredentialsRejected(db, shop, environment, options.now ?? new Date());
  log.info({ outcome, ...(failure instanceof SoisyError ? { kind: failure.kind, status: failure.status } : {}) }, "soisy credentials checked");
  return outcome;
}
