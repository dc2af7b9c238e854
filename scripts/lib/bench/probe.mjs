// Loaded into the app by the HTTP benchmark's counting run (NODE_OPTIONS=--import …/probe.mjs, with
// DB_COUNT_STATEMENTS=1): a tiny HTTP server on BENCH_PROBE_PORT answering how many SQL statements the
// app's database client has sent (app/db.server.ts counts them). Never loaded in production.
import http from "node:http";

const port = Number(process.env.BENCH_PROBE_PORT);
if (port) {
  http
    .createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ statements: globalThis.__soisySqlStatements ?? 0, recent: globalThis.__soisySqlRecent ?? [] }));
    })
    .listen(port, "127.0.0.1")
    .unref();
}
