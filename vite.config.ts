import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

const port = Number(process.env.PORT || 3000);
// Where `vite build` writes (default build/); tests and helpers read the same variable.
const buildDirectory = process.env.APP_BUILD_DIR || "build";

/**
 * After the Remix server build: bundles the production server (server/main.ts) into
 * `<build dir>/server.mjs` with esbuild, packages left external, so `npm start` runs plain node.
 */
function productionServer(): Plugin {
  let ssr = false;
  return {
    name: "soisy-production-server",
    apply: "build",
    configResolved(config) {
      ssr = Boolean(config.build.ssr);
    },
    async closeBundle() {
      if (!ssr) return;
      const { build } = await import("esbuild");
      await build({
        entryPoints: [path.resolve("server/main.ts")],
        outfile: path.resolve(buildDirectory, "server.mjs"),
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node22",
        packages: "external",
        tsconfig: path.resolve("tsconfig.json"),
        sourcemap: "linked",
        logLevel: "warning",
      });
    },
  };
}

/**
 * The name Rollup gives a route's entry chunk: the file name without extension, through Rollup's default
 * `output.sanitizeFileName` ("app.refunds.$id.ts" → "app.refunds._id"; its control characters left out,
 * no route file has them).
 */
const chunkName = (file: string) => path.basename(file).replace(/\.[^.]*$/, "").replace(/["#$%&*+,:;<=>?[\]^`{|}]/g, "_");

/**
 * Keeps the build quiet about what only third-party code causes; any other warning still prints, and
 * test/integration/build-warnings.test.ts fails on it.
 * - "Generated an empty chunk" for a resource route (no default export, e.g. healthz, webhooks.*): the
 *   Remix Vite plugin makes every route module a client entry and strips its server exports, so a route
 *   with nothing for the browser becomes an empty chunk, which Remix's manifest needs
 *   (remix-run/remix#9055, closed unfixed for Remix 2). Only routes whose client module exports nothing
 *   are quieted; an empty chunk of anything else still warns.
 * - Comments in zod's published code (node_modules/zod/v4/core) that Rollup cannot read as annotations.
 */
function quietThirdPartyWarnings(): Plugin {
  const emptyRouteChunks = new Set<string>();
  return {
    name: "soisy-quiet-third-party-warnings",
    apply: "build",
    moduleParsed(info) {
      const [file, query] = info.id.split("?");
      if (query === "__remix-build-client-route" && file && info.exports?.length === 0) emptyRouteChunks.add(chunkName(file));
    },
    onLog(_level, log) {
      if (log.code === "EMPTY_BUNDLE" && log.names?.length && log.names.every((name) => emptyRouteChunks.has(name))) return false;
      if (log.code === "INVALID_ANNOTATION" && /[\\/]node_modules[\\/]zod[\\/]/.test(log.id ?? "")) return false;
    },
  };
}

export default defineConfig({
  server: {
    host: process.env.HOST || "localhost",
    port,
    strictPort: true,
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    remix({
      buildDirectory,
      ignoredRouteFiles: ["**/.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        // Decided, not forgotten (Remix warns at every build while a v3 flag is unset): loaders keep
        // returning json() responses; single fetch comes with the move to React Router v7.
        v3_singleFetch: false,
      },
    }),
    tsconfigPaths(),
    productionServer(),
    quietThirdPartyWarnings(),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/polaris"] },
});
