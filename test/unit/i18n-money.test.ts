import { describe, expect, it } from "vitest";
import { formatEuro } from "~/i18n/money";
import { InvalidAmountError } from "~/money/cents";

describe("formatEuro", () => {
  it.each([
    [123456, "it", "€ 1.234,56"],
    [123456, "en", "€1,234.56"],
    [10, "it", "€ 0,10"],
    [10, "en", "€0.10"],
    [0, "it", "€ 0,00"],
    [100000000, "it", "€ 1.000.000,00"],
    [100000000, "en", "€1,000,000.00"],
    [99999, "it", "€ 999,99"],
    [-123456, "it", "-€ 1.234,56"],
    [-5, "en", "-€0.05"],
    // Exact even where a float would not be: 90071992547409.91 is not representable as a double.
    [Number.MAX_SAFE_INTEGER, "it", "€ 90.071.992.547.409,91"],
    [Number.MAX_SAFE_INTEGER, "en", "€90,071,992,547,409.91"],
  ] as const)("%d cents in %s → %j", (cents, locale, expected) => {
    expect(formatEuro(cents, locale)).toBe(expected);
  });

  it("defaults to Italian", () => {
    expect(formatEuro(250000)).toBe("€ 2.500,00");
  });

  it("rejects fractional cents and unknown locales", () => {
    expect(() => formatEuro(1.5, "it")).toThrow(InvalidAmountError);
    expect(() => formatEuro(100, "de" as "it")).toThrow(RangeError);
  });
});
