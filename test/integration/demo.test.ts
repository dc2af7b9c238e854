import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createDb } from "~/db.server";
import { credentialStatus, getShopSettings, SOISY_ENVIRONMENTS } from "~/settings/settings.server";
import { readinessOf } from "~/shopify/configure.server";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

describe("npm run demo", () => {
  it("builds, starts the app and both simulators on SQLite, and every printed URL answers", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-demo-"));
    try {
      const { stdout } = await run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/demo.ts", "--check", "--no-build"], {
        cwd: root,
        env: { ...process.env, DEMO_DIR: dir, NODE_ENV: "production", DEMO_APP_PORT: "0", DEMO_SOISY_PORT: "0", DEMO_SHOPIFY_PORT: "0" },
        timeout: 170_000,
      });
      const checks = stdout.split("\n").filter((l) => l.trim().startsWith("check "));
      // 7 printed URLs (incl. the simulated storefront's product page with the widget) answer 200,
      // plus the install flow and a level-2 checkout reaching the in-store pre-approval form.
      expect(checks.length).toBe(9);
      for (const line of checks) expect(line).toMatch(/check ok /);
      expect(checks.filter((l) => / 200 /.test(l)).length).toBe(7);
      expect(stdout).toMatch(/check ok .*\/admin\/oauth\/authorize/);
      expect(stdout).toMatch(/check ok .*\/products\//);
      expect(stdout).toMatch(/check ok .*\/payments\/preapproval\//);
      expect(stdout).toContain("/checkout");
      expect(stdout).toContain("soisy-demo.myshopify.com");

      // The demo shops start consistent: credentials verified at Soisy in both environments, ready,
      // and nothing left for "Aggiorna Shopify" to take away.
      expect(stdout).toContain("Soisy credentials verified (sandbox and production)");
      const db = createDb(`file:${path.join(dir, "demo.sqlite")}`);
      try {
        const shops = (await db.shopSettings.findMany({ select: { shop: true } })).map((r) => r.shop);
        expect(shops).toContain("soisy-demo.myshopify.com");
        expect(shops.length).toBeGreaterThanOrEqual(2);
        for (const shop of shops) {
          const settings = (await getShopSettings(db, shop))!;
          for (const env of SOISY_ENVIRONMENTS) {
            expect(credentialStatus(settings.credentials[env]), `${shop} ${env}`).toBe("verified");
            expect(settings.credentials[env].verifiedAt, `${shop} ${env}`).toBeInstanceOf(Date);
          }
          expect(readinessOf(settings), shop).toMatchObject({ ready: true, wanted: true, inSync: true, missing: [] });
        }
      } finally {
        await db.$disconnect();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
