/**
 * The servers the HTTP benchmark compares with the app: the bare Node ceiling (always) and Shopify's
 * payments app template when the user points at a checkout of it (--template-cmd). Each is a child
 * process whose CPU the benchmark reads from /proc; `coldStart` times spawn → first answer.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort, repoRoot, stopProcess } from "../local-stack";
import type { Target } from "./measure";

export interface Server extends Target {
  process: ChildProcess;
  /** Milliseconds from spawn to the first HTTP answer. */
  coldStartMs: number;
  stop(): Promise<void>;
}

/** Polls `url` every 5 ms until it answers with any HTTP status (a template may answer 404 on /). */
export async function firstAnswer(url: string, isAlive: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${url}: the server exited before answering`);
    try {
      await (await fetch(url, { signal: AbortSignal.timeout(1_000) })).arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function started(name: string, child: ChildProcess, port: number, probePath: string, spawnedAt: number): Promise<Server> {
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await firstAnswer(`${baseUrl}${probePath}`, () => child.exitCode === null && child.signalCode === null);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return { name, baseUrl, pid: child.pid!, process: child, coldStartMs: performance.now() - spawnedAt, stop: () => stopProcess(child) };
}

export async function startCeiling(): Promise<Server> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = fork(path.join(repoRoot, "scripts/lib/bench/ceiling-server.mjs"), [String(port)], { stdio: "ignore" });
  return started("bare node", child, port, "/", spawnedAt);
}

/** `command` runs through the shell in the template's checkout, with PORT set; see docs/performance.md. */
export async function startTemplate(command: string, cwd: string): Promise<Server> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(command, { cwd, shell: true, stdio: "ignore", env: { ...process.env, PORT: String(port), NODE_ENV: "production" } });
  return started("template", child, port, "/", spawnedAt);
}
