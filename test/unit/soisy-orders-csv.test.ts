/**
 * Soisy's order list CSV (app/soisy/orders-csv.ts): the quirks it survives (BOM, CRLF, quoting with
 * commas / quotes / newlines, unknown columns, any column order, empty cells, euros as text with a dot
 * or a comma, Italian wall-clock dates) and a bad row skipped and counted while the others are kept.
 */
import { describe, expect, it } from "vitest";
import { OrdersCsvError, euroTextToCents, parseOrdersCsv, parseSoisyDate, romeDay } from "~/soisy/orders-csv";

const HEADER = "soisyOrderReference,orderReference,loanNetAmount,loanAmount,zeroInterestRate,feeForDisbursement,status,requestedAt,disbursedAt,instalments";

describe("parseOrdersCsv", () => {
  it("reads a plain file", () => {
    const csv = `${HEADER}\ntok1,sess1,1197.47,1234.50,0,37.03,disbursed,2026-11-20 10:00:00,2026-11-22 09:30:00,10\n`;
    const { orders, skipped, unknownColumns } = parseOrdersCsv(csv);
    expect(skipped).toBe(0);
    expect(unknownColumns).toEqual([]);
    expect(orders).toEqual([
      {
        soisyOrderReference: "tok1",
        orderReference: "sess1",
        status: "disbursed",
        loanAmountCents: 123_450,
        loanNetAmountCents: 119_747,
        feeCents: 3_703,
        zeroInterestRate: false,
        instalments: 10,
        // November: Italy is UTC+1.
        requestedAt: new Date("2026-11-20T09:00:00Z"),
        disbursedAt: new Date("2026-11-22T08:30:00Z"),
      },
    ]);
  });

  it("survives a BOM, CRLF, reordered and unknown columns, quoted cells with commas, quotes and newlines, empty cells", () => {
    const csv =
      "\uFEFFstatus,note,\"soisyOrderReference\",loanAmount,orderReference,loanNetAmount,feeForDisbursement,disbursedAt,requestedAt,instalments,zeroInterestRate\r\n" +
      'disbursed,"a, ""quoted""\r\nnote",tokA,"1234,50",sessA,1160.43,74.07,2026-07-01T12:00:00+02:00,2026-06-30 08:00,12,1\r\n' +
      "waiting_for_verification,,tokB,99.90,,,,,2026-11-30,,\r\n";
    const { orders, skipped, unknownColumns } = parseOrdersCsv(csv);
    expect(skipped).toBe(0);
    expect(unknownColumns).toEqual(["note"]);
    expect(orders[0]).toMatchObject({
      soisyOrderReference: "tokA",
      orderReference: "sessA",
      loanAmountCents: 123_450,
      loanNetAmountCents: 116_043,
      feeCents: 7_407,
      zeroInterestRate: true,
      disbursedAt: new Date("2026-07-01T10:00:00Z"),
      // Summer: Italy is UTC+2.
      requestedAt: new Date("2026-06-30T06:00:00Z"),
    });
    expect(orders[1]).toEqual({
      soisyOrderReference: "tokB",
      orderReference: null,
      status: "waiting_for_verification",
      loanAmountCents: 9_990,
      loanNetAmountCents: null,
      feeCents: null,
      zeroInterestRate: null,
      instalments: null,
      requestedAt: new Date("2026-11-29T23:00:00Z"),
      disbursedAt: null,
    });
  });

  it("skips and counts the rows that fail validation, keeps the others", () => {
    const csv = [
      HEADER,
      "ok1,s1,97.00,100.00,0,3.00,disbursed,2026-11-01,2026-11-02,10",
      "bad1,s2,97.00,1.234,50,0,3.00,disbursed,2026-11-01,2026-11-02,10", // extra column shifts everything
      "bad2,s3,97.00,1.234,0,3.00,disbursed,2026-11-01,2026-11-02,10", // 3 decimals
      ",s4,97.00,100.00,0,3.00,disbursed,2026-11-01,2026-11-02,10", // no reference
      "bad3,s5,97.00,100.00,0,3.00,disbursed,2026-02-31,2026-11-02,10", // no such day
      "bad4,s6,97.00,-100.00,0,3.00,disbursed,2026-11-01,2026-11-02,10", // negative
      "ok2,s7,97.00,100,0,3,cancelled,2026-11-01,,",
    ].join("\n");
    const parsed = parseOrdersCsv(csv);
    expect(parsed.orders.map((o) => o.soisyOrderReference)).toEqual(["ok1", "ok2"]);
    expect(parsed.skipped).toBe(5);
    expect(parsed.skippedRows.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(parsed.skippedRows[1]!.problems).toEqual(["loanAmount: not an exact euro amount"]);
    expect(JSON.stringify(parsed.skippedRows)).not.toContain("1.234");
  });

  it("an empty body is no orders; a file without soisyOrderReference or broken quoting is refused", () => {
    expect(parseOrdersCsv("").orders).toEqual([]);
    expect(parseOrdersCsv("\uFEFF\r\n").orders).toEqual([]);
    expect(() => parseOrdersCsv("reference,amount\nx,1.00\n")).toThrow(OrdersCsvError);
    expect(() => parseOrdersCsv(`${HEADER}\n"tok,s,1.00`)).toThrow(OrdersCsvError);
    expect(() => parseOrdersCsv('{"orders": []}')).toThrow(OrdersCsvError);
  });
});

describe("euros and dates", () => {
  it.each([
    ["1234.50", 123_450],
    ["1234,50", 123_450],
    ["1234,5", 123_450],
    ["0.01", 1],
    ["7", 700],
    ["19.99", 1_999],
  ])("%s → %i cents", (text, cents) => expect(euroTextToCents(text)).toBe(cents));

  it.each(["1.234,50", "1,234.50", "12,345", "-1.00", "1e3", " ", "€ 10"])("%j is refused", (text) => {
    expect(() => euroTextToCents(text)).toThrow();
  });

  it("dates: offsets kept, zoneless read as Italian time across DST, nonsense refused", () => {
    expect(parseSoisyDate("2026-03-29 01:59:59")).toEqual(new Date("2026-03-29T00:59:59Z"));
    expect(parseSoisyDate("2026-03-29 03:00:00")).toEqual(new Date("2026-03-29T01:00:00Z"));
    expect(parseSoisyDate("2026-11-20T10:00:00Z")).toEqual(new Date("2026-11-20T10:00:00Z"));
    expect(parseSoisyDate("20/11/2026")).toBeNull();
    expect(parseSoisyDate("2026-13-01")).toBeNull();
    expect(romeDay(new Date("2026-11-29T23:30:00Z"))).toBe("2026-11-30");
  });
});
