/**
 * What both hostile-input suites (routes.test.ts, admin-routes.test.ts) share: the database's row count
 * per table (a request answered 4xx must leave every count as it was) and a raw HTTP request sent as
 * generated (any method, headers and bytes; fetch would normalise them).
 */
import http from "node:http";
import { expect } from "vitest";
import type { TestDatabase } from "../helpers/database";

/** Every table of the test database (Prisma's own left out); `required` must be among them. */
export async function listTables(database: Pick<TestDatabase, "db" | "kind">, required: string[]): Promise<string[]> {
  const rows =
    database.kind === "sqlite"
      ? await database.db.$queryRawUnsafe<Array<{ name: string }>>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%'`)
      : await database.db.$queryRawUnsafe<Array<{ name: string }>>(`SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '_prisma%'`);
  const names = rows.map((r) => r.name).sort();
  expect(names).toEqual(expect.arrayContaining(required));
  return names;
}

/** The row count of each table, in one statement. */
export async function rowCounts(database: Pick<TestDatabase, "db">, tables: string[]): Promise<Record<string, number>> {
  const select = tables.map((t, i) => `(SELECT COUNT(*) FROM "${t}") AS c${i}`).join(", ");
  const [row] = await database.db.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT ${select}`);
  return Object.fromEntries(tables.map((t, i) => [t, Number(row![`c${i}`])]));
}

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Sends the request as it is; a connection the server closed over a large body answers status -1. */
export function sendRaw(appUrl: string, spec: RawRequest): Promise<{ status: number; body: string; location: string }> {
  const url = new URL(appUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers: { ...spec.headers, ...(spec.body ? { "content-length": String(spec.body.length) } : {}) }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, 300), location: String(res.headers.location ?? "") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (error) => {
      // The server may answer (413, Connection: close) and drop the rest of a large body.
      if ((error as NodeJS.ErrnoException).code === "EPIPE" || (error as NodeJS.ErrnoException).code === "ECONNRESET") resolve({ status: -1, body: String(error), location: "" });
      else reject(error);
    });
    if (spec.body) req.write(spec.body);
    req.end();
  });
}
