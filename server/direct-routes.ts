/**
 * Resource routes with a fixed path (no params, no UI: the widget's quote, Shopify's session
 * requests…) answered without Remix's router. Remix matches a URL against the route tree twice per
 * request (its request handler, then the static handler's `queryRoute`), flattening and ranking the
 * whole tree each time: a quarter of a quote hit's CPU (`npm run bench:http -- --cpu-prof`).
 *
 * A static path outranks every dynamic one in Remix's matching, so an exact match here is the route
 * Remix would pick, and for a resource route Remix runs only that route's loader or action. What is
 * not an exact static match, a page, or a method the module has no handler for goes to Remix as
 * before. Answers are Remix's: the handler's Response, a thrown Response as is (with Remix's
 * `X-Remix-Catch`), any other error logged and answered 500 "Unexpected Server Error".
 */
import type { ServerBuild } from "@remix-run/node";
import type { Logger } from "pino";
import { normalizePath } from "./routes";

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => unknown;
interface DirectRoute {
  id: string;
  loader?: Handler;
  action?: Handler;
}
interface Found {
  route: DirectRoute;
  handler: Handler;
}

/** The route's full path from the root (pathless layouts add nothing), or null when it has params. */
function fullPath(build: ServerBuild, id: string): string | null {
  const parts: string[] = [];
  for (let route = build.routes[id]; route; route = route.parentId ? build.routes[route.parentId] : undefined) {
    if (route.path) parts.unshift(route.path);
  }
  const joined = `/${parts.join("/")}`.replace(/\/{2,}/g, "/");
  return /[:*]/.test(joined) ? null : keyOf(joined);
}

/** Remix matches case-insensitively and ignores a trailing slash. */
function keyOf(pathname: string): string {
  return normalizePath(pathname).toLowerCase().replace(/(.)\/+$/, "$1");
}

export function createDirectRoutes(build: ServerBuild, logger: Logger) {
  const routes = new Map<string, DirectRoute>();
  for (const [id, route] of Object.entries(build.routes)) {
    const module = route.module as { default?: unknown; loader?: Handler; action?: Handler };
    if (module.default || route.index || (!module.loader && !module.action)) continue;
    const path = fullPath(build, id);
    if (path) routes.set(path, { id, loader: module.loader, action: module.action });
  }

  /**
   * The route and handler that answer a request (method, URL as received, pathname) directly, or null
   * when Remix must. Those handlers never read `request.signal`: their Request is built without one.
   */
  function find(method: string, url: string, pathname: string): Found | null {
    // Remix's own data requests (?_data=<route id>) name another route's loader: Remix answers them.
    if (url.includes("_data")) return null;
    const route = routes.get(keyOf(pathname));
    const handler = method === "GET" || method === "HEAD" ? route?.loader : route?.action;
    return route && handler ? { route, handler } : null;
  }

  /** The direct answer to `request`, or null when Remix must handle it. */
  function direct(request: Request, pathname: string): Promise<Response> | null {
    const found = find(request.method, request.url, pathname);
    return found ? answer(found, request) : null;
  }

  /** Runs the handler found for `request` (Remix's answers, see the module comment). */
  function answer({ route, handler }: Found, request: Request): Promise<Response> {
    return (async () => {
      try {
        const result = await handler({ request, params: {}, context: {} });
        return result instanceof Response ? result : Response.json(result);
      } catch (error) {
        if (error instanceof Response) {
          const headers = new Headers(error.headers);
          headers.set("X-Remix-Catch", "yes");
          return new Response(error.body, { status: error.status, statusText: error.statusText, headers });
        }
        logger.error({ err: error, route: route.id }, "unhandled error in a route");
        return new Response("Unexpected Server Error", { status: 500, headers: { "Content-Type": "text/plain" } });
      }
    })();
  }
  direct.find = find;
  direct.answer = answer;
  /** The paths answered directly (tests, the start-up log). */
  direct.paths = [...routes.keys()].sort();
  return direct;
}
