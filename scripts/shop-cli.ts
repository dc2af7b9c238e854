// `npm run shop -- <command>`: the operator CLI (show / configure a shop, stuck payments, retry
// dead-lettered outbox messages, export a customer's data). Reads DATABASE_URL and
// APP_ENCRYPTION_KEY like the app. Exit codes: 0 done, 1 failed, 2 usage error.
// Commands and options: scripts/shop-cli/commands.ts (USAGE), or `npm run shop -- help`.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Db } from "../app/db.server";
import { databaseKind, databaseUrl } from "../app/db/database-url";
import { appKeyring } from "../app/security/encryption.server";
import { CommandFailure, UsageError } from "./shop-cli/args";
import { COMMANDS, USAGE, type CliIo } from "./shop-cli/commands";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("API key (then Enter and Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * DATABASE_URL (or the default), refusing a SQLite file that does not exist: opening it would create an
 * empty database and the command would then fail on a missing table (or find nothing) instead of saying
 * that it looked in the wrong place.
 */
function existingDatabaseUrl(): string {
  const url = databaseUrl();
  if (databaseKind(url) !== "sqlite") return url;
  const file = path.resolve(url.slice("file:".length).split("?")[0]!);
  if (!existsSync(file)) {
    throw new CommandFailure(
      `no SQLite database at ${file} (DATABASE_URL=${url}). Set DATABASE_URL to the app's database ` +
        `(the demo's: DATABASE_URL=file:./.demo/demo.sqlite) or create one with \`npm run setup\`.`,
    );
  }
  return url;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? console.error : console.log)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let db: Db | undefined;
  const io: CliIo = {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    env: process.env,
    readStdin,
    // Loaded on first use: usage errors answer without loading the Prisma clients.
    db: async () => (db ??= (await import("../app/db.server")).createDb(existingDatabaseUrl())),
    keyring: () => appKeyring(),
    now: () => new Date(),
  };
  try {
    return await run(io, args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${command}: ${error.message}\n\nRun \`npm run shop -- help\` for the usage.`);
      return 2;
    }
    if (error instanceof CommandFailure) {
      console.error(`${command}: ${error.message}`);
      return 1;
    }
    console.error(`${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await db?.$disconnect();
  }
}

process.exitCode = await main(process.argv.slice(2));
