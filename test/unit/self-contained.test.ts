/**
 * The repository stands alone: no tracked file reads or points at a folder beside the project (the
 * reference folder some development machines have next to the clone). A clone from GitHub must
 * install, demo and test with nothing else.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
// Spelled in pieces so this file does not match itself.
const OUTSIDE = ["..", "shared"].join("/");
const SPEC = ["shared", "spec"].join("/");

function trackedTextFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" });
  return out.split("\0").filter((f) => f && !/\.(png|jpe?g|gif|ico|woff2?|sqlite)$/i.test(f));
}

describe("a self-contained repository", () => {
  it("no tracked file refers to the reference folder beside the project", () => {
    const offenders: string[] = [];
    const files = trackedTextFiles();
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const text = readFileSync(path.join(root, file), "utf8");
      text.split("\n").forEach((line, i) => {
        if (line.includes(OUTSIDE) || line.includes(SPEC)) offenders.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it("the Shopify schemas the tests read are in the repository", () => {
    const introspection = JSON.parse(readFileSync(path.join(root, "test/fixtures/shopify/payments-apps-2026-04.introspection.json"), "utf8"));
    expect(introspection.data?.__schema ?? introspection.__schema).toBeTruthy();
    const functionSchema = readFileSync(path.join(root, "extensions/soisy-payment-customization/schema.graphql"), "utf8");
    expect(functionSchema).toContain("type Input");
    expect(functionSchema).toContain("PaymentCustomizationPaymentMethod");
  });
});
