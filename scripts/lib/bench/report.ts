/** Printing the HTTP benchmark's figures: one table per workload and database, then the targets. */
import { median, type Sample } from "./measure";

const num = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "—");
/** "0", or the unexpected answers by status, e.g. "503×12". */
const errorText = (errors: Record<string, number>) =>
  Object.entries(errors).map(([status, n]) => `${status === "0" ? "none" : status}×${n}`).join(" ") || "0";

/** Rounds × targets, then each target's median and its ratio to the ceiling's, round by round. */
export function printWorkload(title: string, rounds: Sample[][], ceilingName: string): void {
  console.log(`\n${title}`);
  console.log(
    `${"round".padEnd(7)}${"server".padEnd(12)}${"req/s".padStart(8)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}` +
      `${"CPU ms/req".padStart(12)}${"RSS MB".padStart(8)}${"errors".padStart(8)}${"CPU × bare".padStart(12)}`,
  );
  rounds.forEach((round, r) => {
    const ceiling = round.find((s) => s.target === ceilingName);
    for (const s of round) {
      const ratio = ceiling && s.target !== ceilingName ? `${num(s.cpuMsPerRequest / ceiling.cpuMsPerRequest, 1)}×` : "";
      console.log(
        `${String(r + 1).padEnd(7)}${s.target.padEnd(12)}${num(s.reqPerSecond, 0).padStart(8)}${num(s.p50).padStart(9)}${num(s.p99).padStart(9)}` +
          `${num(s.cpuMsPerRequest, 3).padStart(12)}${num(s.rssMb, 0).padStart(8)}${errorText(s.errors).padStart(8)}${ratio.padStart(12)}`,
      );
    }
  });
  for (const name of new Set(rounds.flat().map((s) => s.target))) {
    const of = rounds.flatMap((round) => round.filter((s) => s.target === name));
    console.log(
      `${"median".padEnd(7)}${name.padEnd(12)}${num(median(of.map((s) => s.reqPerSecond)), 0).padStart(8)}${num(median(of.map((s) => s.p50))).padStart(9)}` +
        `${num(median(of.map((s) => s.p99))).padStart(9)}${num(median(of.map((s) => s.cpuMsPerRequest)), 3).padStart(12)}${num(median(of.map((s) => s.rssMb)), 0).padStart(8)}`,
    );
  }
}

export interface TargetCheck {
  what: string;
  measured: number;
  unit: string;
  ceiling: number;
}

export function printTargets(checks: TargetCheck[]): void {
  console.log(`\ntargets (docs/performance.md)`);
  for (const c of checks) {
    const met = c.measured <= c.ceiling ? "met" : "NOT met";
    console.log(`  ${c.what.padEnd(58)}${num(c.measured, 3).padStart(10)} ${c.unit.padEnd(6)} ≤ ${String(c.ceiling).padEnd(6)} ${met}`);
  }
}
