import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  SoisyAuthError,
  SoisyBadResponseError,
  SoisyError,
  SoisyNetworkError,
  SoisyNotFoundError,
  SoisyServerError,
  SoisyTimeoutError,
  SoisyValidationError,
  isSoisyError,
  issuesToFields,
  parseSoisyErrorBody,
  scrubSecrets,
  soisyErrorFromResponse,
  type SoisyErrorKind,
} from "~/soisy/errors";

const ctx = { method: "POST", path: "/api/shops/partnershop/orders" };

describe("soisyErrorFromResponse: status → kind", () => {
  it("400 with per-field errors → validation with Soisy's messages", () => {
    const err = soisyErrorFromResponse({
      ...ctx,
      status: 400,
      bodyText: JSON.stringify({
        errors: { email: ["This value is not a valid email address."], amount: ["Too small.", "Not an integer."] },
      }),
    });
    expect(err).toBeInstanceOf(SoisyValidationError);
    const v = err as SoisyValidationError;
    expect(v.kind).toBe("validation");
    expect(v.status).toBe(400);
    expect(v.origin).toBe("soisy");
    expect(v.retryable).toBe(false);
    expect(v.fields).toEqual({
      email: ["This value is not a valid email address."],
      amount: ["Too small.", "Not an integer."],
    });
    expect(v.generalErrors).toEqual([]);
    expect(v.message).toContain("email: This value is not a valid email address.");
    expect(v.message).toContain("amount: Too small.; Not an integer.");
    expect(v.method).toBe("POST");
    expect(v.path).toBe("/api/shops/partnershop/orders");
  });

  it("400 with a top-level error → validation with generalErrors", () => {
    const err = soisyErrorFromResponse({ ...ctx, status: 400, bodyText: '{"error":"The shop is not active"}' });
    expect(err.kind).toBe("validation");
    const v = err as SoisyValidationError;
    expect(v.fields).toEqual({});
    expect(v.generalErrors).toEqual(["The shop is not active"]);
    expect(v.message).toContain("The shop is not active");
  });

  it("400 with odd shapes: string values, nested objects, an errors array, a non-JSON body", () => {
    const odd = soisyErrorFromResponse({
      ...ctx,
      status: 400,
      bodyText: JSON.stringify({ errors: { email: "bad email", address: { street: ["required"] }, n: [1, null] } }),
    }) as SoisyValidationError;
    expect(odd.fields).toEqual({ email: ["bad email"], "address.street": ["required"], n: ["1"] });

    const list = soisyErrorFromResponse({ ...ctx, status: 400, bodyText: '{"errors":["one","two"]}' }) as SoisyValidationError;
    expect(list.generalErrors).toEqual(["one", "two"]);

    const html = soisyErrorFromResponse({ ...ctx, status: 400, bodyText: "<html>Bad Request</html>" }) as SoisyValidationError;
    expect(html.kind).toBe("validation");
    expect(html.fields).toEqual({});
    expect(html.message).toBe("Soisy rejected the request (HTTP 400)");
  });

  it("422 is treated like 400", () => {
    expect(soisyErrorFromResponse({ ...ctx, status: 422, bodyText: '{"errors":{"a":["b"]}}' }).kind).toBe("validation");
  });

  it.each([401, 403])("%d → auth, telling the merchant the shop id or API key is wrong", (status) => {
    const err = soisyErrorFromResponse({ ...ctx, status, bodyText: '{"error":"Forbidden"}' });
    expect(err).toBeInstanceOf(SoisyAuthError);
    expect(err.kind).toBe("auth");
    expect(err.status).toBe(status);
    expect(err.message).toMatch(/shop id or the API key is wrong/);
    expect(err.retryable).toBe(false);
  });

  it("404 → not_found with the server's detail", () => {
    const err = soisyErrorFromResponse({ method: "GET", path: "/x", status: 404, bodyText: '{"error":"Order not found"}' });
    expect(err).toBeInstanceOf(SoisyNotFoundError);
    expect(err.kind).toBe("not_found");
    expect(err.message).toBe("Soisy: not found (HTTP 404): Order not found");
  });

  it.each([500, 502, 503, 504, 408, 429])("%d → server (retryable) with the status", (status) => {
    const err = soisyErrorFromResponse({ ...ctx, status, bodyText: "upstream exploded" });
    expect(err).toBeInstanceOf(SoisyServerError);
    expect(err.kind).toBe("server");
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`HTTP ${status}`);
    expect(err.message).not.toContain("upstream exploded");
  });

  it.each([301, 302, 307, 409, 418])("%d → bad_response", (status) => {
    const err = soisyErrorFromResponse({ ...ctx, status, bodyText: "" });
    expect(err).toBeInstanceOf(SoisyBadResponseError);
    expect(err.kind).toBe("bad_response");
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(false);
  });
});

