// Generates both Prisma clients (SQLite and PostgreSQL flavours) into app/generated/.
// The app picks one at runtime from DATABASE_URL (app/db.server.ts). Runs on postinstall.
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const prismaCli = path.join(root, "node_modules/prisma/build/index.js");
const flavours = [
  { schema: "prisma/schema.prisma", url: "file:./prisma/dev.sqlite" },
  { schema: "prisma/postgres/schema.prisma", url: "postgresql://localhost/generate-only" },
];
for (const { schema, url } of flavours) {
  execFileSync(process.execPath, [prismaCli, "generate", "--schema", schema, "--no-hints"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    // generate connects to nothing; the URL only has to match the schema's provider
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}
