// Prisma CLI configuration: the JS/Wasm engine with driver adapters (no native engine binaries,
// which cannot be downloaded here). The database flavour follows DATABASE_URL.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { createPgCliAdapter } from "./app/db/pg-cli-adapter";
import { databaseKind, databaseUrl, PRISMA_LAYOUT } from "./app/db/database-url";

const url = databaseUrl();
const kind = databaseKind(url);
// The schema's datasource reads DATABASE_URL: give it the default when unset.
process.env.DATABASE_URL = url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: PRISMA_LAYOUT[kind].schema,
  migrations: { path: PRISMA_LAYOUT[kind].migrations },
  adapter: async () =>
    kind === "sqlite" ? new PrismaBetterSQLite3({ url }) : createPgCliAdapter(url),
});
