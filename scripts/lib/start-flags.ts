/**
 * The Node flags `npm start` runs the production server with. package.json "start" is their one
 * source (`node <flags> <build>/server.mjs`): V8's heap sizing cannot be changed once the process
 * runs, so it must be on the command line, and every server the project spawns (tests, demo,
 * benchmark) reads the flags from here to run as operators run it. docs/performance.md says why
 * these flags.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** `node --a --b=1 path/server.mjs` → ["--a", "--b=1"]; anything else in "start" is an error, not ignored. */
export function parseStartFlags(start: string): string[] {
  const match = /^node((?:\s+--[\w-]+(?:=\S+)?)*)\s+\S+\/server\.mjs$/.exec(start.trim());
  if (!match) throw new Error(`package.json "start" is not "node [--flags] <build>/server.mjs": ${start}`);
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: { start: string } };
  return parseStartFlags(pkg.scripts.start);
}
