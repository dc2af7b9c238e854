// `npm run bench:http`: what a request costs the production build, side by side with a bare Node
// `http` server answering the same JSON (the ceiling) and, optionally, Shopify's payments app template
// (--template-cmd, see docs/performance.md). Per database (SQLite, PostgreSQL when reachable) it runs
// interleaved rounds of new payment sessions, repeated session ids (Shopify's retries) and widget
// quotes (cache hits) at a fixed concurrency, and prints req/s, p50/p99, server CPU ms per request
// (from /proc), RSS and CPU relative to the ceiling; then SQL statements per request (a separate,
// counting instance), cold start, and the targets of docs/performance.md. It prints; it never fails
// on a figure.
//   npm run bench:http -- [--seconds 10] [--rounds 3] [--concurrency 8] [--databases sqlite,postgres]
//                         [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]
//                         [--template-cmd "npm start" --template-dir ../template --template-path /payment_session]
//                         [--show-sql]  (print the statements of one request of each workload)
//                         [--workloads new,repeat,quote]  (a subset, e.g. to profile one)
//                         [--cpu-prof DIR]  (a V8 CPU profile of the app per workload's measured rounds, summarised by package)
//                         [--memory]  (where the app's memory is, after start and after each workload: V8 heap spaces, Wasm, GCs, …)
//                         [--app-variant "name=[VAR=value …] [--flag …]"]…  (more app instances with other Node flags, measured alongside)
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { signAppProxyQuery } from "../app/shopify/app-proxy.server";
import { runMain, startLoadStack, type LoadStack } from "./lib/load-run";
import { freePort, repoRoot, spawnApp, stopProcess } from "./lib/local-stack";
import { paymentSessionBody } from "./lib/payment-session-body";
import { measure, median, type Sample, type Send, type Target } from "./lib/bench/measure";
import { firstAnswer, startCeiling, startTemplate, type Server } from "./lib/bench/servers";
import { printTargets, printWorkload, type TargetCheck } from "./lib/bench/report";
import { summariseProfile } from "./lib/bench/profile-summary";
import { gcLine, memoryLine, type MemoryReport } from "./lib/bench/memory-report";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "8" },
    databases: { type: "string", default: "sqlite,postgres" },
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    "template-cmd": { type: "string" },
    "template-dir": { type: "string", default: "." },
    "template-path": { type: "string", default: "/payment_session" },
    "show-sql": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    memory: { type: "boolean", default: false },
    "app-variant": { type: "string", multiple: true, default: [] },
    workloads: { type: "string", default: "new,repeat,quote" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
if (!(seconds > 0) || !Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("--seconds must be > 0, --rounds and --concurrency whole numbers ≥ 1");
  process.exit(2);
}

const chosen = values.workloads!.split(",").map((w) => w.trim()) as WorkloadKey[];
if (chosen.some((w) => !["new", "repeat", "quote"].includes(w))) {
  console.error("--workloads: a comma-separated subset of new, repeat, quote");
  process.exit(2);
}

/**
 * --app-variant "name=[VAR=value …] [--flag …]": the same build and database, started with other Node
 * flags (and environment) than `npm start`'s, e.g. "semi4=--max-semi-space-size=4" or "plain=" (no flags).
 * APP_BUILD_DIR=<dir> in a variant serves another build (e.g. an earlier commit's) on the same database;
 * without flags it gets `npm start`'s.
 */
const variants = values["app-variant"]!.map((v) => {
  const at = v.indexOf("=");
  if (at < 1) {
    console.error(`--app-variant "${v}": expected "name=[VAR=value …] [--flag …]"`);
    process.exit(2);
  }
  const words = v.slice(at + 1).split(/\s+/).filter(Boolean);
  const env = Object.fromEntries(words.filter((w) => !w.startsWith("-")).map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]));
  const flags = words.filter((w) => w.startsWith("-"));
  return { name: v.slice(0, at), flags: flags.length || !env.APP_BUILD_DIR ? flags : undefined, env };
});

