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
      },
    }),
    tsconfigPaths(),
    productionServer(),
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/polaris"] },
});
