/**
 * The access log: one JSON line per request through the app's pino logger (its redaction applies),
 * with method, URL (per-session secrets and sensitive query values replaced by "[redacted]"),
 * status, duration in ms and the request id (also answered as X-Request-Id). Headers — cookies,
 * Authorization, the TLS terminator's proof — are never logged. A request that ends in a 5xx is
 * logged at "error" ("request failed"), one whose client went away before the answer with
 * `aborted: true`.
 *
 * Written here rather than with pino-http: pino-http builds one or two child loggers per request
 * and serializes the request into them even when nothing is logged (LOG_LEVEL=warn); that and its
 * bookkeeping were about a tenth of a widget quote hit's CPU (npm run bench:http -- --cpu-prof).
 * What it did for this app is the thirty lines below.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { redactUrl } from "./routes";

type LoggedRequest = IncomingMessage & { id?: string; originalUrl?: string };

export function createAccessLog(logger: Logger) {
  const log = logger.child({ component: "http" });
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const id = randomUUID();
    (req as LoggedRequest).id = id;
    res.setHeader("X-Request-Id", id);
    const started = performance.now();
    const done = () => {
      res.off("finish", done);
      res.off("close", done);
      const failed = res.statusCode >= 500;
      const level = failed ? "error" : "info";
      if (!log.isLevelEnabled(level)) return;
      const r = req as LoggedRequest;
      log[level](
        {
          reqId: id,
          method: r.method,
          url: redactUrl(r.originalUrl ?? r.url ?? ""),
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        failed ? "request failed" : "request",
      );
    };
    res.on("finish", done);
    res.on("close", done);
    next();
  };
}
