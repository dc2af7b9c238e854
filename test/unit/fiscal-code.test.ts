import { describe, expect, it } from "vitest";
import { checkFiscalCode, deOmocode, fiscalCodeCheckChar, normalizeFiscalCode, omocode, withCheckChar } from "~/preapproval/fiscal-code";

// RSSMRA80A01H501U is the Agenzia delle Entrate's own textbook example (Mario Rossi, Rome, 1 Jan 1980).
const MARIO = "RSSMRA80A01H501U";

describe("fiscal code", () => {
  it("accepts valid codes (male, female day + 40, foreign birth place Z…)", () => {
    expect(checkFiscalCode(MARIO)).toEqual({ ok: true, value: MARIO, omocode: false });
    const female = withCheckChar("BNCLRA85M41F205");
    expect(checkFiscalCode(female)).toMatchObject({ ok: true, value: female });
    const foreign = withCheckChar("SMTJHN70T15Z114");
    expect(checkFiscalCode(foreign).ok).toBe(true);
  });

  it("computes the official check character", () => {
    expect(fiscalCodeCheckChar("RSSMRA80A01H501")).toBe("U");
    expect(() => fiscalCodeCheckChar("short")).toThrow();
  });

  it("rejects a wrong check character (every other letter)", () => {
    for (const c of "ABCDEFGHIJKLMNOPQRSTVWXYZ") {
      expect(checkFiscalCode(MARIO.slice(0, 15) + c)).toEqual({ ok: false, problem: "check" });
    }
  });

  it("rejects a swapped pair of characters (the check character catches it)", () => {
    expect(checkFiscalCode("SRSMRA80A01H501U")).toEqual({ ok: false, problem: "check" });
  });

  it("rejects the wrong format", () => {
    expect(checkFiscalCode("")).toEqual({ ok: false, problem: "empty" });
    expect(checkFiscalCode("RSSMRA80A01H501")).toEqual({ ok: false, problem: "length" });
    expect(checkFiscalCode("RSSMRA80A01H501UX")).toEqual({ ok: false, problem: "length" });
    expect(checkFiscalCode("RSSMRA80Z01H501U")).toEqual({ ok: false, problem: "format" }); // Z is no month
    expect(checkFiscalCode(withCheckChar("RSSMRA80A32H501"))).toEqual({ ok: false, problem: "format" }); // day 32
    expect(checkFiscalCode(withCheckChar("RSSMRA80A00H501"))).toEqual({ ok: false, problem: "format" }); // day 0
    expect(checkFiscalCode(withCheckChar("RSSMR180A01H501"))).toEqual({ ok: false, problem: "format" }); // digit in the name
    expect(checkFiscalCode("1234567890123456")).toEqual({ ok: false, problem: "format" });
    expect(checkFiscalCode("RSSMRA80A01H5O1U")).toEqual({ ok: false, problem: "format" }); // letter O for zero
  });

  it("accepts omocodia variants (1 to 7 digits replaced) with their own check character", () => {
    for (let n = 1; n <= 7; n++) {
      const code = omocode(MARIO, n);
      expect(code).not.toBe(MARIO);
      expect(checkFiscalCode(code)).toEqual({ ok: true, value: code, omocode: true });
      expect(deOmocode(code).slice(0, 15)).toBe(MARIO.slice(0, 15));
    }
    expect(omocode(MARIO, 1)).toBe("RSSMRA80A01H50MM");
    // An omocode with the original check character is wrong.
    expect(checkFiscalCode(omocode(MARIO, 1).slice(0, 15) + "U")).toEqual({ ok: false, problem: "check" });
  });

  it("normalises lower case, spaces and dashes", () => {
    expect(normalizeFiscalCode(" rss mra-80a01 h501u ")).toBe(MARIO);
    expect(checkFiscalCode("rssmra80a01h501u")).toEqual({ ok: true, value: MARIO, omocode: false });
    expect(checkFiscalCode("RSS MRA 80A01 H501U")).toMatchObject({ ok: true, value: MARIO });
  });
});
