/**
 * The production server (server/, `<build>/server.mjs`) as a child process, with the simulators:
 * a Soisy that never answers, huge chunked bodies, the access log, per-IP limits on wrong secrets,
 * and a graceful SIGTERM.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, shopifyProofHeaders, spawnApp, stopProcess } from "../../scripts/lib/local-stack";
import { eventually, startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { paymentUrls } from "~/payments/app-urls";
import { sessionSecret } from "~/payments/url-secrets.server";
import { parseKeyring } from "~/security/encryption.server";
import { paymentSessionBody } from "../../scripts/lib/payment-session-body";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    shop: "server-e2e.myshopify.com",
    appEnv: { LOG_LEVEL: "info", RATE_LIMIT_WRONG_SECRET_MAX: "5", RATE_LIMIT_LOGIN_MAX: "3" },
  });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

function sessionBody(id: string) {
  return paymentSessionBody(id, { shop: "server-e2e.myshopify.com", amount: "450.00" });
}

function postSession(appUrl: string, id: string, signal?: AbortSignal) {
  return fetch(`${appUrl}/payments/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop, "shopify-api-version": "2026-04", ...shopifyProofHeaders(stack.env) },
    body: JSON.stringify(sessionBody(id)),
    signal: signal ?? AbortSignal.timeout(40_000),
  });
}

const healthy = async (appUrl: string) => (await fetch(`${appUrl}/healthz`, { signal: AbortSignal.timeout(5_000) })).status === 200;

/** Peak resident memory (VmHWM) of a process, in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

/**
 * POSTs a chunked body of `totalBytes` (never announcing a length) on its own connection and keeps
 * sending until the answer arrives; resolves with the status, the Connection header and whether
 * the server then closed the connection.
 */
