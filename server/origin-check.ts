/**
 * The Origin check of state-changing requests, answered before Remix.
 *
 * Remix refuses a POST/PUT/PATCH/DELETE to a page route whose Origin is not the Host (its CSRF
 * check, @remix-run/server-runtime throwIfPotentialCSRFAttack) by THROWING — which it answers 500 —
 * and an Origin that is not a URL makes it throw too. The same rule is applied here first, with a
 * 4xx: 400 when Origin is not a URL, 403 when its host is not the request's (X-Forwarded-Host's
 * first value when present, else Host — as Remix compares). "Origin: null" is another origin, as in
 * Remix. Requests without Origin (servers: Shopify, Soisy, the simulators) pass, as in Remix.
 * Applied to resource routes as well: no browser page of another origin has a reason to write here.
 */
import type { NextFunction, Request, Response } from "express";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function createOriginCheck() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!UNSAFE.has(req.method)) return next();
    const origin = req.headers.origin;
    if (typeof origin !== "string") return next();
    let originHost: string;
    if (origin === "null") originHost = "null";
    else {
      try {
        originHost = new URL(origin).host;
      } catch {
        res.status(400).json({ error: "the Origin header is not a URL" });
        return;
      }
    }
    const forwarded = req.headers["x-forwarded-host"];
    const forwardedHost = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    const host = forwardedHost || req.headers.host;
    if (!host || originHost !== host) {
      res.status(403).json({ error: "forbidden: cross-origin request" });
      return;
    }
    next();
  };
}