describe("error classes", () => {
  it("share the SoisyError base, a kind discriminator, names and retryability", () => {
    const errors: Array<[SoisyError, SoisyErrorKind, string, boolean]> = [
      [new SoisyValidationError({ fields: { a: ["b"] } }), "validation", "SoisyValidationError", false],
      [new SoisyAuthError({}), "auth", "SoisyAuthError", false],
      [new SoisyNotFoundError({}), "not_found", "SoisyNotFoundError", false],
      [new SoisyServerError({ status: 500 }), "server", "SoisyServerError", true],
      [new SoisyTimeoutError({ timeoutMs: 50 }), "timeout", "SoisyTimeoutError", true],
      [new SoisyNetworkError({ cause: new Error("ECONNREFUSED") }), "network", "SoisyNetworkError", true],
      [new SoisyBadResponseError({ reason: "x" }), "bad_response", "SoisyBadResponseError", false],
    ];
    for (const [err, kind, name, retryable] of errors) {
      expect(err).toBeInstanceOf(SoisyError);
      expect(err).toBeInstanceOf(Error);
      expect(isSoisyError(err)).toBe(true);
      expect(err.kind).toBe(kind);
      expect(err.name).toBe(name);
      expect(err.retryable).toBe(retryable);
      expect(err.stack?.startsWith(`${name}: `)).toBe(true);
      expect(JSON.parse(JSON.stringify(err))).toMatchObject({ name, kind, retryable, message: err.message });
    }
    expect(isSoisyError(new Error("x"))).toBe(false);
  });

  it("client-side validation errors are marked as such", () => {
    const { fields, generalErrors } = issuesToFields([
      { path: ["email"], message: "must be a valid email address" },
      { path: ["address", "street"], message: "too long" },
      { path: [], message: "bad object" },
      { path: [], message: 'Unrecognized key: "foo"', code: "unrecognized_keys", keys: ["foo"] },
    ]);
    const err = new SoisyValidationError({ origin: "client", fields, generalErrors });
    expect(err.origin).toBe("client");
    expect(err.status).toBeUndefined();
    expect(err.fields).toEqual({
      email: ["must be a valid email address"],
      "address.street": ["too long"],
      foo: ["Unknown field"],
    });
    expect(err.generalErrors).toEqual(["bad object"]);
    expect(err.message).toMatch(/^Invalid input for Soisy: /);
  });

  it("network errors describe the cause chain (codes included)", () => {
    const inner = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const outer = new TypeError("fetch failed", { cause: inner });
    const err = new SoisyNetworkError({ ...ctx, cause: outer });
    expect(err.message).toBe("Could not reach Soisy: fetch failed: connect ECONNREFUSED 127.0.0.1:9 (ECONNREFUSED)");
    expect(err.cause).toBeInstanceOf(Error);
    expect((err.cause as Error).message).toBe("fetch failed");
    expect(((err.cause as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    // A copy, not the original object.
    expect(err.cause).not.toBe(outer);
  });

  it("parseSoisyErrorBody ignores non-objects", () => {
    expect(parseSoisyErrorBody(null)).toEqual({ fields: {}, generalErrors: [] });
    expect(parseSoisyErrorBody("x")).toEqual({ fields: {}, generalErrors: [] });
    expect(parseSoisyErrorBody({ message: "m", error: { message: "n" } })).toEqual({ fields: {}, generalErrors: ["n", "m"] });
  });
});

describe("the API key never leaks from an error", () => {
  // A key with characters that change under URL encoding, to catch encoded copies too.
  const KEY = "sk_Sup3r/Secret+Key=42&x";
  const secrets = [KEY];
  const encoded = encodeURIComponent(KEY);
  const formEncoded = new URLSearchParams({ k: KEY }).toString().slice(2);
  const keyedPath = `/api/shops/partnershop/orders?key=${encoded}`;

  function leakChecks(err: SoisyError): string[] {
    const views = [
      err.message,
      String(err.stack),
      JSON.stringify(err),
      inspect(err, { depth: Infinity, showHidden: true }),
      String(err),
      err.cause === undefined ? "" : inspect(err.cause, { depth: Infinity, showHidden: true }),
      err.cause instanceof Error ? String(err.cause.stack) : "",
      JSON.stringify(Object.getOwnPropertyNames(err).map((k) => [k, String((err as unknown as Record<string, unknown>)[k])])),
    ];
    return views.filter((v) => v.includes(KEY) || v.includes(encoded) || v.includes(formEncoded));
  }

  const cases: Array<[SoisyErrorKind, () => SoisyError]> = [
    [
      "validation",
      () =>
        soisyErrorFromResponse({
          method: "POST",
          path: keyedPath,
          secrets,
          status: 400,
          bodyText: JSON.stringify({
            errors: { [`x-${KEY}`]: [`token ${KEY} is not valid`, `encoded ${encoded}`] },
            error: `You sent ${KEY}`,
          }),
        }),
    ],
    [
      "auth",
      () => soisyErrorFromResponse({ method: "GET", path: keyedPath, secrets, status: 403, bodyText: `{"error":"bad key ${KEY}"}` }),
    ],
    [
      "not_found",
      () => soisyErrorFromResponse({ method: "GET", path: keyedPath, secrets, status: 404, bodyText: `{"error":"no ${KEY}"}` }),
    ],
    [
      "server",
      () =>
        soisyErrorFromResponse({ method: "GET", path: keyedPath, secrets, status: 500, bodyText: `{"message":"crash ${formEncoded}"}` }),
    ],
    [
      "timeout",
      () =>
        new SoisyTimeoutError({
          method: "GET",
          path: keyedPath,
          secrets,
          timeoutMs: 100,
          cause: new DOMException(`aborted while sending X-Auth-Token: ${KEY}`, "TimeoutError"),
        }),
    ],
    [
      "network",
      () =>
        new SoisyNetworkError({
          method: "GET",
          path: keyedPath,
          secrets,
          cause: new TypeError("fetch failed", {
            cause: Object.assign(new Error(`socket hang up for header ${KEY}`), { code: "ECONNRESET", key: KEY }),
          }),
        }),
    ],
    [
      "bad_response",
      () =>
        new SoisyBadResponseError({
          method: "GET",
          path: keyedPath,
          secrets,
          status: 200,
          reason: `schema mismatch near ${KEY}`,
          issues: [`token: expected string, got ${KEY}`],
          cause: new SyntaxError(`Unexpected token in ${KEY}`),
        }),
    ],
  ];

  it.each(cases)("%s", (kind, make) => {
    const err = make();
    expect(err.kind).toBe(kind);
    expect(leakChecks(err)).toEqual([]);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it("every kind is covered", () => {
    expect(new Set(cases.map(([k]) => k))).toEqual(
      new Set<SoisyErrorKind>(["validation", "auth", "not_found", "server", "timeout", "network", "bad_response"]),
    );
  });

  it("scrubSecrets replaces raw and encoded forms, and leaves text alone without secrets", () => {
    expect(scrubSecrets(`a ${KEY} b ${encoded} c ${formEncoded}`, secrets)).toBe("a [redacted] b [redacted] c [redacted]");
    expect(scrubSecrets("nothing here", secrets)).toBe("nothing here");
    expect(scrubSecrets(`x ${KEY}`, undefined)).toBe(`x ${KEY}`);
    expect(scrubSecrets("x", [""])).toBe("x");
  });

  it("the leak check itself detects a leak", () => {
    // Guard against a vacuous test: an error built without `secrets` does carry the key.
    const leaky = soisyErrorFromResponse({ method: "GET", path: "/x", status: 404, bodyText: `{"error":"no ${KEY}"}` });
    expect(leakChecks(leaky).length).toBeGreaterThan(0);
  });
});