const SHOP = "bench.myshopify.com";
/** Loads scripts/lib/bench/probe.mjs into an app instance (statement counts, CPU profiles). */
const PROBE_IMPORT = `--import=${pathToFileURL(path.join(repoRoot, "scripts/lib/bench/probe.mjs")).href}`;
const SECRET = "bench-secret";
const REPEAT_POOL = 100;
const COUNT_REQUESTS = 20;
const AMOUNTS = Array.from({ length: 10 }, (_, i) => 19_900 + i * 12_345);
type WorkloadKey = "new" | "repeat" | "quote";
const EXPECTED: Record<WorkloadKey, number> = { new: 201, repeat: 201, quote: 200 };
const WORKLOADS: Record<WorkloadKey, string> = {
  new: "new payment session",
  repeat: "repeated session id (Shopify's retry)",
  quote: "widget quote, cache hit",
};

interface Bench {
  stack: LoadStack;
  sessionPath: (target: Target) => string;
  /** Per target, sessions already created: the repeated-id workload sends them again. */
  repeatBodies: Map<string, string[]>;
}

function sessionRequest(id: string): string {
  return JSON.stringify(paymentSessionBody(id, { shop: SHOP, amount: "1234.56" }));
}

/** POSTs a payment session (a body from `sessionRequest`: a retry must repeat its body byte for byte). */
function post(bench: Bench, target: Target, body: string): Promise<number> {
  return fetch(`${target.baseUrl}${bench.sessionPath(target)}`, {
    method: "POST",
    headers: { "content-type": "application/json", "shopify-shop-domain": SHOP, "shopify-api-version": "2026-04", ...bench.stack.proofHeaders },
    body,
  }).then(async (res) => (await res.arrayBuffer(), res.status));
}

function quoteUrl(baseUrl: string, n: number): string {
  const params = new URLSearchParams({
    amount: String(AMOUNTS[n % AMOUNTS.length]),
    shop: SHOP,
    logged_in_customer_id: "",
    path_prefix: "/apps/soisy",
    timestamp: String(Math.floor(Date.now() / 1000)),
  });
  return `${baseUrl}/proxy/quote?${signAppProxyQuery(params, SECRET)}`;
}

function sender(bench: Bench, key: WorkloadKey): Send {
  const run = randomBytes(4).toString("hex");
  let created = 0;
  if (key === "new") return (target) => post(bench, target, sessionRequest(`bench${run}x${created++}`));
  if (key === "repeat") return (target, n) => { const bodies = bench.repeatBodies.get(target.name)!; return post(bench, target, bodies[n % bodies.length]!); };
  return (target, n) => fetch(quoteUrl(target.baseUrl, n)).then(async (res) => (await res.arrayBuffer(), res.status));
}

/** Statements per request, from an extra app instance that counts them (app/db.server.ts). */
/** SQL statements per request of each workload; `elsewhere`: a retry reaching another instance. */
type Counts = Record<WorkloadKey, number> & { elsewhere: number };

/** An app instance that counts its SQL statements (probe.mjs), for countStatements(). */
async function countingInstance(bench: Bench) {
  const port = await freePort();
  const probePort = await freePort();
  const child = await spawnApp({
    port,
    stdio: "ignore",
    env: {
      ...bench.stack.appEnv,
      DB_COUNT_STATEMENTS: "1",
      BENCH_PROBE_PORT: String(probePort),
      NODE_OPTIONS: PROBE_IMPORT,
    },
  });
  const target: Target = { name: "counting", baseUrl: `http://127.0.0.1:${port}`, pid: child.pid! };
  const probe = async () => (await (await fetch(`http://127.0.0.1:${probePort}/`)).json()) as { statements: number; recent: string[] };
  const read = async () => (await probe()).statements;
  // Work a request starts after answering (none today) would land late: wait until the count holds.
  const settled = async () => {
    for (let last = await read(); ; ) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await read();
      if (now === last) return now;
      last = now;
    }
  };
  /** Statements per call of `run` over COUNT_REQUESTS sequential calls (printed with --show-sql). */
  const per = async (label: string, run: (i: number) => Promise<unknown>) => {
    const before = await settled();
    for (let i = 0; i < COUNT_REQUESTS; i++) await run(i);
    const count = ((await settled()) - before) / COUNT_REQUESTS;
    if (values["show-sql"]) {
      const n = Math.round(count);
      const last = n > 0 ? (await probe()).recent.slice(-n) : [];
      console.log(`\nSQL of the last ${label}:\n${last.map((q) => `  ${q.length > 160 ? `${q.slice(0, 157)}…` : q}`).join("\n") || "  (none)"}`);
    }
    return count;
  };
  // Steady state: the quote cache and the shop's settings cache warm (one session of its own).
  for (const n of [0, 1, 2]) await fetch(quoteUrl(target.baseUrl, n)).then((r) => r.arrayBuffer());
  await post(bench, target, sessionRequest(`warm${randomBytes(4).toString("hex")}`));
  return { target, per, stop: () => stopProcess(child) };
}

