/**
 * An id from a route's path (`params.id`) that can be looked up: 1–255 characters, no NUL. PostgreSQL
 * refuses a NUL in text (error 22021: the query throws, Remix answers 500), so such an id — which no
 * row can have — is refused before the database sees it: the route answers 404.
 */
export function routeId(value: string | undefined): string | null {
  if (!value || value.length > 255 || value.includes("\u0000")) return null;
  return value;
}
