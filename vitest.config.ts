import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

/**
 * Three test levels, one vitest project each (`npm run test:unit`, `test:integration`, `test:e2e`;
 * `npm test` runs all three). Projects rather than three config files so `npm test` stays one run with
 * one summary and one JSON report (.ci/run reads it), and `--project` picks a level.
 *
 * - unit: pure code, no database, no server, no app build; the inner loop (under 30 s).
 * - integration: real databases, simulators and HTTP servers in the test process; the demo and the CLIs.
 * - e2e: the built app served by its production server as a child process (e2e, chaos, hostile input).
 * - bench: `npm run bench` only (bench/, no tests).
 *
 * A project's global setups run only when one of its files runs, so the unit level never builds the
 * app nor migrates a database.
 */
const withDatabase = "test/global-setup.ts";
const withAppBuild = "test/helpers/app-build-setup.ts";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    environment: "node",
    pool: "forks",
    // Two test files at a time (vitest's default on a 2-core machine is one). Every file has its own
    // database clone, simulators and servers on free ports, so files share nothing but the read-only app
    // build. Measured on the 2-core CI machine: the SQLite suite 573 s with one file at a time, 376 s
    // with two; PostgreSQL 446 s with two. `--maxWorkers=1` runs one file at a time.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    // Benchmarks (`npm run bench`) belong to the bench project only: otherwise every project would run them.
    benchmark: { include: [] },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        // `npm run bench` only (no tests): benchmarks with a real database, no app build.
        extends: true,
        test: {
          name: "bench",
          include: [],
          benchmark: { include: ["bench/**/*.bench.ts"] },
          globalSetup: [withDatabase],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: [withAppBuild, withDatabase],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/chaos/**/*.test.ts", "test/hostile/**/*.test.ts"],
          globalSetup: [withAppBuild, withDatabase],
        },
      },
    ],
  },
});
