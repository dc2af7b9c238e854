import { describe, expect, it } from "vitest";
import { InvalidAmountError, centsToDecimal, parseDecimalToCents } from "~/money/cents";

describe("parseDecimalToCents", () => {
  it.each([
    ["0.10", 10],
    ["19.99", 1999],
    ["1234567.89", 123456789],
    ["5", 500],
    ["5.5", 550],
    ["0", 0],
    ["0.01", 1],
    ["0.1", 10],
    ["10.00", 1000],
    ["100", 10000],
    ["0.29", 29],
    ["0.57", 57],
    ["1.00", 100],
    ["4.35", 435],
    ["8.20", 820],
    ["1.230", 123],
    ["2.5000", 250],
    ["90071992547409.91", Number.MAX_SAFE_INTEGER],
  ])("parses %j as %d cents", (input, cents) => {
    expect(parseDecimalToCents(input)).toBe(cents);
  });

  it.each([
    ["", "empty"],
    [" 1", "whitespace"],
    ["1 ", "whitespace"],
    ["-1", "sign"],
    ["+1", "sign"],
    ["1e3", "exponent"],
    ["1E3", "exponent"],
    ["1.234", "two decimals"],
    ["1.001", "two decimals"],
    ["1,00", "'.'"],
    ["1.000,00", "'.'"],
    ["abc", "expected"],
    ["01.5", "leading zeros"],
    ["007.00", "leading zeros"],
    ["00", "leading zeros"],
    [".5", "expected"],
    ["5.", "expected"],
    ["1..2", "expected"],
    ["NaN", "expected"],
    ["Infinity", "expected"],
    ["0x10", "expected"],
    ["١٢", "expected"],
    ["90071992547409.92", "largest"],
    ["99999999999999999999", "largest"],
  ])("rejects %j (%s)", (input, reason) => {
    let caught: unknown;
    try {
      parseDecimalToCents(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidAmountError);
    const err = caught as InvalidAmountError;
    expect(err.name).toBe("InvalidAmountError");
    expect(err.message).toContain("Invalid amount");
    expect(err.message).toContain(reason);
    expect(err.input).toBe(JSON.stringify(input));
  });

  it("rejects non-string inputs", () => {
    for (const value of [19.99, null, undefined, {}, 1n]) {
      expect(() => parseDecimalToCents(value as unknown as string)).toThrow(InvalidAmountError);
    }
  });

  it("round-trips every cent value from 0 to €2,000 and a spread of large values", () => {
    for (let cents = 0; cents <= 200_000; cents++) {
      const decimal = centsToDecimal(cents);
      if (parseDecimalToCents(decimal) !== cents) throw new Error(`round trip failed for ${cents}`);
    }
    // Deterministic pseudo-random large values up to MAX_SAFE_INTEGER.
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const cents = Math.floor((seed / 2 ** 31) * Number.MAX_SAFE_INTEGER);
      expect(parseDecimalToCents(centsToDecimal(cents))).toBe(cents);
    }
  });

  it("does better than the parseFloat shortcut Soisy's plugins shipped", () => {
    // The classic bug: truncating parseFloat(x) * 100 gives 1998 for "19.99" among many others.
    const truncatedWrong = ["19.99", "0.29", "0.57", "1.15", "4.35", "9.95"].filter(
      (s) => Math.trunc(parseFloat(s) * 100) !== parseDecimalToCents(s),
    );
    expect(truncatedWrong.length).toBeGreaterThan(0);
    expect(parseDecimalToCents("19.99")).toBe(1999);
  });
});

describe("centsToDecimal", () => {
  it.each([
    [1999, "19.99"],
    [10, "0.10"],
    [0, "0.00"],
    [1, "0.01"],
    [100, "1.00"],
    [123456789, "1234567.89"],
    [-5, "-0.05"],
    [-123456, "-1234.56"],
    [Number.MAX_SAFE_INTEGER, "90071992547409.91"],
  ])("%d → %j", (cents, decimal) => {
    expect(centsToDecimal(cents)).toBe(decimal);
  });

  it("rejects non-integers and unsafe integers", () => {
    for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, "100"]) {
      expect(() => centsToDecimal(value as number)).toThrow(InvalidAmountError);
    }
  });
});
