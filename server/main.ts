/**
 * `npm start`: the app's production HTTP(S) server (docs/server.md). Bundled by the Vite build into
 * `<build dir>/server.mjs`, next to the Remix build it serves (`server/index.js`, `client/`).
 * Node's own fetch/Request/Response are used (no installGlobals).
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createLogger } from "~/logger.server";
import { createApp, type AppState } from "./app";
import { loadServerConfig, ServerConfigError, type ServerConfig } from "./config";
import { installProcessGuards } from "./process-guards";

const rootLogger = createLogger();
const logger = rootLogger.child({ component: "server" });
installProcessGuards(logger);

const buildDir = path.dirname(fileURLToPath(import.meta.url));

function fail(message: string): never {
  logger.fatal(message);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let config: ServerConfig;
try {
  config = loadServerConfig();
} catch (error) {
  fail(error instanceof ServerConfigError ? error.message : `The server cannot start: ${String(error)}`);
}

let build: ServerBuild;
try {
  build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
} catch (error) {
  const missing = (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes("server/index.js");
  fail(
    missing
      ? `The server cannot start: no Remix build in ${buildDir} (run npm run build)`
      : `The server cannot start: loading the app (${buildDir}/server/index.js) failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

const proof = config.shopifyProof;
if (proof.off) {
  logger.warn("SHOPIFY_MTLS=off: payment and refund session requests are accepted without proof that they come from Shopify");
} else if (!proof.clientCa && !proof.header) {
  logger.info("no Shopify mTLS proof configured (not production): session requests are not checked");
} else {
  logger.info({ clientCertificate: Boolean(proof.clientCa), header: proof.header?.name ?? null }, "session requests need Shopify's mTLS proof");
}

const state: AppState = { draining: false };
const app = createApp({ build, clientDir: path.join(buildDir, "client"), config, logger: rootLogger, state });

const server: Server = config.tls
  ? createHttpsServer(
      {
        cert: config.tls.cert,
        key: config.tls.key,
        // Client certificates are asked for but checked per route (only Shopify's session calls need one).
        ...(proof.clientCa ? { ca: proof.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
      },
      app,
    )
  : createHttpServer(app);

server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
  logger.debug({ err: error, code: error.code }, "client connection error");
  if (socket.writable && !socket.destroyed) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  else socket.destroy();
});

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const scheme = config.tls ? "https" : "http";
  logger.info({ url: `${scheme}://${config.host ?? "localhost"}:${port}`, trustProxy: config.trustProxy }, "listening");
});

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, "already stopping");
    return;
  }
  stopping = true;
  state.draining = true;
  logger.info({ signal, graceMs: config.shutdownGraceMs }, "stopping: no new connections, finishing the requests in flight");
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections that fall idle while draining are closed as soon as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), config.shutdownGraceMs)));
  if (await Promise.race([closed.then(() => false), graceOver])) {
    logger.warn("grace period over: closing the connections still open");
    server.closeAllConnections();
  }
  clearTimeout(timer);
  clearInterval(sweep);
  const shutdown = (build.entry.module as { shutdown?: () => Promise<void> | void }).shutdown;
  try {
    await shutdown?.();
  } catch (error) {
    logger.error({ err: error }, "the app's shutdown failed");
  }
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", (signal) => void stop(signal));
process.on("SIGINT", (signal) => void stop(signal));
