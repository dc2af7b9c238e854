/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its samples, grouped the way the performance work
 * reads them: by npm package (`node_modules/<pkg>`, scoped names kept), the app's own code (the build's
 * server bundle), Node's internals, garbage collection and idle time. Time spent in Node's internals or
 * native code is charged to the nearest package (or the app) that called it, so "undici" or "node:fs"
 * work shows up under whoever asked for it. Prints the top groups with their share of the busy
 * (non-idle) samples.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function groupOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === "(idle)") return "(idle)";
  if (functionName === "(garbage collector)") return "(garbage collector)";
  if (functionName === "(program)") return "(program: V8/native)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return "node internals";
  if (/\/server\/index\.js|\/server\.mjs/.test(url)) return "app (server bundle)";
  return url ? "other" : "(native)";
}

export function summariseProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const unowned = new Set(["node internals", "(native)", "other"]);
  const owner = (id: number): string => {
    const own = groupOf(byId.get(id)!);
    if (!unowned.has(own)) return own;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const g = groupOf(byId.get(up)!);
      if (!unowned.has(g) && !g.startsWith("(")) return g;
    }
    return own;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const group = owner(id);
    totals.set(group, (totals.get(group) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const busy = [...totals].filter(([g]) => g !== "(idle)").reduce((n, [, us]) => n + us, 0);
  const rows = [...totals].filter(([g]) => g !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, top);
  return rows.map(([group, us]) => `  ${group.padEnd(44)}${((100 * us) / busy).toFixed(1).padStart(6)} %`).join("\n");
}
