/** The shop's offline Admin API access token, for the calls the app makes without a merchant present. */
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { appKeyring } from "~/security/encryption.server";
import { shopify } from "~/shopify.server";
import { decryptSessionToken } from "./session-storage.server";

/** The shop's offline access token (refreshed by @shopify/shopify-app-remix when it expires). */
export async function shopAccessToken(shop: string): Promise<string> {
  try {
    const { session } = await shopify().unauthenticated.admin(shop);
    if (session.accessToken) return session.accessToken;
  } catch (error) {
    logger.debug({ shop, err: error }, "unauthenticated.admin failed; falling back to the stored offline session");
  }
  const stored = await db().session.findFirst({ where: { shop, isOnline: false }, orderBy: { expires: "desc" } });
  if (!stored?.accessToken) throw new Error(`no offline access token for ${shop}`);
  return decryptSessionToken(stored.accessToken, stored.id, "accessToken", appKeyring());
}
