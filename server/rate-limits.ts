/**
 * Per-IP rate limits on the unauthenticated public routes (in memory, per process):
 *  - POST /auth/login (shop domain form that starts an OAuth install),
 *  - POSTs of the in-store pre-approval form (each one reaches Soisy),
 *  - wrong guesses of a per-session URL secret: only answers 404 count, and a request whose secret
 *    is valid is never counted nor refused, so Soisy's callbacks and a shopper's polls always pass.
 * Over a limit: 429 with Retry-After. The client IP is the socket's, or X-Forwarded-For's when
 * TRUST_PROXY says how many proxies are in front.
 */
import type { Request, RequestHandler, Response } from "express";
import { rateLimit } from "express-rate-limit";
import type { Logger } from "pino";
import { verifySessionSecret } from "~/payments/url-secrets.server";
import { appKeyring, type Keyring } from "~/security/encryption.server";
import type { ServerConfig } from "./config";
import { isLoginPath, isPreapprovalPath, secretOf } from "./routes";

function keyringOrNull(): Keyring | null {
  try {
    return appKeyring();
  } catch {
    return null;
  }
}

/** True when the path carries a valid per-session secret (checked like the routes do, without the database). */
export function hasValidSecret(pathname: string): boolean {
  const found = secretOf(pathname);
  const keyring = found ? keyringOrNull() : null;
  return Boolean(found && keyring && verifySessionSecret(found.sessionId, found.secret, keyring));
}

export function createRateLimits(config: ServerConfig["rateLimits"], logger: Logger): RequestHandler[] {
  const common = {
    standardHeaders: "draft-7" as const,
    legacyHeaders: false,
    logger: {
      error: (error: unknown, message?: string) => logger.error({ err: error }, message ?? "rate limiter error"),
      warn: (error: unknown, message?: string) => logger.warn({ err: error }, message ?? "rate limiter warning"),
    },
    handler: (req: Request, res: Response, _next: unknown, options: { statusCode: number; message: unknown }) => {
      logger.warn({ reqId: (req as { id?: unknown }).id, limiter: (options.message as { limiter?: string }).limiter }, "rate limit reached");
      res.status(options.statusCode).json(options.message);
    },
  };
  const path = (req: Request) => req.path;

  const login = rateLimit({
    ...common,
    windowMs: config.login.windowMs,
    limit: config.login.limit,
    message: { error: "too many login attempts from this address, try again later", limiter: "login" },
    skip: (req) => req.method !== "POST" || !isLoginPath(path(req)),
  });
  const preapproval = rateLimit({
    ...common,
    windowMs: config.preapproval.windowMs,
    limit: config.preapproval.limit,
    message: { error: "too many requests from this address, try again later", limiter: "preapproval" },
    skip: (req) => req.method !== "POST" || !isPreapprovalPath(path(req)),
  });
  const wrongSecret = rateLimit({
    ...common,
    windowMs: config.wrongSecret.windowMs,
    limit: config.wrongSecret.limit,
    message: { error: "too many requests for unknown links from this address, try again later", limiter: "wrong-secret" },
    skip: (req) => secretOf(path(req)) === null || hasValidSecret(path(req)),
    // Counted only when the app answered 404 (the secret did not match).
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 404,
  });
  // Each limiter runs only on the requests it is about: a limiter that skips still costs an async
  // round of express-rate-limit's handler per request, on every route (the widget's quote included).
  const only =
    (applies: (req: Request) => boolean, limiter: RequestHandler): RequestHandler =>
    (req, res, next) =>
      applies(req) ? limiter(req, res, next) : next();
  return [
    only((req) => req.method === "POST" && isLoginPath(path(req)), login),
    only((req) => req.method === "POST" && isPreapprovalPath(path(req)), preapproval),
    only((req) => secretOf(path(req)) !== null, wrongSecret),
  ];
}
