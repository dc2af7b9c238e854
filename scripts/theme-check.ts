/**
 * Shopify Theme Check on the theme app extension (npm run theme-check [-- <dir>]).
 * Uses @shopify/theme-check-node's API (the package has no CLI binary) with the extension's
 * .theme-check.yml (extends theme-check:theme-app-extension). Prints every offense; exits 1 on an error.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Severity, themeCheckRun, type Offense } from "@shopify/theme-check-node";

export const WIDGET_EXTENSION_DIR = path.resolve(import.meta.dirname, "../extensions/soisy-widget");

const SEVERITY_NAME: Record<number, string> = { [Severity.ERROR]: "error", [Severity.WARNING]: "warning", [Severity.INFO]: "info" };

export interface ThemeCheckReport {
  root: string;
  offenses: Offense[];
  errors: number;
  warnings: number;
  infos: number;
  lines: string[];
}

export async function runThemeCheck(root = WIDGET_EXTENSION_DIR): Promise<ThemeCheckReport> {
  const configPath = path.join(root, ".theme-check.yml");
  const { offenses, theme } = await themeCheckRun(root, configPath, () => {});
  const lines = offenses.map((o) => {
    const file = path.relative(root, new URL(o.uri).pathname);
    const where = o.start ? `:${o.start.line + 1}:${o.start.character + 1}` : "";
    return `${SEVERITY_NAME[o.severity] ?? o.severity} ${o.check} ${file}${where} ${o.message}`;
  });
  const count = (s: Severity) => offenses.filter((o) => o.severity === s).length;
  lines.push(
    `Theme Check: ${theme.length} files checked, ${count(Severity.ERROR)} errors, ${count(Severity.WARNING)} warnings, ${count(Severity.INFO)} infos`,
  );
  return { root, offenses, errors: count(Severity.ERROR), warnings: count(Severity.WARNING), infos: count(Severity.INFO), lines };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const root = path.resolve(process.argv[2] ?? WIDGET_EXTENSION_DIR);
  const report = await runThemeCheck(root);
  for (const line of report.lines) console.log(line);
  process.exitCode = report.errors > 0 ? 1 : 0;
}
