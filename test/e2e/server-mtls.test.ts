/**
 * Proof that a session request comes from Shopify, checked by the production server before it reads
 * the body: (a) the app's own TLS server with a client CA (a throw-away CA made here with the
 * openssl CLI), (b) the proof header a TLS terminator sets, and the refusal to start in production
 * with neither.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appServerEntry, freePort, repoRoot, shopifyProofHeaders, spawnApp, stopProcess } from "../../scripts/lib/local-stack";
import { startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { paymentSessionBody } from "../../scripts/lib/payment-session-body";
import { productionNodeFlags } from "../../scripts/lib/start-flags";

const OPENSSL = "/usr/bin/openssl";

let stack: Stack;
let dir: string;

function openssl(...args: string[]) {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate signed by it, plus a client certificate of another CA. */
function makeCertificates() {
  writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  writeFileSync(path.join(dir, "client.ext"), "extendedKeyUsage=clientAuth\n");
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test Shopify CA");
  for (const name of ["server", "client"]) {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name === "server" ? "127.0.0.1" : "shopify-payments-client"}`);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
  }
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=shopify-payments-client");
  const read = (f: string) => readFileSync(path.join(dir, f));
  return { ca: read("ca.pem"), client: { cert: read("client.pem"), key: read("client.key") }, other: { cert: read("other.pem"), key: read("other.key") } };
}

function sessionBody(id: string) {
  return paymentSessionBody(id, { shop: "mtls-e2e.myshopify.com", amount: "450.00", customer: { email: "buyer@example.com", locale: "it" } });
}

function httpsRequest(url: string, options: { ca: Buffer; cert?: Buffer; key?: Buffer; method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request(url, { method: options.method ?? "GET", ca: options.ca, cert: options.cert, key: options.key, headers: options.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
    req.end(options.body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "soisy-mtls-"));
  stack = await startStack({ shop: "mtls-e2e.myshopify.com" });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach((context) => printAppOutputIfFailed(context, stack));

const sessions = (ids: string[]) => stack.database.db.paymentSession.count({ where: { id: { in: ids } } });

describe("Shopify's proof on the session routes", () => {
  it("(b) behind a TLS terminator: no proof header or a wrong one → 403 and nothing written; the right one → 201", async () => {
    const post = (id: string, headers: Record<string, string>) =>
      fetch(`${stack.appUrl}/payments/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop, ...headers },
        body: JSON.stringify(sessionBody(id)),
      });
    const name = stack.env.SHOPIFY_MTLS_HEADER!;
    const refused = [`noproof${randomBytes(4).toString("hex")}`, `wrongproof${randomBytes(4).toString("hex")}`, `encoded${randomBytes(4).toString("hex")}`];
    const none = await post(refused[0]!, {});
    expect(none.status).toBe(403);
    expect(((await none.json()) as { error: string }).error).toMatch(/mTLS/);
    expect((await post(refused[1]!, { [name]: `${stack.env.SHOPIFY_MTLS_HEADER_VALUE}x` })).status).toBe(403);
    // The same route spelled differently is the same route.
    const encoded = await fetch(`${stack.appUrl}/PAYMENTS/%73essions/`, {
      method: "POST",
      headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop },
      body: JSON.stringify(sessionBody(refused[2]!)),
    });
    expect(encoded.status).toBe(403);
    expect((await fetch(`${stack.appUrl}/payments/refunds`, { method: "POST", body: "{}" })).status).toBe(403);
    expect(await sessions(refused)).toBe(0);

    const accepted = `proof${randomBytes(4).toString("hex")}`;
    expect((await post(accepted, shopifyProofHeaders(stack.env))).status).toBe(201);
    expect(await sessions([accepted])).toBe(1);
  });

  it("(a) the app's own TLS: a client certificate of the configured CA → accepted; none or another CA's → 403, nothing written", async () => {
    const certs = makeCertificates();
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    let output = "";
    const child: ChildProcess = await spawnApp({
      port,
      env: {
        ...stack.env,
        SHOPIFY_MTLS_HEADER: "",
        SHOPIFY_MTLS_HEADER_VALUE: "",
        TLS_CERT_FILE: path.join(dir, "server.pem"),
        TLS_KEY_FILE: path.join(dir, "server.key"),
        SHOPIFY_MTLS_CA_FILE: path.join(dir, "ca.pem"),
      },
      onOutput: (t) => (output += t),
      ready: async (isAlive) => {
        const deadline = Date.now() + 60_000;
        for (;;) {
          if (!isAlive()) throw new Error(`the app exited: ${output}`);
          const res = await httpsRequest(`${url}/healthz`, { ca: certs.ca }).catch(() => null);
          if (res?.status === 200) return;
          if (Date.now() > deadline) throw new Error(`no answer on ${url}: ${output}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      },
    });
    try {
      const post = (id: string, client?: { cert: Buffer; key: Buffer }) =>
        httpsRequest(`${url}/payments/sessions`, {
          ca: certs.ca,
          ...(client ?? {}),
          method: "POST",
          headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop },
          body: JSON.stringify(sessionBody(id)),
        });
      const refused = [`nocert${randomBytes(4).toString("hex")}`, `othercert${randomBytes(4).toString("hex")}`];
      const none = await post(refused[0]!);
      expect(none.status).toBe(403);
      expect(none.body).toMatch(/mTLS/);
      expect((await post(refused[1]!, certs.other)).status).toBe(403);
      expect(await sessions(refused)).toBe(0);

      const accepted = `withcert${randomBytes(4).toString("hex")}`;
      const ok = await post(accepted, certs.client);
      expect(ok.status).toBe(201);
      expect(JSON.parse(ok.body)).toHaveProperty("redirect_url");
      expect(await sessions([accepted])).toBe(1);
      // Other routes need no client certificate.
      expect((await httpsRequest(`${url}/healthz`, { ca: certs.ca })).status).toBe(200);
    } finally {
      await stopProcess(child, "SIGKILL");
    }
  }, 90_000);

  it("production without any proof configured refuses to start, with a clear message; SHOPIFY_MTLS=off starts with a warning", async () => {
    const run = (extra: Record<string, string>) =>
      new Promise<{ code: number | null; output: string; child: ChildProcess }>((resolve) => {
        const child = spawn(process.execPath, [...productionNodeFlags(), appServerEntry()], {
          cwd: repoRoot,
          env: { ...stack.env, SHOPIFY_MTLS_HEADER: "", SHOPIFY_MTLS_HEADER_VALUE: "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...extra },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (d: Buffer) => {
          output += d.toString();
          if (output.includes('"msg":"listening"')) resolve({ code: null, output, child });
        });
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        child.on("exit", (code) => resolve({ code, output, child }));
      });
    const refused = await run({});
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/SHOPIFY_MTLS_HEADER/);
    expect(refused.output).toMatch(/SHOPIFY_MTLS_CA_FILE/);
    const short = await run({ SHOPIFY_MTLS_HEADER: "x-proof", SHOPIFY_MTLS_HEADER_VALUE: "too-short" });
    expect(short.code).toBe(1);
    expect(short.output).toMatch(/at least 32 characters/);
    const off = await run({ SHOPIFY_MTLS: "off" });
    try {
      expect(off.code).toBeNull();
      expect(off.output).toMatch(/SHOPIFY_MTLS=off/);
    } finally {
      await stopProcess(off.child, "SIGKILL");
    }
  }, 60_000);
});
