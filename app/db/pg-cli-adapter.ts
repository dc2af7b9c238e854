/**
 * The PostgreSQL driver adapter for the Prisma CLI (migrate deploy, db pull, diffs).
 *
 * Prisma 6.19's JS schema engine reads catalog columns of PostgreSQL's `name` type, which
 * @prisma/adapter-pg cannot map ("Column type 'name' could not be deserialized", prisma/orm#27403,
 * open). Those are identifier strings, so this pool reports them as `text` before the adapter maps
 * column types. Only the CLI uses this; the app's runtime queries never select
 * catalog columns.
 */
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

// Catalog types the adapter cannot map, all read by Prisma's introspection as strings:
// "char" (18), name (19), pg_node_tree (194), regproc (24), regclass (2205), regtype (2206);
// and their arrays (_char 1002, _name 1003) as text[] (1009).
const AS_TEXT = new Map<number, number>([
  [18, 25],
  [19, 25],
  [24, 25],
  [194, 25],
  [2205, 25],
  [2206, 25],
  [1002, 1009],
  [1003, 1009],
]);

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };

function nameAsText<T>(result: T): T {
  const results = Array.isArray(result) ? (result as QueryResultLike[]) : [result as QueryResultLike];
  for (const r of results) {
    for (const field of r?.fields ?? []) {
      const mapped = AS_TEXT.get(field.dataTypeID);
      if (mapped !== undefined) field.dataTypeID = mapped;
    }
  }
  return result;
}

class NameAsTextClient extends pg.Client {
  // pg's query() has many overloads (callback or promise); keep both behaviours.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    const callback = typeof last === "function" ? (args.pop() as (err: unknown, res?: unknown) => void) : undefined;
    const first = args[0] as { submit?: unknown } | undefined;
    if (first && typeof first === "object" && typeof first.submit === "function") {
      // A Submittable (cursor / stream): pass through untouched.
      return (super.query as (...a: unknown[]) => never)(...args, ...(callback ? [callback] : []));
    }
    const promise = (super.query as (...a: unknown[]) => Promise<unknown>)(...args).then(nameAsText);
    if (callback) {
      promise.then(
        (res) => callback(null, res),
        (err) => callback(err),
      );
      return undefined as never;
    }
    return promise as never;
  }
}

export function createPgCliAdapter(connectionString: string): PrismaPg {
  // allowExitOnIdle: the CLI does not close the pool, which would keep the process alive for idleTimeoutMillis.
  return new PrismaPg({ connectionString, Client: NameAsTextClient, allowExitOnIdle: true } as pg.PoolConfig);
}
