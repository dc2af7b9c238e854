// Loaded into an app instance by the HTTP benchmark (NODE_OPTIONS=--import …/probe.mjs); never in
// production. A tiny HTTP server on BENCH_PROBE_PORT answering:
//   GET /             how many SQL statements the app's database client has sent, and the last ones
//                     (app/db.server.ts counts them when DB_COUNT_STATEMENTS=1)
//   GET /profile/start  starts V8's CPU profiler in this process (node:inspector)
//   GET /profile/stop   stops it and answers the profile (.cpuprofile JSON)
// so a profile covers exactly one workload's measured rounds, not the start-up or the warm-up.
import http from "node:http";
import inspector from "node:inspector";

const port = Number(process.env.BENCH_PROBE_PORT);
let session = null;

function post(method, params = {}) {
  return new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
}

async function answer(req) {
  if (req.url === "/profile/start") {
    session ??= new inspector.Session();
    session.connect();
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: 200 });
    await post("Profiler.start");
    return {};
  }
  if (req.url === "/profile/stop") {
    const { profile } = await post("Profiler.stop");
    session.disconnect();
    return profile;
  }
  return { statements: globalThis.__soisySqlStatements ?? 0, recent: globalThis.__soisySqlRecent ?? [] };
}

if (port) {
  http
    .createServer((req, res) => {
      answer(req).then(
        (body) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)),
        (error) => res.writeHead(500).end(String(error)),
      );
    })
    .listen(port, "127.0.0.1")
    .unref();
}
