/**
 * The production build (`npm run build`: `remix vite:build`, then the server bundle) is quiet: every
 * warning it used to print came from the project and was fixed at its cause, or comes from third-party
 * code and is quieted by name in vite.config.ts. A new warning fails this test, so it gets fixed (or
 * explained there) instead of becoming noise at every demo start.
 */
import { execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

/** What a quiet build prints: Vite's progress and its list of written files with their sizes. */
const NORMAL = [
  /^vite v[\d.]+ building (SSR bundle )?for production\.\.\.$/,
  /^(transforming|rendering chunks|computing gzip size)\.\.\.$/,
  /^✓ \d+ modules transformed\.$/,
  /^✓ built in [\d.]+m?s$/,
  /^\.builds\/warnings-\d+\/\S+\s+[\d.,]+ kB( │ gzip: +[\d.,]+ kB)?( │ map: +[\d.,]+ kB)?$/,
];

describe("npm run build", () => {
  it("prints no warning", { timeout: 300_000 }, async () => {
    // Inside the project (an outDir outside the root is itself a Vite warning); .builds/ is ignored by git.
    const buildDir = path.join(".builds", `warnings-${process.pid}`);
    try {
      const { stdout, stderr } = await run(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
        cwd: root,
        env: { ...process.env, NODE_ENV: "production", APP_BUILD_DIR: buildDir, FORCE_COLOR: "0", NO_COLOR: "1" },
        timeout: 280_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(existsSync(path.join(root, buildDir, "server.mjs"))).toBe(true);
      // Any line that is not Vite's progress report is a warning (whichever stream it went to).
      const lines = `${stdout}\n${stderr}`.split("\n").filter((line) => line.trim());
      expect(lines.filter((line) => /^✓ built in /.test(line)).length).toBe(2);
      expect(lines.filter((line) => !NORMAL.some((re) => re.test(line)))).toEqual([]);
    } finally {
      rmSync(path.join(root, buildDir), { recursive: true, force: true });
    }
  });
});
