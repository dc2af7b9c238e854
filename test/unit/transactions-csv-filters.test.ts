/** CSV quoting / formula injection, parameter validation and cursors of the transactions pages. */
import { describe, expect, it } from "vitest";
import { csvCell, csvHeader, csvRow, neutraliseFormula, toCsv } from "~/transactions/csv";
import { decodeCursor, encodeCursor, filterSearch, parseTransactionQuery } from "~/transactions/filters";
import { buildTimeline, describeDetail } from "~/transactions/timeline";
import type { TransactionRow } from "~/transactions/query.server";

const row = (over: Partial<TransactionRow> = {}): TransactionRow => ({
  id: "sess1",
  createdAt: new Date("2026-05-01T08:09:10.123Z"),
  amountCents: 123456,
  currency: "EUR",
  test: false,
  state: "resolved",
  soisyToken: "tok",
  soisyStatus: "disbursed",
  soisyLoanAmountCents: 5,
  customerEmail: "a@b.it",
  flagReason: null,
  amountMismatch: false,
  kind: "sale",
  authorizationExpiresAt: null,
  settlements: [],
  ...over,
});

describe("CSV", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["cr\rhere", '"cr\rhere"'],
    ["=1+2", "'=1+2"],
    ["+39 333", "'+39 333"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tTAB", "'\tTAB"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["àèìòù €", "àèìòù €"],
  ])("%j → %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("leaves our own numbers and dates alone, empties for null", () => {
    expect(csvCell("-0.05", { text: false })).toBe("-0.05");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(neutraliseFormula("safe=later")).toBe("safe=later");
  });

  it("writes a BOM, a header, CRLF lines, dot-decimal euro amounts and ISO dates", () => {
    expect(csvHeader()).toBe(
      "\uFEFFshopify_session_id,created_at,state,mode,amount_eur,currency,soisy_token,soisy_status,soisy_loan_amount_eur,customer_email,flag_reason,amount_mismatch,kind,authorization_expires_at,captured_amount_eur,capture_state,void_state\r\n",
    );
    expect(csvRow(row())).toBe("sess1,2026-05-01T08:09:10.123Z,resolved,live,1234.56,EUR,tok,disbursed,0.05,a@b.it,,false,sale,,,,\r\n");
    expect(csvRow(row({ test: true, soisyLoanAmountCents: null, customerEmail: "-x@y.it,", flagReason: "amount_mismatch", amountMismatch: true }))).toBe(
      `sess1,2026-05-01T08:09:10.123Z,resolved,test,1234.56,EUR,tok,disbursed,,"'-x@y.it,",amount_mismatch,true,sale,,,,\r\n`,
    );
    expect(toCsv([])).toBe(csvHeader());
  });

  it("fund on fulfilment: kind, authorization expiry, captured amount and the latest capture's and void's state", () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 4, 2, 10, minute));
    const authorization = row({
      kind: "authorization",
      authorizationExpiresAt: new Date("2026-05-31T08:09:10.000Z"),
      settlements: [
        { kind: "capture", state: "rejected", amountCents: 200_000, createdAt: at(1) },
        { kind: "capture", state: "resolved", amountCents: 100_050, createdAt: at(2) },
        { kind: "void", state: "awaiting_merchant", amountCents: null, createdAt: at(3) },
      ],
    });
    expect(csvRow(authorization)).toBe(
      "sess1,2026-05-01T08:09:10.123Z,resolved,live,1234.56,EUR,tok,disbursed,0.05,a@b.it,,false,authorization,2026-05-31T08:09:10.000Z,1000.50,resolved,awaiting_merchant\r\n",
    );
    // An authorization not captured yet: captured 0.00, no states.
    expect(csvRow(row({ kind: "authorization", authorizationExpiresAt: null }))).toMatch(/,authorization,,0\.00,,\r\n$/);
  });
});

