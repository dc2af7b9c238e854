import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runThemeCheck, WIDGET_EXTENSION_DIR } from "../../scripts/theme-check";

describe("Theme Check on extensions/soisy-widget", () => {
  const copies: string[] = [];
  afterAll(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("reports no error-severity offense (theme-check:theme-app-extension)", async () => {
    const report = await runThemeCheck(WIDGET_EXTENSION_DIR);
    console.log(report.lines.join("\n"));
    expect(report.lines.at(-1)).toMatch(/files checked/);
    expect(report.errors, report.lines.join("\n")).toBe(0);
  }, 120_000);

  it("fails on a broken block (the check can fail)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "soisy-theme-check-"));
    copies.push(dir);
    cpSync(WIDGET_EXTENSION_DIR, dir, { recursive: true });
    writeFileSync(
      path.join(dir, "blocks", "broken.liquid"),
      '{{ "soisy_widget.missing_key" | t }}\n<script src="x.js"></script>\n{% schema %}{"name":"Broken","target":"section"}{% endschema %}\n',
    );
    const report = await runThemeCheck(dir);
    const checks = report.offenses.map((o) => o.check);
    expect(checks).toContain("TranslationKeyExists");
    expect(checks).toContain("ParserBlockingScript");
    expect(report.errors).toBeGreaterThan(0);
  }, 120_000);

  it("fails when the widget's script grows past the app block limit (10,000 bytes)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "soisy-theme-check-"));
    copies.push(dir);
    cpSync(WIDGET_EXTENSION_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, "assets", "soisy-widget.js"), `/* ${"x".repeat(10_000)} */`);
    const report = await runThemeCheck(dir);
    expect(report.offenses.map((o) => o.check)).toContain("AssetSizeAppBlockJavaScript");
    expect(report.errors).toBeGreaterThan(0);
  }, 120_000);
});
