import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const toml = (file: string) => parse(readFileSync(path.join(root, file), "utf8")) as Record<string, unknown>;

describe("shopify.app.toml", () => {
  const app = toml("shopify.app.toml") as {
    embedded: boolean;
    application_url: string;
    access_scopes: { scopes: string };
    auth: { redirect_urls: string[] };
    webhooks: { api_version: string; subscriptions: Array<{ topics?: string[]; compliance_topics?: string[]; uri: string }> };
  };

  it("is not embedded (payments apps may not be)", () => {
    expect(app.embedded).toBe(false);
  });

  it("asks for the payments scopes and the payment customization scope", () => {
    const scopes = app.access_scopes.scopes.split(",").map((s) => s.trim());
    expect(scopes).toEqual(expect.arrayContaining(["write_payment_gateways", "write_payment_sessions", "write_payment_customizations"]));
  });

  it("has an https application_url and redirect URLs under it", () => {
    expect(app.application_url).toMatch(/^https:\/\//);
    for (const url of app.auth.redirect_urls) expect(url.startsWith(app.application_url)).toBe(true);
  });

  it("subscribes to app/uninstalled and the three compliance topics", () => {
    const topics = app.webhooks.subscriptions.flatMap((s) => s.topics ?? []);
    const compliance = app.webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []);
    expect(topics).toContain("app/uninstalled");
    expect(compliance.sort()).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
    expect(app.webhooks.api_version).toMatch(/^\d{4}-\d{2}$/);
  });
});

describe("package.json", () => {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  it("pins Node 22 inside the project", () => {
    expect(pkg.engines.node).toMatch(/22/);
    expect(pkg.devDependencies.node).toMatch(/^\^?22\./);
    expect(Number(process.versions.node.split(".")[0])).toBe(22);
  });
  it("has the commands the README promises", () => {
    for (const script of ["demo", "test", "lint", "typecheck", "build", "start", "setup", "bench"]) {
      expect(pkg.scripts[script], script).toBeTruthy();
    }
  });
});
