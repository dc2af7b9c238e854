// Generates prisma/postgres/schema.prisma from prisma/schema.prisma (the one source of truth).
//   tsx scripts/db-schema.ts          write it
//   tsx scripts/db-schema.ts --check  exit 1 when the committed file differs (CI)
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { postgresSchemaFrom } from "./db-schema-lib";

const root = path.resolve(import.meta.dirname, "..");
const source = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
const target = path.join(root, "prisma/postgres/schema.prisma");
const generated = postgresSchemaFrom(source);

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // missing counts as drift
  }
  if (current !== generated) {
    console.error("prisma/postgres/schema.prisma is out of date: run `npm run db:schema`");
    process.exit(1);
  }
  console.log("prisma/postgres/schema.prisma is up to date");
} else {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, generated);
  console.log("wrote prisma/postgres/schema.prisma");
}
