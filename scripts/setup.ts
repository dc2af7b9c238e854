// `npm run setup`: generate the Prisma clients and apply the migrations to the database that
// DATABASE_URL names (SQLite file by default, PostgreSQL in production). Safe to run on every deploy.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { databaseKind, databaseUrl } from "../app/db/database-url";

const root = path.resolve(import.meta.dirname, "..");
const url = databaseUrl();
const kind = databaseKind(url);
if (kind === "sqlite") {
  const file = url.slice("file:".length).split("?")[0]!;
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(root, file)), { recursive: true });
}
const where = kind === "sqlite" ? url : `PostgreSQL at ${new URL(url).host}${new URL(url).pathname}`;
console.log(`[setup] generating Prisma clients`);
execFileSync(process.execPath, [path.join(root, "scripts/db-generate.mjs")], { cwd: root, stdio: "inherit" });
console.log(`[setup] applying migrations to ${where}`);
execFileSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
  cwd: root,
  env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  stdio: "inherit",
});
if (kind === "sqlite") {
  // WAL lets the app's readers work while a writer commits; the mode is stored in the file.
  const { createDb, tuneDatabase } = await import("../app/db.server");
  const db = createDb(url);
  await tuneDatabase(db, url);
  await db.$disconnect();
}
console.log("[setup] done");
