/**
 * Browsers and crawlers ask for /favicon.ico whatever the page links: send them to the app's SVG icon
 * (public/favicon.svg) instead of a 404 that Remix would log as a missing route on every page view.
 */
export function loader() {
  return new Response(null, { status: 301, headers: { Location: "/favicon.svg", "Cache-Control": "public, max-age=86400" } });
}
