/**
 * The Express app in front of the Remix build, in the order a request meets it: request id and
 * access log → static files → (draining: Connection: close) → Shopify proof on the session routes
 * → per-IP rate limits → the body, read with its route's limit → Remix (resource routes with a fixed
 * path straight to their loader or action: direct-routes.ts).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { createRequestHandler } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { createAccessLog } from "./access-log";
import { createDirectRoutes } from "./direct-routes";
import { BodyReadError, BodyTooLargeError, closeIfAnsweredEarly, readBody } from "./body";
import type { ServerConfig } from "./config";
import { createRateLimits } from "./rate-limits";
import { createOriginCheck } from "./origin-check";
import { createFetchRequest, sendFetchResponse } from "./remix-adapter";
import { bodyLimitFor, needsShopifyProof } from "./routes";
import { createShopifyProofCheck } from "./shopify-proof";

export interface AppState {
  /** Set when the process is stopping: answers say Connection: close so clients reconnect elsewhere. */
  draining: boolean;
}

const ONE_YEAR_S = 365 * 24 * 3600;

/** URL paths of the files under the client build directory, except assets/ (served on its own). */
function staticFilesOf(clientDir: string): Set<string> {
  const files = new Set<string>();
  for (const entry of readdirSync(clientDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const relative = path.relative(clientDir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
    if (!relative.startsWith("assets/")) files.add(`/${relative}`);
  }
  return files;
}

export function createApp(options: { build: ServerBuild; clientDir: string; config: ServerConfig; logger: Logger; state: AppState }) {
  const { build, clientDir, config, logger, state } = options;
  const handleRemix = createRequestHandler(build, "production");
  const direct = createDirectRoutes(build, logger);
  const proofCheck = createShopifyProofCheck(config.shopifyProof);
  const omitHeaders = new Set(config.shopifyProof.header ? [config.shopifyProof.header.name] : []);

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  // Express's query parser is not used (Remix reads the URL itself).
  app.set("query parser", false);

  app.use((req, res, next) => {
    closeIfAnsweredEarly(req, res, () => state.draining);
    next();
  });
  app.use(createAccessLog(logger));

  // Fingerprinted build assets never change; everything else in the client dir may.
  app.use("/assets", express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: ONE_YEAR_S * 1000, index: false, redirect: false }));
  // The few other client files (favicon…) are listed once at start: express.static would otherwise
  // stat the disk for every request that is not a file (bench:http measured 8 % of a quote hit).
  const clientFiles = staticFilesOf(clientDir);
  const serveClientFile = express.static(clientDir, { maxAge: 3_600_000, index: false, redirect: false });
  app.use((req, res, next) => (clientFiles.has(req.path) ? serveClientFile(req, res, next) : next()));

  app.use((req, res, next) => {
    if (!needsShopifyProof(req.path)) return next();
    const verdict = proofCheck(req);
    if (verdict.ok) return next();
    logger.warn({ reqId: (req as { id?: unknown }).id, reason: verdict.reason }, "session request refused: no proof it comes from Shopify");
    res.status(403).json({ error: "forbidden: this endpoint only accepts Shopify's mTLS-authenticated requests" });
  });

  app.use(createRateLimits(config.rateLimits, logger));
  // Remix would answer a cross-origin or malformed Origin on a page route's action with a 500.
  app.use(createOriginCheck());

  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const limit = bodyLimitFor(req.method, req.path);
    let body: Buffer | null = null;
    if (limit.bytes > 0) {
      try {
        body = await readBody(req, limit.bytes, limit.what);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          res.status(413).json({ error: `payload too large: a ${error.what} body may be at most ${error.limit} bytes` });
          return;
        }
        if (error instanceof BodyReadError) {
          // The client aborted or sent a broken body: nothing sensible to answer.
          if (!res.headersSent) res.status(400).json({ error: "the request body could not be read" });
          return;
        }
        return next(error);
      }
    }
    try {
      const route = direct.find(req.method, req.originalUrl, req.path);
      const request = createFetchRequest(req, res, body, omitHeaders, !route);
      const response = await (route ? direct.answer(route, request) : handleRemix(request));
      await sendFetchResponse(res, response);
    } catch (error) {
      next(error);
    }
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: error, reqId: (req as { id?: unknown }).id }, "unhandled error while serving a request");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).json({ error: "internal error" });
  });

  return app;
}
