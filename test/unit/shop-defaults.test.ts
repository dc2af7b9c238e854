/**
 * A new shop's settings are written twice by necessity: in code (app/settings/shop-defaults.ts, what
 * the CLI, the demo and the tests start from) and as the database's column defaults
 * (prisma/schema.prisma, what a row created by the admin gets). This test keeps them equal.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shopOptionsSchema } from "~/settings/settings.server";
import { DEFAULT_SHOP_OPTIONS } from "~/settings/shop-defaults";

const schema = readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");

/** The ShopSettings model's `@default(…)` of each option column, parsed as JSON (JSON columns are strings holding JSON). */
function prismaDefaults(): Record<string, unknown> {
  const options = new Set(Object.keys(DEFAULT_SHOP_OPTIONS));
  const model = /model ShopSettings \{([\s\S]*?)\n\}/.exec(schema)?.[1];
  if (!model) throw new Error("no ShopSettings model in prisma/schema.prisma");
  const defaults: Record<string, unknown> = {};
  for (const [, name, type, value] of model.matchAll(/^\s+(\w+)\s+(\w+)\s+@default\((.*)\)\s*$/gm)) {
    if (!options.has(name!)) continue;
    const parsed: unknown = JSON.parse(value!);
    defaults[name!] = type === "String" && typeof parsed === "string" && /^[[{]/.test(parsed) ? JSON.parse(parsed) : parsed;
  }
  return defaults;
}

describe("a new shop's settings", () => {
  it("are valid settings", () => {
    expect(shopOptionsSchema.parse(DEFAULT_SHOP_OPTIONS)).toEqual(DEFAULT_SHOP_OPTIONS);
  });

  it("are the database's column defaults, option by option", () => {
    const defaults = prismaDefaults();
    for (const [option, value] of Object.entries(DEFAULT_SHOP_OPTIONS)) {
      expect(defaults[option], option).toEqual(value);
    }
  });
});
