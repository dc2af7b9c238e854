// The benchmark's ceiling: a bare Node `http` server answering the app's routes with the same JSON
// shapes (a payment session's redirect URL, a quote), reading and parsing the request body as the app
// must. Plain JavaScript so it starts without a loader: `node ceiling-server.mjs <port>`.
import http from "node:http";

const port = Number(process.argv[2]);
const quote = JSON.stringify({
  available: true,
  amount: 123456,
  instalments: 12,
  zeroInterest: false,
  example: { instalmentCents: 10734, taeg: "10.85", tan: "9.50" },
  lender: { name: "Soisy S.p.A." },
});

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "POST") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const payload = JSON.stringify({ redirect_url: `https://webapp.soisy.example/orders/${encodeURIComponent(body.id)}` });
        res.writeHead(201, { "content-type": "application/json; charset=utf-8" }).end(payload);
        return;
      }
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=60" }).end(quote);
    });
  })
  .listen(port, "127.0.0.1", () => process.send?.("ready"));
