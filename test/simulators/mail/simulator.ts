/**
 * A mail simulator for the tests and the demo: a real SMTP server (smtp-server) that parses every
 * mail it accepts (mailparser) and keeps it in memory, and an HTTP inbox (`/` the list, `/mail/<n>`
 * one mail with its HTML part shown in a sandboxed iframe, `/mail/<n>.txt` its text, `/api/mails`
 * JSON). `setDown(true)` makes the SMTP server refuse mail with a temporary error (451), as a mail
 * server that is down for a while would, until `setDown(false)`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface StoredMail {
  n: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  text: string;
  html: string;
  raw: string;
}

export interface MailSimulator {
  smtpPort: number;
  httpPort: number;
  smtpUrl: string;
  inboxUrl: string;
  mails: StoredMail[];
  /** Resolves when at least `count` mails were received (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<StoredMail[]>;
  setDown(down: boolean): void;
  /** SMTP transactions refused while down. */
  refused(): number;
  close(): Promise<void>;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

function inboxPage(mails: StoredMail[]): string {
  const rows = mails
    .slice()
    .reverse()
    .map((m) => `<tr><td>${m.n}</td><td>${esc(m.receivedAt)}</td><td>${esc(m.to.join(", "))}</td><td><a href="/mail/${m.n}">${esc(m.subject)}</a></td></tr>`)
    .join("\n");
  return `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Posta in arrivo / Inbox</title></head><body style="font-family:sans-serif">
<h1>Posta in arrivo / Inbox (${mails.length})</h1>
<table border="1" cellpadding="6" style="border-collapse:collapse"><thead><tr><th>#</th><th>Ricevuta / Received</th><th>A / To</th><th>Oggetto / Subject</th></tr></thead><tbody>
${rows || '<tr><td colspan="4">Nessuna e-mail / No mail yet</td></tr>'}
</tbody></table></body></html>`;
}

function mailPage(m: StoredMail): string {
  return `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>${esc(m.subject)}</title></head><body style="font-family:sans-serif">
<p><a href="/">← Posta in arrivo / Inbox</a> · <a href="/mail/${m.n}.txt">testo / text</a></p>
<dl><dt>Da / From</dt><dd>${esc(m.from)}</dd><dt>A / To</dt><dd>${esc(m.to.join(", "))}</dd><dt>Oggetto / Subject</dt><dd>${esc(m.subject)}</dd><dt>Message-ID</dt><dd>${esc(m.messageId)}</dd></dl>
<iframe title="${esc(m.subject)}" sandbox="" style="width:100%;height:70vh;border:1px solid #ccc" srcdoc="${esc(m.html || `<pre>${esc(m.text)}</pre>`)}"></iframe>
</body></html>`;
}

export async function startMailSimulator(options: { smtpPort?: number; httpPort?: number; host?: string } = {}): Promise<MailSimulator> {
  const host = options.host ?? "127.0.0.1";
  const mails: StoredMail[] = [];
  const waiters = new Set<() => void>();
  let down = false;
  let refusedCount = 0;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (down) {
        refusedCount += 1;
        const error = Object.assign(new Error("Mail server temporarily unavailable"), { responseCode: 451 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            mails.push({
              n: mails.length + 1,
              receivedAt: new Date().toISOString(),
              from: parsed.from?.text ?? "",
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? "",
              messageId: parsed.messageId ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              raw: raw.toString("utf8"),
            });
            for (const w of waiters) w();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once("error", reject);
    smtp.listen(options.smtpPort ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": `${type}; charset=utf-8`, "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'" });
      res.end(body);
    };
    if (path === "/") return send(200, "text/html", inboxPage(mails));
    if (path === "/api/mails") return send(200, "application/json", JSON.stringify(mails.map(({ raw: _raw, ...m }) => m)));
    const match = /^\/mail\/(\d+)(\.txt)?$/.exec(path);
    const mail = match ? mails[Number(match[1]) - 1] : undefined;
    if (!mail) return send(404, "text/plain", "not found");
    return match?.[2] ? send(200, "text/plain", mail.text) : send(200, "text/html", mailPage(mail));
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.httpPort ?? 0, host, () => resolve());
  });
  const httpPort = (http.address() as AddressInfo).port;

  return {
    smtpPort,
    httpPort,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    inboxUrl: `http://${host}:${httpPort}/`,
    mails,
    waitFor(count, timeoutMs = 20_000) {
      if (mails.length >= count) return Promise.resolve(mails.slice());
      return new Promise((resolve, reject) => {
        const check = () => {
          if (mails.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(mails.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} mails, got ${mails.length}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    setDown(value) {
      down = value;
    },
    refused: () => refusedCount,
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
