/** Derives the PostgreSQL flavour of the Prisma schema from the SQLite source of truth. */
export function postgresSchemaFrom(sqliteSchema: string): string {
  const replacements: Array<[RegExp, string]> = [
    [/provider\s*=\s*"sqlite"/, 'provider = "postgresql"'],
    [/output(\s*)=\s*"\.\.\/app\/generated\/prisma-sqlite"/, 'output$1= "../../app/generated/prisma-postgres"'],
  ];
  let out = sqliteSchema;
  for (const [pattern, replacement] of replacements) {
    if (!pattern.test(out)) throw new Error(`prisma/schema.prisma no longer matches ${pattern}`);
    out = out.replace(pattern, replacement);
  }
  const header =
    "// GENERATED from prisma/schema.prisma by scripts/db-schema.ts — do not edit; run `npm run db:schema`.\n";
  return header + out;
}
