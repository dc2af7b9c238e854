/**
 * Which database a DATABASE_URL points at. Shared by prisma.config.ts (CLI: migrations) and
 * app/db.server.ts (runtime). SQLite is the embedded default; PostgreSQL is the production path.
 */
export type DatabaseKind = "sqlite" | "postgres";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export function databaseUrl(env: Record<string, string | undefined> = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}

export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return "postgres";
  throw new Error(
    `DATABASE_URL must start with "file:" (SQLite) or "postgres://" / "postgresql://" (PostgreSQL); got "${url.split(":")[0]}:…"`,
  );
}

/** Where each flavour keeps its schema and migrations (the PostgreSQL schema is generated). */
export const PRISMA_LAYOUT = {
  sqlite: { schema: "prisma/schema.prisma", migrations: "prisma/migrations" },
  postgres: { schema: "prisma/postgres/schema.prisma", migrations: "prisma/postgres/migrations" },
} as const;
