/**
 * The shop's name as shoppers know it ("Negozio Demo Soisy"), for the shopper pages. Shopify's payment
 * session request carries only the shop's myshopify domain, so the name is read from the Admin GraphQL API
 * (`shop { name }`, no extra scope) and kept in `ShopSettings.shopName`.
 *
 * Decisions:
 * - fetched after install (afterAuth) and on every settings save (a renamed shop is picked up there);
 * - never blocks anything: Shopify down, slow (timeout), refusing or answering oddly → nothing is stored and
 *   the pages show the handle ("my-shop" of "my-shop.myshopify.com"); a stored name is never erased by a
 *   failed refresh;
 * - the answer is validated (zod); the stored name is trimmed, control characters removed, whitespace
 *   collapsed, at most `SHOP_NAME_MAX_LENGTH` characters; pages render it as text (React escapes it).
 */
import { z } from "zod";
import type { Db } from "~/db.server";
import { logger } from "~/logger.server";
import type { AdminGraphql } from "./payment-customization.server";
import { shopHandle } from "./shop-handle";

/** Validated against test/simulators/shopify/admin-schema.graphql in test/integration/admin-api.test.ts. */
export const SHOP_PROFILE = /* GraphQL */ `
  query SoisyShopProfile {
    shop {
      name
    }
  }
`;

export const SHOP_PROFILE_DOCUMENTS = { SHOP_PROFILE } as const;

export const SHOP_NAME_MAX_LENGTH = 255;
/** A fetch taking longer than this gives up (the install callback and the settings page must not hang). */
export const SHOP_PROFILE_TIMEOUT_MS = 5_000;

const answerSchema = z.object({
  data: z.object({ shop: z.object({ name: z.string() }) }),
});

/** The name as it may be stored and shown: printable, single-spaced, bounded; null when nothing is left. */
export function cleanShopName(raw: string): string | null {
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, " ").replace(/\s+/g, " ").trim();
  if (!text) return null;
  const chars = Array.from(text);
  return chars.length > SHOP_NAME_MAX_LENGTH ? chars.slice(0, SHOP_NAME_MAX_LENGTH).join("").trimEnd() : text;
}

/** Asks Shopify for the shop's name. Never throws: null on any failure (logged without token or body). */
export async function fetchShopName(graphql: AdminGraphql, shop: string, timeoutMs = SHOP_PROFILE_TIMEOUT_MS): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      (async () => {
        const response = await graphql(SHOP_PROFILE);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const parsed = answerSchema.safeParse(await response.json());
        if (!parsed.success) throw new Error(`unexpected answer: ${z.prettifyError(parsed.error)}`);
        return parsed.data.data.shop.name;
      })(),
      timeout,
    ]);
    if (outcome === "timeout") {
      logger.warn({ shop, timeoutMs }, "reading the shop's name from Shopify timed out; shopper pages show the handle");
      return null;
    }
    const name = cleanShopName(outcome);
    if (!name) logger.warn({ shop }, "Shopify answered an empty shop name; shopper pages show the handle");
    return name;
  } catch (error) {
    const detail = error instanceof Response ? `HTTP ${error.status}` : error instanceof Error ? error.message : "unknown error";
    logger.warn({ shop, detail: detail.slice(0, 300) }, "reading the shop's name from Shopify failed; shopper pages show the handle");
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Fetches the name and stores it on the shop's settings row (when the row exists). With `onlyIfMissing`,
 * Shopify is asked only when no name is stored yet. Returns the stored name (null if none). Never throws.
 */
export async function refreshShopName(
  db: Db,
  graphql: AdminGraphql,
  shop: string,
  opts: { onlyIfMissing?: boolean; timeoutMs?: number } = {},
): Promise<string | null> {
  try {
    const row = await db.shopSettings.findUnique({ where: { shop }, select: { shopName: true } });
    if (!row) return null;
    if (opts.onlyIfMissing && row.shopName) return row.shopName;
    const name = await fetchShopName(graphql, shop, opts.timeoutMs);
    if (!name) return row.shopName;
    if (name !== row.shopName) {
      await db.shopSettings.updateMany({ where: { shop }, data: { shopName: name } });
      logger.info({ shop }, "shop name stored");
    }
    return name;
  } catch (error) {
    logger.error({ shop, err: error }, "storing the shop's name failed; shopper pages show the handle");
    return null;
  }
}

/** What shopper pages show for a shop: its stored name, else its handle. Never throws. */
export async function shopDisplayName(db: Db, shop: string): Promise<string> {
  try {
    const row = await db.shopSettings.findUnique({ where: { shop }, select: { shopName: true } });
    return (row?.shopName && cleanShopName(row.shopName)) || shopHandle(shop);
  } catch (error) {
    logger.warn({ shop, err: error }, "reading the shop's name failed; showing the handle");
    return shopHandle(shop);
  }
}
