/** The HTTP benchmark's `--memory` line: what scripts/lib/bench/probe.mjs answers on /memory, in MB. */
export interface MemoryReport {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  wasm: number;
  anonymous: number;
  file: number;
  spaces: Record<string, { size: number; used: number }>;
  /** Since the process started: garbage collections by kind, milliseconds the main thread paused for them. */
  gc: { scavenges: number; markCompacts: number; pauseMs: number };
}

/** Garbage collections between two reports, per 1,000 requests served in between. */
export function gcLine(before: MemoryReport, after: MemoryReport, requests: number): string {
  const per = (n: number) => ((n * 1000) / requests).toFixed(1);
  return (
    `GC per 1,000 requests: ${per(after.gc.scavenges - before.gc.scavenges)} scavenges, ` +
    `${per(after.gc.markCompacts - before.gc.markCompacts)} mark-compacts, ${per(after.gc.pauseMs - before.gc.pauseMs)} ms of pauses`
  );
}

const SPACES: [string, string][] = [
  ["new", "young"],
  ["old", "old"],
  ["code", "code"],
  ["large_object", "large"],
];

/** One line: RSS, Linux's anonymous/file split, V8's heap by space (size/used), external, Wasm. */
export function memoryLine(m: MemoryReport): string {
  const spaces = SPACES.map(([key, label]) => (m.spaces[key] ? `${label} ${m.spaces[key].size}/${m.spaces[key].used}` : "")).filter(Boolean);
  const otherSize = Object.entries(m.spaces)
    .filter(([key]) => !SPACES.some(([k]) => k === key))
    .reduce((sum, [, s]) => sum + s.size, 0);
  // Anonymous memory V8 neither holds as heap nor counts as external: the C heap (malloc), thread stacks.
  const native = m.anonymous - m.heapTotal - m.external - m.wasm;
  return (
    `RSS ${m.rss} MB (files ${m.file}, anonymous ${m.anonymous}) = V8 heap ${m.heapTotal} (used ${m.heapUsed}: ` +
    `${spaces.join(", ")}, other ${otherSize.toFixed(1)}) + external ${m.external} + Wasm ${m.wasm} + native ${native.toFixed(1)}`
  );
}
