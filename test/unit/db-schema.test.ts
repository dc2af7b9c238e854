import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { postgresSchemaFrom } from "../../scripts/db-schema-lib";
import { databaseKind } from "~/db/database-url";

const root = path.resolve(import.meta.dirname, "../..");

describe("one source of truth for the data model", () => {
  it("prisma/postgres/schema.prisma is exactly what prisma/schema.prisma generates (run `npm run db:schema`)", () => {
    const source = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
    const committed = readFileSync(path.join(root, "prisma/postgres/schema.prisma"), "utf8");
    expect(committed).toBe(postgresSchemaFrom(source));
  });

  it("refuses a source it cannot transform", () => {
    expect(() => postgresSchemaFrom('datasource db {\n provider = "mysql"\n}')).toThrow(/no longer matches/);
  });

  it("keeps money in integer cents (no Float / Decimal amounts)", () => {
    const source = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
    const moneyFields = [...source.matchAll(/^\s+(\w*Cents)\s+(\w+\??)/gm)];
    expect(moneyFields.length).toBeGreaterThan(3);
    for (const [, name, type] of moneyFields) expect(`${name}: ${type}`).toMatch(/: Int\??$/);
    expect(source).not.toMatch(/\s(Float|Decimal)\??\s/);
  });
});

describe("databaseKind", () => {
  it.each([
    ["file:./dev.sqlite", "sqlite"],
    ["postgres://u@h/db", "postgres"],
    ["postgresql://u@h:5432/db?schema=public", "postgres"],
  ] as const)("%s → %s", (url, kind) => expect(databaseKind(url)).toBe(kind));

  it("rejects other URLs with a clear message, without echoing credentials", () => {
    expect(() => databaseKind("mysql://root:hunter2@h/db")).toThrow(/must start with "file:"/);
    expect(() => databaseKind("mysql://root:hunter2@h/db")).not.toThrow(/hunter2/);
  });
});