async function countStatements(bench: Bench): Promise<Counts> {
  const bodies = Array.from({ length: COUNT_REQUESTS }, (_, i) => sessionRequest(`count${randomBytes(4).toString("hex")}x${i}`));
  const one = await countingInstance(bench);
  const counts = {} as Counts;
  try {
    counts.new = await one.per(WORKLOADS.new, (i) => post(bench, one.target, bodies[i]!));
    counts.repeat = await one.per(WORKLOADS.repeat, (i) => post(bench, one.target, bodies[i]!));
    counts.quote = await one.per(WORKLOADS.quote, (i) => fetch(quoteUrl(one.target.baseUrl, i % 3)).then((r) => r.arrayBuffer()));
  } finally {
    await one.stop();
  }
  // The same retries reaching an instance that did not answer them (it knows them from the database only).
  const other = await countingInstance(bench);
  try {
    counts.elsewhere = await other.per(`${WORKLOADS.repeat} on another instance`, (i) => post(bench, other.target, bodies[i]!));
  } finally {
    await other.stop();
  }
  return counts;
}

/** Median of three cold starts of the production build: spawn → first 200 on /healthz. */
async function appColdStart(stack: LoadStack): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const spawnedAt = performance.now();
    const child = await spawnApp({ port, stdio: "ignore", env: stack.appEnv, ready: (isAlive) => firstAnswer(`http://127.0.0.1:${port}/healthz`, isAlive) });
    times.push(performance.now() - spawnedAt);
    await stopProcess(child);
  }
  return median(times);
}

