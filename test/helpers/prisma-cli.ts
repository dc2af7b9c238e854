import { execFileSync } from "node:child_process";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
const prismaEntry = path.join(repoRoot, "node_modules/prisma/build/index.js");

/** Runs the Prisma CLI (JS engine, driver adapter from prisma.config.ts) against a database URL. */
export function prismaCli(args: string[], databaseUrl: string): string {
  return execFileSync(process.execPath, [prismaEntry, ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function migrateDeploy(databaseUrl: string): string {
  return prismaCli(["migrate", "deploy"], databaseUrl);
}
