/** "my-shop.myshopify.com" → "my-shop": the store's handle, shown where the shop's name is unknown and used in admin URLs. */
export function shopHandle(shop: string): string {
  return shop.replace(/\.myshopify\.com$/i, "");
}