function postChunked(url: string, totalBytes: number, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; connection: string | undefined; body: string; closed: boolean; sentBytes: number }>((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let answered = false;
    const req = http.request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", "transfer-encoding": "chunked", ...headers },
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => {
        const socket = req.socket;
        const done = () => resolve({ status: res.statusCode!, connection: res.headers.connection, body, closed: true, sentBytes: sent });
        if (!socket || socket.destroyed) return done();
        socket.once("close", done);
        setTimeout(() => resolve({ status: res.statusCode!, connection: res.headers.connection, body, closed: socket.destroyed, sentBytes: sent }), 10_000).unref();
      });
    });
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("the production server", () => {
  it("a Soisy that never answers: the session gets 503 after the client's timeout, and the process keeps serving", async () => {
    stack.soisy.setFaults({ hangNext: 2, match: "/orders" });
    const started = Date.now();
    const res = await postSession(stack.appUrl, `hang${randomBytes(6).toString("hex")}`);
    const seconds = (Date.now() - started) / 1000;
    expect([502, 503]).toContain(res.status);
    console.log(`[server] hanging Soisy: answered ${res.status} after ${seconds.toFixed(1)} s`);
    // Still alive: a second hang, then normal service.
    const again = await postSession(stack.appUrl, `hang${randomBytes(6).toString("hex")}`);
    expect([502, 503]).toContain(again.status);
    stack.soisy.setFaults({});
    expect(await healthy(stack.appUrl)).toBe(true);
    const ok = await postSession(stack.appUrl, `after${randomBytes(6).toString("hex")}`);
    expect(ok.status).toBe(201);
    expect(stack.appOutput()).not.toMatch(/Cannot cancel a stream|uncaught exception/);
  }, 90_000);

  it("64 MB chunked bodies: 413 with Connection: close, the connection is closed, memory stays bounded", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = "";
    const child: ChildProcess = await spawnApp({ port, env: { ...stack.env, LOG_LEVEL: "warn" }, onOutput: (t) => (output += t) });
    try {
      const before = peakRssMb(child.pid!);
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          postChunked(`${url}${i % 2 ? "/payments/sessions" : "/"}`, 64 * 1024 * 1024, {
            "shopify-shop-domain": stack.shop,
            ...shopifyProofHeaders(stack.env),
          }),
        ),
      );
      for (const a of answers) {
        expect(a.status).toBe(413);
        expect(a.connection).toBe("close");
        expect(a.body).toMatch(/payload too large/);
        expect(a.closed).toBe(true);
      }
      const peak = peakRssMb(child.pid!);
      console.log(`[server] 8 concurrent 64 MB chunked bodies: VmHWM ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak`);
      expect(peak).toBeLessThan(400);

      // Native fetch: the 413 reaches the client; its next request goes out on a new connection and works.
      let pulls = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulls++ >= 1024) return controller.close();
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
      const big = await fetch(`${url}/payments/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop, ...shopifyProofHeaders(stack.env) },
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect(big.status).toBe(413);
      expect(big.headers.get("connection")).toBe("close");
      expect(((await big.json()) as { error: string }).error).toMatch(/at most 65536 bytes/);
      expect(await healthy(url)).toBe(true);
      expect(child.exitCode).toBeNull();
    } finally {
      await stopProcess(child, "SIGKILL");
    }
    expect(output).not.toMatch(/uncaught exception/);
  }, 120_000);

  it("the access log has one line per request with the URL secrets and sensitive query values redacted", async () => {
    const result = await stack.shopify.startPayment({ shop: stack.shop, amount: "300.00", test: true });
    expect(result.ok).toBe(true);
    const secret = sessionSecret(result.id, parseKeyring(stack.encryptionKey));
    const urls = paymentUrls(stack.appUrl, result.id, secret);
    await (await fetch(urls.success, { redirect: "manual" })).text();
    expect((await fetch(urls.status)).status).toBe(200);
    const callback = await fetch(urls.callback, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ orderToken: "nope" }) });
    expect(callback.status).not.toBe(404);
    await fetch(`${stack.appUrl}/auth/callback?code=CODEzzSECRET&hmac=HMACzzSECRET&shop=${stack.shop}&state=STATEzzSECRET&timestamp=1`, { redirect: "manual" });

    const lines = await eventually(async () => {
      const found = stack
        .appOutput()
        .split("\n")
        .filter((l) => l.includes('"msg":"request"'));
      return found.some((l) => l.includes("/auth/callback")) ? found : null;
    }, 10_000, "access log lines");
    const output = stack.appOutput();
    expect(output).not.toContain(secret);
    expect(output).not.toContain(encodeURIComponent(secret));
    expect(output).not.toMatch(/CODEzzSECRET|HMACzzSECRET|STATEzzSECRET/);
    const returnLine = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.url).startsWith(`/payments/return/${result.id}/`));
    expect(returnLine).toMatchObject({ method: "GET", url: `/payments/return/${result.id}/[redacted]/success` });
    expect([200, 302]).toContain(returnLine!.status);
    expect(typeof returnLine!.ms).toBe("number");
    expect(typeof returnLine!.reqId).toBe("string");
    expect(lines.some((l) => l.includes(`"url":"/soisy/callback/${result.id}/[redacted]"`))).toBe(true);
    expect(lines.some((l) => l.includes("code=[redacted]") && l.includes("hmac=[redacted]") && l.includes("state=[redacted]"))).toBe(true);
    for (const l of lines) expect(l).not.toMatch(/cookie|authorization|x-shopify-client-cert/i);
  }, 60_000);

  it("wrong secrets: 429 with Retry-After after the limit, while valid polls and callbacks still pass", async () => {
    const result = await stack.shopify.startPayment({ shop: stack.shop, amount: "310.00", test: true });
    const secret = sessionSecret(result.id, parseKeyring(stack.encryptionKey));
    const urls = paymentUrls(stack.appUrl, result.id, secret);
    const wrong = `${stack.appUrl}/payments/status/${result.id}/${randomBytes(32).toString("base64url")}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(wrong)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const limited = await fetch(wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another secret URL route from the same address is refused too…
    expect((await fetch(`${stack.appUrl}/soisy/callback/${result.id}/wrong`, { method: "POST", body: "{}" })).status).toBe(429);
    // …but a valid secret is never counted nor refused.
    for (let i = 0; i < 8; i++) expect((await fetch(urls.status)).status).toBe(200);
    const callback = await fetch(urls.callback, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ orderToken: "nope" }) });
    expect(callback.status).not.toBe(429);
  }, 60_000);

  it("login POSTs: 429 with Retry-After past the limit; the login page itself is not limited", async () => {
    const login = () =>
      fetch(`${stack.appUrl}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: stack.appUrl },
        body: new URLSearchParams({ shop: "nobody" }),
        redirect: "manual",
      });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login()).status);
    expect(statuses.every((s) => s !== 429)).toBe(true);
    const limited = await login();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: string }).error).toMatch(/too many login attempts/);
    expect((await fetch(`${stack.appUrl}/auth/login`)).status).toBe(200);
  });

  it("a quiet terminal: /favicon.ico leads to the app's icon, and a page that does not exist answers 404 without a layout error", async () => {
    const ico = await fetch(`${stack.appUrl}/favicon.ico`, { redirect: "manual" });
    expect(ico.status).toBe(301);
    expect(ico.headers.get("location")).toBe("/favicon.svg");
    const svg = await fetch(new URL("/favicon.svg", stack.appUrl));
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toContain("image/svg+xml");
    expect(await svg.text()).toContain("<svg");
    const before = stack.appOutput().length;
    const missing = await fetch(`${stack.appUrl}/no-such-page`, { headers: { "user-agent": "Mozilla/5.0" } });
    expect(missing.status).toBe(404);
    const page = await missing.text();
    expect(page).toContain('<html lang="it">');
    expect(page).toContain('href="/favicon.svg"');
    expect(stack.appOutput().slice(before)).not.toMatch(/useLoaderData|errorElement/);
  });

  it("SIGTERM during a request: the request completes, then the process exits 0", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = "";
    const child = await spawnApp({ port, env: { ...stack.env, LOG_LEVEL: "info", SHUTDOWN_GRACE_MS: "20000" }, onOutput: (t) => (output += t) });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      stack.soisy.setFaults({ latencyMs: 2_500, match: "/orders" });
      const pending = postSession(url, `term${randomBytes(6).toString("hex")}`);
      // Signal once the request is in the app (its Soisy call has started).
      const before = stack.soisy.requests.length;
      await eventually(async () => stack.soisy.requests.length > before, 10_000, "the Soisy call");
      child.kill("SIGTERM");
      const res = await pending;
      expect(res.status).toBe(201);
      expect(((await res.json()) as { redirect_url?: string }).redirect_url).toMatch(/^http/);
      expect(await exited).toBe(0);
      expect(output).toContain("finishing the requests in flight");
      // The app's shutdown closed its pool of connections to Soisy and Shopify before the end. The
      // server's and the app's loggers write separately, so their lines' times are compared, not their order.
      const timeOf = (msg: string) => logLines(output).find((l) => l.msg === msg)?.time;
      expect(timeOf("outgoing connections closed")).toBeLessThanOrEqual(timeOf("stopped") ?? -1);
      expect(output).toContain('"msg":"stopped"');
    } finally {
      stack.soisy.setFaults({});
      await stopProcess(child, "SIGKILL");
    }
  }, 60_000);
});

/** The JSON log lines of a process's output. */
function logLines(output: string): Array<{ msg?: string; time?: number }> {
  return output.split("\n").flatMap((line) => {
    try {
      return line.startsWith("{") ? [JSON.parse(line) as { msg?: string; time?: number }] : [];
    } catch {
      return [];
    }
  });
}