async function scratchPostgres(adminUrl: string): Promise<{ url: string; drop(): Promise<void> } | null> {
  const name = `soisy_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    console.log(`\nPostgreSQL skipped: ${(error as Error).message}`);
    await admin.end().catch(() => {});
    return null;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function benchDatabase(kind: "sqlite" | "postgres", checks: TargetCheck[]): Promise<void> {
  const scratch = kind === "postgres" ? await scratchPostgres(values["pg-url"]!) : null;
  if (kind === "postgres" && !scratch) return;
  const profileDir = values["cpu-prof"] ? path.resolve(values["cpu-prof"]) : undefined;
  const probed = Boolean(profileDir) || values.memory;
  const profilePort = probed ? await freePort() : 0;
  const probeEnv = (port: number) => ({ NODE_OPTIONS: PROBE_IMPORT, BENCH_PROBE_PORT: String(port), BENCH_PROBE_MEMORY: values.memory ? "1" : "0" });
  const stack = await startLoadStack({
    shop: SHOP,
    apiSecret: SECRET,
    databaseUrl: scratch?.url,
    tmpPrefix: "soisy-bench-",
    ...(probed ? { firstInstanceEnv: probeEnv(profilePort) } : {}),
  });
  /** Probe ports of the apps whose memory `--memory` reports, by target name. */
  const probes = new Map<string, number>(values.memory ? [["app", profilePort]] : []);
  const lastReports = new Map<string, MemoryReport>();
  /** `served`: requests each target answered since the last report (for GCs per request). */
  const printMemory = async (when: string, served?: Map<string, number>) => {
    if (!values.memory) return;
    console.log(`memory ${when}:`);
    for (const [name, port] of probes) {
      const report = (await (await fetch(`http://127.0.0.1:${port}/memory`)).json()) as MemoryReport;
      const before = lastReports.get(name);
      const requests = served?.get(name);
      console.log(`  ${name}: ${memoryLine(report)}${before && requests ? `\n  ${" ".repeat(name.length)}  ${gcLine(before, report, requests)}` : ""}`);
      lastReports.set(name, report);
    }
  };
  const variantApps: ChildProcess[] = [];
  const servers: Server[] = [];
  try {
    servers.push(await startCeiling());
    if (values["template-cmd"]) servers.push(await startTemplate(values["template-cmd"], path.resolve(values["template-dir"]!)));
    const app: Target = { name: "app", baseUrl: stack.appUrl, pid: stack.pid };
    const targets: Target[] = [app];
    for (const variant of variants) {
      const port = await freePort();
      const probePort = await freePort();
      const probe = values.memory ? probeEnv(probePort) : {};
      const child = await spawnApp({ port, stdio: "ignore", env: { ...stack.appEnv, ...variant.env, ...probe }, nodeFlags: variant.flags });
      variantApps.push(child);
      targets.push({ name: variant.name, baseUrl: `http://127.0.0.1:${port}`, pid: child.pid! });
      if (values.memory) probes.set(variant.name, probePort);
    }
    targets.push(...servers);
    const bench: Bench = {
      stack,
      sessionPath: (t) => (t.name === "template" ? values["template-path"]! : "/payments/sessions"),
      repeatBodies: new Map(),
    };
    for (const t of targets) {
      const bodies = Array.from({ length: REPEAT_POOL }, (_, i) => sessionRequest(`repeat${randomBytes(4).toString("hex")}x${i}`));
      for (const body of bodies) await post(bench, t, body);
      bench.repeatBodies.set(t.name, bodies);
    }
    const dbLabel = label(kind);
    await printMemory("after start (and the repeat pool)");
    const results = new Map<WorkloadKey, Sample[][]>();
    for (const key of chosen) {
      const send = sender(bench, key);
      const those = targets.filter((t) => key !== "quote" || t.name !== "template");
      const served = new Map<string, number>();
      const count = (sample: Sample) => served.set(sample.target, (served.get(sample.target) ?? 0) + sample.requests);
      for (const t of those) count(await measure(t, send, EXPECTED[key], Math.min(2, seconds), concurrency)); // warm-up, not reported
      const perRound: Sample[][] = [];
      const soisyBefore = { calls: stack.soisy.requests.length, connections: stack.soisy.connectionsAccepted };
      if (profileDir) await fetch(`http://127.0.0.1:${profilePort}/profile/start`).then((r) => r.arrayBuffer());
      for (let r = 0; r < rounds; r++) {
        const round: Sample[] = [];
        for (const t of those) round.push(await measure(t, send, EXPECTED[key], seconds, concurrency));
        round.forEach(count);
        perRound.push(round);
      }
      results.set(key, perRound);
      printWorkload(`${WORKLOADS[key]} — ${dbLabel}, ${concurrency} connections, ${rounds} × ${seconds} s`, perRound, "bare node");
      const soisyCalls = stack.soisy.requests.length - soisyBefore.calls;
      // The total shows the app's pool bound (OUTGOING_MAX_CONNECTIONS_PER_HOST) holds, warm-up included.
      if (soisyCalls > 0) {
        const opened = stack.soisy.connectionsAccepted - soisyBefore.connections;
        console.log(`Soisy (simulator): ${soisyCalls} calls over ${opened} new TCP connections (${stack.soisy.connectionsAccepted} accepted since it started)`);
      }
      await printMemory("after these rounds (and the warm-up)", served);
      if (profileDir) {
        const file = path.join(profileDir, `${kind}-${key}.cpuprofile`);
        mkdirSync(profileDir, { recursive: true });
        writeFileSync(file, await (await fetch(`http://127.0.0.1:${profilePort}/profile/stop`)).text());
        console.log(`\nCPU profile of the app during those rounds (${file}), by package:\n${summariseProfile(file)}`);
      }
    }
    const statements = await countStatements(bench);
    console.log(
      `\nSQL statements per request (${dbLabel}): new ${statements.new}, repeated id ${statements.repeat} (on another instance ${statements.elsewhere}), quote hit ${statements.quote}`,
    );
    const appMedian = (key: WorkloadKey, pick: (s: Sample) => number) =>
      median((results.get(key) ?? []).flatMap((round) => round.filter((s) => s.target === "app").map(pick)));
    const cpuRatio = (key: WorkloadKey) =>
      median((results.get(key) ?? []).map((round) => round.find((s) => s.target === "app")!.cpuMsPerRequest / round.find((s) => s.target === "bare node")!.cpuMsPerRequest));
    const ran = (key: WorkloadKey) => results.has(key);
    checks.push(
      ...(ran("new")
        ? [
            { what: `${dbLabel}: new session, CPU per request`, measured: appMedian("new", (s) => s.cpuMsPerRequest), unit: "ms", ceiling: kind === "sqlite" ? 3 : 4 },
            ...(kind === "sqlite" ? [{ what: `${dbLabel}: new session, p99 at ${concurrency} connections`, measured: appMedian("new", (s) => s.p99), unit: "ms", ceiling: 50 }] : []),
          ]
        : []),
      { what: `${dbLabel}: new session, SQL statements`, measured: statements.new, unit: "", ceiling: 4 },
      ...(ran("repeat") ? [{ what: `${dbLabel}: repeated id, CPU per request`, measured: appMedian("repeat", (s) => s.cpuMsPerRequest), unit: "ms", ceiling: 1 }] : []),
      { what: `${dbLabel}: repeated id, SQL statements`, measured: statements.repeat, unit: "", ceiling: 1 },
      { what: `${dbLabel}: repeated id on another instance, SQL statements`, measured: statements.elsewhere, unit: "", ceiling: 1 },
      ...(ran("quote")
        ? [
            { what: `${dbLabel}: quote hit, CPU per request`, measured: appMedian("quote", (s) => s.cpuMsPerRequest), unit: "ms", ceiling: 0.3 },
            { what: `${dbLabel}: quote hit, CPU relative to bare node`, measured: cpuRatio("quote"), unit: "×", ceiling: 6 },
          ]
        : []),
      { what: `${dbLabel}: RSS under load`, measured: Math.max(...[...results.values()].flat(2).filter((s) => s.target === "app").map((s) => s.rssMb)), unit: "MB", ceiling: 200 },
    );
    if (kind === "sqlite") {
      const cold = await appColdStart(stack);
      console.log(`\ncold start to first 200: app ${cold.toFixed(0)} ms; ${servers.map((s) => `${s.name} ${s.coldStartMs.toFixed(0)} ms`).join("; ")}`);
      checks.push({ what: "cold start to first 200", measured: cold / 1000, unit: "s", ceiling: 1.2 });
    }
  } finally {
    for (const child of variantApps) await stopProcess(child);
    for (const s of servers) await s.stop();
    await stack.close();
    await scratch?.drop();
  }
}

const label = (kind: "sqlite" | "postgres") => (kind === "sqlite" ? "SQLite" : "PostgreSQL");

runMain(async () => {
  const checks: TargetCheck[] = [];
  console.log(`bench:http — production build (${process.env.APP_BUILD_DIR || "build"}), Soisy simulator answering at once; server CPU from /proc`);
  for (const kind of values.databases!.split(",").map((d) => d.trim())) {
    if (kind !== "sqlite" && kind !== "postgres") throw new Error(`--databases: unknown "${kind}" (sqlite, postgres)`);
    await benchDatabase(kind, checks);
  }
  printTargets(checks);
});
