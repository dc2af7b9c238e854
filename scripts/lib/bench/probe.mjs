// Loaded into an app instance by the HTTP benchmark (NODE_OPTIONS=--import …/probe.mjs); never in
// production. A tiny HTTP server on BENCH_PROBE_PORT answering:
//   GET /             how many SQL statements the app's database client has sent, and the last ones
//                     (app/db.server.ts counts them when DB_COUNT_STATEMENTS=1)
//   GET /profile/start  starts V8's CPU profiler in this process (node:inspector)
//   GET /profile/stop   stops it and answers the profile (.cpuprofile JSON)
//   GET /memory         where the resident memory is: process.memoryUsage(), V8's heap spaces, the
//                       WebAssembly memories (Prisma's query compiler), Linux's anonymous/file split
//                       and the garbage collections so far (only with BENCH_PROBE_MEMORY=1: bench:http --memory)
// so a profile covers exactly one workload's measured rounds, not the start-up or the warm-up.
import { readFileSync } from "node:fs";
import http from "node:http";
import inspector from "node:inspector";
import { PerformanceObserver, constants } from "node:perf_hooks";
import v8 from "node:v8";

const port = Number(process.env.BENCH_PROBE_PORT);
const watchMemory = process.env.BENCH_PROBE_MEMORY === "1";
let session = null;

// Wasm linear memory is outside V8's heap and never shrinks; process.memoryUsage() does not name it.
// Prisma instantiates its query compiler with `new WebAssembly.Instance`, so the probe (loaded first)
// wraps that constructor to keep each instance's exported memory.
const wasmMemories = [];
if (watchMemory) WebAssembly.Instance = new Proxy(WebAssembly.Instance, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) wasmMemories.push(value);
    return instance;
  },
});

// What a heap setting costs: garbage collections by kind and their pauses of the main thread (the
// work of V8's helper threads shows in the process's CPU time, which the benchmark reads from /proc).
const gc = { scavenges: 0, markCompacts: 0, pauseMs: 0 };
if (watchMemory) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++;
      else if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.markCompacts++;
      gc.pauseMs += entry.duration;
    }
  }).observe({ entryTypes: ["gc"] });
}

const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;

function memory() {
  const usage = Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v)]));
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ""), { size: mb(s.space_size), used: mb(s.space_used_size) }]));
  const rollup = readFileSync("/proc/self/smaps_rollup", "utf8");
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0);
  return {
    ...usage,
    wasm: mb(wasmMemories.reduce((sum, m) => sum + m.buffer.byteLength, 0)),
    anonymous: mb(kb("Anonymous") * 1024),
    file: mb((kb("Rss") - kb("Anonymous")) * 1024),
    spaces,
    gc: { ...gc },
  };
}

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
  if (req.url === "/memory" && watchMemory) return memory();
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
