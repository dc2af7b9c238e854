/**
 * One measurement of the HTTP benchmark: `concurrency` keep-alive clients send one kind of request
 * to one server for a fixed time; the server's CPU and memory come from /proc, so the client's own
 * work (and the in-process Soisy simulator's) is not counted against it.
 */
import { cpuMs, processTree, rssMb } from "./proc";
import { percentile } from "../load-run";

/** A server under test. */
export interface Target {
  name: string;
  baseUrl: string;
  pid: number;
}

/** Sends request number `n` of a workload to a target; the answer's HTTP status (0: no answer). */
export type Send = (target: Target, n: number) => Promise<number>;

export interface Sample {
  target: string;
  requests: number;
  /** Answers other than the expected status, by status ("0": no answer). */
  errors: Record<string, number>;
  reqPerSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number;
  rssMb: number;
}

export async function measure(target: Target, send: Send, expected: number, seconds: number, concurrency: number): Promise<Sample> {
  const cpuBefore = cpuMs(processTree(target.pid));
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const n = next++;
        const sent = performance.now();
        const status = await send(target, n).catch(() => 0);
        latencies.push(performance.now() - sent);
        if (status !== expected) errors[status] = (errors[status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const tree = processTree(target.pid);
  const cpu = cpuMs(tree) - cpuBefore;
  latencies.sort((a, b) => a - b);
  return {
    target: target.name,
    requests: latencies.length,
    errors,
    reqPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerRequest: cpu / latencies.length,
    rssMb: rssMb(tree),
  };
}

/** The median of some numbers (the figure a round-robin of noisy rounds is summed up by). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
