/**
 * Global setup of the test levels that serve the app (vitest.config.ts: integration, e2e): builds it once
 * per `vitest run` into APP_BUILD_DIR (default `build/`), like `npm run build`. SKIP_APP_BUILD=1 reuses a
 * build that is already there.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
/** Set once built: both projects list this setup, and a run of both must build once. */
const BUILT = "SOISY_TEST_APP_BUILT";

export default function setup() {
  // End-to-end tests serve the production build with its server (`<build>/server.mjs`), like `npm start`.
  const buildDir = path.resolve(root, process.env.APP_BUILD_DIR || "build");
  if (process.env[BUILT] === buildDir) return;
  const present = existsSync(path.join(buildDir, "server/index.js")) && existsSync(path.join(buildDir, "server.mjs"));
  if (process.env.SKIP_APP_BUILD === "1" && present) return;
  const started = Date.now();
  execFileSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  process.env[BUILT] = buildDir;
  console.log(`[tests] app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
