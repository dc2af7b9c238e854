import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

const port = Number(process.env.PORT || 3000);
// Where `vite build` writes (default build/); tests and helpers read the same variable.
const buildDirectory = process.env.APP_BUILD_DIR || "build";

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
  ],
  build: { assetsInlineLimit: 0 },
  optimizeDeps: { include: ["@shopify/polaris"] },
});
