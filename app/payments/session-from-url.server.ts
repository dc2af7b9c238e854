/**
 * The payment session a secret URL names (`/…/$id/$secret…`: the shopper's pages, the status poll,
 * Soisy's callbacks): the URL's secret is checked first, in constant time and without reading the
 * database (url-secrets.server.ts), and only then is the session looked up. Routes turn the outcome
 * into their own HTTP answer.
 */
import type { Db } from "~/db.server";
import type { Keyring } from "~/security/encryption.server";
import { findSession, type PaymentRow } from "./payment-deps.server";
import { verifySessionSecret } from "./url-secrets.server";

/** A route's params (`params.id`, `params.secret`); a missing one is checked as "". */
export type SecretUrlParams = Readonly<Record<string, string | undefined>>;

declare const verified: unique symbol;
/** An id and secret that passed the check: the only way to {@link sessionAtUrl} a session. */
export type VerifiedUrl = { readonly id: string; readonly secret: string } & { readonly [verified]: true };

export type SessionFromUrl =
  | { kind: "bad_secret" }
  | { kind: "not_found"; id: string; secret: string }
  | { kind: "found"; id: string; secret: string; session: PaymentRow };

/** The URL's id and secret when the secret is this session's (no database read), else null. */
export function verifyUrlSecret(params: SecretUrlParams, keyring: Keyring): VerifiedUrl | null {
  const id = params.id ?? "";
  const secret = params.secret ?? "";
  return verifySessionSecret(id, secret, keyring) ? ({ id, secret } as VerifiedUrl) : null;
}

/** Looks up the session of a URL whose secret was already checked. */
export async function sessionAtUrl(db: Db, url: VerifiedUrl): Promise<SessionFromUrl> {
  const session = await findSession(db, url.id);
  return session ? { kind: "found", id: url.id, secret: url.secret, session } : { kind: "not_found", id: url.id, secret: url.secret };
}

/** Checks the URL's secret, then finds the session: bad secret (nothing read), not found, or found. */
export async function sessionFromUrl(deps: { db: Db; keyring: Keyring }, params: SecretUrlParams): Promise<SessionFromUrl> {
  const url = verifyUrlSecret(params, deps.keyring);
  return url ? sessionAtUrl(deps.db, url) : { kind: "bad_secret" };
}

/** The found session, or null (bad secret or not found: the pages answer both alike). */
export function foundSession(outcome: SessionFromUrl): PaymentRow | null {
  return outcome.kind === "found" ? outcome.session : null;
}
