/**
 * `npm start`'s Node flags (package.json "start"): every spawned server reads them from there, and a
 * flag this Node does not know stops it at once ("bad option"), so they are checked here, not at the
 * first deployment.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseStartFlags, productionNodeFlags } from "../../scripts/lib/start-flags";

describe("npm start's Node flags", () => {
  it("are read from the start script, which must stay `node [--flags] <build>/server.mjs`", () => {
    expect(parseStartFlags("node ${APP_BUILD_DIR:-build}/server.mjs")).toEqual([]);
    expect(parseStartFlags("node --a=1 --b build/server.mjs")).toEqual(["--a=1", "--b"]);
    expect(() => parseStartFlags("tsx server/main.ts")).toThrow(/not "node \[--flags\]/);
    expect(() => parseStartFlags("node --a=1 build/server.mjs && echo hi")).toThrow();
  });

  it("bound V8's heap (docs/performance.md: RSS under load) and are accepted by this Node", () => {
    const flags = productionNodeFlags();
    expect(flags.some((f) => f.startsWith("--max-semi-space-size="))).toBe(true);
    expect(flags.some((f) => f.startsWith("--heap-growing-percent="))).toBe(true);
    const argv = execFileSync(process.execPath, [...flags, "-p", "JSON.stringify(process.execArgv)"], { encoding: "utf8" });
    expect(JSON.parse(argv)).toEqual([...flags, "-p", "JSON.stringify(process.execArgv)"]);
  });
});
