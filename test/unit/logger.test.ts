import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "~/logger.server";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines };
}

describe("logs never carry secrets or shoppers' personal data", () => {
  it("redacts API keys, tokens and personal data wherever they sit in a log object", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        apiKey: "partnerkey-SECRET",
        request: { headers: { "x-auth-token": "partnerkey-SECRET2", "X-Shopify-Access-Token": "shpat_SECRET3" } },
        session: { accessToken: "shpat_SECRET4", refreshToken: "shprt_SECRET5" },
        order: { email: "mario.rossi@example.com", firstname: "Mario", lastname: "Rossi", mobilePhone: "3331234567", fiscalCode: "RSSMRA80A01H501U", address: "Via Roma" },
        body: { customer: { email: "anna@example.com", billing_address: { line1: "Via Po 3" } } },
        sessionId: "keep-me",
      },
      "something happened",
    );
    const out = lines.join("");
    for (const secret of ["SECRET", "mario.rossi", "Mario", "Rossi", "3331234567", "RSSMRA80A01H501U", "Via Roma", "anna@example.com", "Via Po"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("keep-me");
    expect(out).toContain("[redacted]");
  });
});
