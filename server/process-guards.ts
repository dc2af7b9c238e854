/**
 * A stray rejection or exception somewhere in the app (a library's timer, a stream's abort) is
 * logged and the process keeps serving: one bad request must never take every shopper's checkout
 * down with it, and the process never ends silently.
 */
import type { Logger } from "pino";

export function installProcessGuards(logger: Logger): void {
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: reason }, "unhandled promise rejection (the server keeps serving)");
  });
  process.on("uncaughtException", (error, origin) => {
    logger.fatal({ err: error, origin }, "uncaught exception (the server keeps serving)");
  });
  process.on("exit", (code) => {
    if (code !== 0) logger.fatal({ code }, "the process exits");
  });
}
