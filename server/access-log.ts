/**
 * The access log: one JSON line per request through the app's pino logger (its redaction applies),
 * with method, URL (per-session secrets and sensitive query values replaced by "[redacted]"),
 * status, duration in ms and the request id (also answered as X-Request-Id). Headers — cookies,
 * Authorization, the TLS terminator's proof — are never logged.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import { redactUrl } from "./routes";

type LoggedRequest = IncomingMessage & { id?: string | number; originalUrl?: string };

function line(req: LoggedRequest, res: ServerResponse, ms: number) {
  return {
    reqId: req.id,
    method: req.method,
    url: redactUrl(req.originalUrl ?? req.url ?? ""),
    status: res.statusCode,
    ms,
    ...(res.writableFinished ? {} : { aborted: true }),
  };
}

export function createAccessLog(logger: Logger) {
  return pinoHttp({
    logger: logger.child({ component: "http" }),
    genReqId: (_req, res) => {
      const id = randomUUID();
      res.setHeader("X-Request-Id", id);
      return id;
    },
    // The line carries reqId itself (no child logger binding it twice).
    quietResLogger: true,
    wrapSerializers: false,
    // Nothing of the request beyond what line() writes, wherever a request object is serialized.
    serializers: {
      req: (req: LoggedRequest) => ({ id: req.id, method: req.method, url: redactUrl(req.originalUrl ?? req.url ?? "") }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : "info"),
    customSuccessObject: (req, res, value: { responseTime?: number }) => line(req as LoggedRequest, res, value.responseTime ?? 0),
    customErrorObject: (req, res, error, value: { responseTime?: number }) => ({ ...line(req as LoggedRequest, res, value.responseTime ?? 0), err: error }),
    customSuccessMessage: () => "request",
    customErrorMessage: () => "request failed",
  });
}
