/**
 * callPaymentsApi over real HTTP (a tiny node:http server playing a misbehaving Shopify): what it sends,
 * timeouts, refused connections, redirects, and that the access token never leaks into a result.
 */
import http, { type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callPaymentsApi, PAYMENTS_API_DOCUMENTS } from "~/shopify/payments-api.server";

const TOKEN = "shpat_unit_secret_abcdef0123456789";
const GID = "gid://shopify/PaymentSession/u0nwmSrNntjIWozmNslK5Tlq";

interface Seen {
  method: string;
  headers: IncomingHttpHeaders;
  body: { query?: string; variables?: Record<string, unknown> };
}

let server: http.Server;
let base = "";
const seen: Seen[] = [];
let reply: (res: ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString() || "{}") as Seen["body"] });
      reply(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const call = (overrides: Partial<Parameters<typeof callPaymentsApi>[0]> = {}) =>
  callPaymentsApi({
    endpoint: `${base}/graphql.json`,
    accessToken: TOKEN,
    mutation: "paymentSessionResolve",
    variables: { id: GID },
    ...overrides,
  });

describe("callPaymentsApi", () => {
  it("POSTs the document and variables as JSON with the access token header", async () => {
    reply = (res) =>
      res.writeHead(200, { "Content-Type": "application/json" }).end(
        JSON.stringify({
          data: {
            paymentSessionResolve: {
              paymentSession: {
                id: GID,
                state: { __typename: "PaymentSessionStateResolved", code: "RESOLVED" },
                nextAction: { action: "REDIRECT", context: { __typename: "PaymentSessionActionsRedirect", redirectUrl: "https://x.example/o/1" } },
              },
              userErrors: [],
            },
          },
        }),
      );
    const before = seen.length;
    const result = await call();
    expect(result).toMatchObject({ kind: "ok", nextActionUrl: "https://x.example/o/1", httpStatus: 200 });
    const request = seen[before];
    expect(request?.method).toBe("POST");
    expect(request?.headers["x-shopify-access-token"]).toBe(TOKEN);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body.query).toBe(PAYMENTS_API_DOCUMENTS.paymentSessionResolve);
    expect(request?.body.variables).toEqual({ id: GID });
  });

  it("a server that never answers → retry after timeoutMs", async () => {
    reply = () => {
      /* never answers */
    };
    const started = performance.now();
    const result = await call({ timeoutMs: 200 });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ kind: "retry", reason: expect.stringMatching(/timeout/) });
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("a body that stalls after the headers → retry after timeoutMs", async () => {
    reply = (res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write('{"data":');
    };
    const result = await call({ timeoutMs: 200 });
    expect(result).toMatchObject({ kind: "retry", reason: expect.stringMatching(/timeout/) });
  });

  it("connection refused → retry (network error)", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await call({ endpoint: `http://127.0.0.1:${port}/graphql.json` });
    expect(result).toMatchObject({ kind: "retry", reason: expect.stringMatching(/network error/) });
    expect(result).not.toHaveProperty("httpStatus");
  });

  it("a redirect is not followed (the token must not travel to another host)", async () => {
    reply = (res) => res.writeHead(307, { Location: `${base}/elsewhere` }).end();
    const before = seen.length;
    const result = await call();
    expect(result).toMatchObject({ kind: "fatal", httpStatus: 307 });
    expect(seen.length).toBe(before + 1);
  });

  it("a token echoed in an error body never reaches the result", async () => {
    reply = (res) => res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ errors: `bad token ${TOKEN}` }));
    const result = await call();
    expect(result.kind).toBe("retry");
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("429 Retry-After from the real header", async () => {
    reply = (res) => res.writeHead(429, { "Retry-After": "3" }).end(JSON.stringify({ errors: "Exceeded 2 calls per second" }));
    expect(await call()).toMatchObject({ kind: "retry", httpStatus: 429, retryAfterMs: 3_000 });
  });

  it("an answer larger than maxResponseBytes → retry (the transfer is aborted, nothing buffered)", async () => {
    reply = (res) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ data: { pad: "x".repeat(10_000) } }));
    const result = await call({ maxResponseBytes: 1_000 });
    expect(result).toMatchObject({ kind: "retry", reason: expect.stringMatching(/larger than 1000 bytes/) });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });
});
