import { describe, expect, it } from "vitest";
import { formatEuro as pageFormatEuro } from "../../app/preapproval/PageShell";
import { formatEuro } from "../../app/i18n/money";
import { centsToDecimal } from "../../app/money/cents";

describe("pre-approval page money format", () => {
  it("writes Italian and English amounts like the rest of the app", () => {
    expect(pageFormatEuro(123456, "it")).toBe("€ 1.234,56");
    expect(pageFormatEuro(123456, "en")).toBe("€1,234.56");
    expect(pageFormatEuro(48000, "it")).toBe("€ 480,00");
    expect(pageFormatEuro(5, "it")).toBe("€ 0,05");
  });

  it("is the app's one formatter, and agrees with Intl's grouping for many amounts (written by hand so server and browser agree)", () => {
    expect(pageFormatEuro).toBe(formatEuro);
    const intl = {
      it: new Intl.NumberFormat("it-IT", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" }),
      en: new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" }),
    };
    for (const cents of [0, 1, 99, 100, 999, 1000, 99999, 100000, 123456, 1500000, 99999999, 123456789, -123456]) {
      const digits = (locale: "it" | "en") => intl[locale].format(centsToDecimal(Math.abs(cents)) as Intl.StringNumericLiteral);
      const sign = cents < 0 ? "-" : "";
      expect(formatEuro(cents, "it")).toBe(`${sign}€ ${digits("it")}`);
      expect(formatEuro(cents, "en")).toBe(`${sign}€${digits("en")}`);
    }
  });
});