describe("query parameters", () => {
  it("keeps valid values and reports the invalid ones", () => {
    const query = parseTransactionQuery(new URLSearchParams("q=%20mario%40x.it%20&state=pending&mode=test&from=2026-01-02&to=2026-01-03&limit=10&dead=1&kind=authorization&settle=merchant"));
    expect(query.ignored).toEqual([]);
    expect(query.limit).toBe(10);
    expect(query.filters).toEqual({
      q: "mario@x.it",
      state: "pending",
      mode: "test",
      from: new Date("2026-01-02T00:00:00.000Z"),
      toExclusive: new Date("2026-01-04T00:00:00.000Z"),
      dead: true,
      kind: "authorization",
      settle: "merchant",
    });
    expect(query.params).toMatchObject({ q: "mario@x.it", state: "pending", limit: "10" });
  });

  it.each([
    ["state=PENDING", ["state"]],
    ["state=pending;DROP", ["state"]],
    ["mode=1", ["mode"]],
    ["from=2026-02-30", ["from"]],
    ["to=2026-02-29", ["to"]],
    ["from=1999-12-31", ["from"]],
    ["from=20260101", ["from"]],
    ["to=9999-01-01", ["to"]],
    ["limit=0", ["limit"]],
    ["limit=abc", ["limit"]],
    ["limit=101", ["limit"]],
    ["after=not_base64!", ["after"]],
    ["before=" + "A".repeat(700), ["before"]],
    ["kind=capture", ["kind"]],
    ["settle=all", ["settle"]],
  ])("%s → ignored %j", (search, ignored) => {
    expect(parseTransactionQuery(new URLSearchParams(search)).ignored).toEqual(ignored);
  });

  it("empty values mean not set; repeated empty query is the default page", () => {
    const query = parseTransactionQuery(new URLSearchParams("q=&state=&mode=&from=&to="));
    expect(query).toEqual({ filters: {}, limit: 25, ignored: [], params: {} });
  });

  it("cursors round-trip and reject garbage", () => {
    const cursor = { createdAt: new Date("2026-01-01T00:00:00.000Z"), id: "a|b" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor("")).toBeNull();
    expect(decodeCursor(Buffer.from("2026-01-01T00:00:00.000Z").toString("base64url"))).toBeNull();
    expect(decodeCursor(Buffer.from("yesterday|x").toString("base64url"))).toBeNull();
    // after wins over before
    const both = parseTransactionQuery(new URLSearchParams(`after=${encodeCursor(cursor)}&before=${encodeCursor(cursor)}`));
    expect(both.after).toEqual(cursor);
    expect(both.before).toBeUndefined();
  });

  it("builds list URLs from the applied filters", () => {
    expect(filterSearch({ q: "a b", state: "pending" }, { lang: "en", after: undefined })).toBe("?q=a+b&state=pending&lang=en");
    expect(filterSearch({})).toBe("");
  });
});

describe("timeline details", () => {
  it("renders JSON details compactly, tolerating non-JSON", () => {
    expect(describeDetail(JSON.stringify({ amount: "10.00", test: true, empty: "", none: null, nested: { a: 1 } }))).toBe('amount: 10.00, test: true, nested: {"a":1}');
    expect(describeDetail("not json")).toBe("not json");
    expect(describeDetail(null)).toBe("");
    expect(describeDetail(JSON.stringify("x".repeat(500))).length).toBeLessThanOrEqual(301);
  });
});

describe("timeline order", () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);
  const ev = (id: string, ms: number, type = "x", source = "app") => ({ id, source, type, detailJson: null, createdAt: at(ms) });

  it("puts a mutation after the decision written in its transaction, before its attempts, and keeps time order otherwise", () => {
    const events = [ev("e1", 0, "payment_session_received", "shopify"), ev("e2", 1005, "LoanWasVerified", "soisy_callback"), ev("e3", 1007, "resolved"), ev("e4", 5000, "alert:amount_mismatch")];
    const messages = [
      {
        id: "m1",
        mutation: "paymentSessionResolve",
        status: "delivered",
        attempts: 2,
        lastError: null,
        createdAt: at(1003),
        attemptsLog: [
          { id: "a2", startedAt: at(3000), durationMs: 5, httpStatus: 200, outcome: "delivered", error: null },
          { id: "a1", startedAt: at(1010), durationMs: 9, httpStatus: 503, outcome: "retry", error: "busy" },
        ],
      },
    ];
    const timeline = buildTimeline(events, messages, "it", (d) => d.toISOString());
    expect(timeline.map((e) => e.id)).toEqual(["e1", "e2", "e3", "m1", "a1", "a2", "e4"]);
    expect(timeline.find((e) => e.id === "m1")!.at).toBe(at(1003).toISOString()); // shown at its own time
    expect(timeline.find((e) => e.id === "a1")).toMatchObject({ kind: "attempt", httpStatus: 503, outcome: "retry", tone: "warning", details: "HTTP 503, esito: retry, 9 ms, errore: busy" });
    expect(timeline.find((e) => e.id === "e4")).toMatchObject({ kind: "alert", event: "Importo del finanziamento diverso dall'importo Shopify", tone: "critical" });
  });

  it("never moves a mutation after its first attempt, nor onto unrelated later events", () => {
    const events = [ev("e1", 100), ev("e9", 9000)];
    const messages = [{ id: "m1", mutation: "refundSessionReject", status: "dead", attempts: 1, lastError: "gone", createdAt: at(50), attemptsLog: [{ id: "a1", startedAt: at(60), durationMs: 1, httpStatus: null, outcome: "dead", error: null }] }];
    expect(buildTimeline(events, messages, "en", String).map((e) => e.id)).toEqual(["m1", "a1", "e1", "e9"]);
    expect(buildTimeline(events, [{ ...messages[0]!, attemptsLog: [] }], "en", String).map((e) => e.id)).toEqual(["e1", "m1", "e9"]);
  });
});
