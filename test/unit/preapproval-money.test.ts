import { describe, expect, it } from "vitest";
import { formatEuro as pageFormatEuro } from "../../app/preapproval/PageShell";
import { formatEuro } from "../../app/i18n/money";

describe("pre-approval page money format", () => {
  it("writes Italian and English amounts like the rest of the app", () => {
    expect(pageFormatEuro(123456, "it")).toBe("€ 1.234,56");
    expect(pageFormatEuro(123456, "en")).toBe("€1,234.56");
    expect(pageFormatEuro(48000, "it")).toBe("€ 480,00");
    expect(pageFormatEuro(5, "it")).toBe("€ 0,05");
  });

  it("matches the shared Intl-based formatter for many amounts (server and browser render the same text)", () => {
    for (const cents of [0, 1, 99, 100, 999, 1000, 99999, 100000, 123456, 1500000, 99999999, 123456789]) {
      expect(pageFormatEuro(cents, "it")).toBe(formatEuro(cents, "it"));
      expect(pageFormatEuro(cents, "en")).toBe(formatEuro(cents, "en"));
    }
  });
});
