/**
 * Runs the Shopify simulator on its own, for the demo:
 *
 *   npx tsx test/simulators/shopify/main.ts --port 8081 --app-url http://127.0.0.1:3000 \
 *     --shop soisy-demo.myshopify.com --token shpat_demo
 *
 * Every flag has an environment twin (flags win):
 *   --port        SHOPIFY_SIM_PORT          (default 8081; 0 = random)
 *   --host        SHOPIFY_SIM_HOST          (default 127.0.0.1)
 *   --app-url     SHOPIFY_SIM_APP_URL       (default http://127.0.0.1:3000)
 *   --shop        SHOPIFY_SIM_SHOP          (default soisy-demo.myshopify.com)
 *   --token       SHOPIFY_SIM_ACCESS_TOKEN  (default shpat_simulated_demo_token)
 *   --payment-path SHOPIFY_SIM_PAYMENT_PATH (default /payments/sessions)
 *   --refund-path  SHOPIFY_SIM_REFUND_PATH  (default /payments/refunds)
 *   --api-version  SHOPIFY_SIM_API_VERSION  (default 2026-04)
 *   --client-id     SHOPIFY_SIM_CLIENT_ID     the app's API key    } both: enables the OAuth install flow
 *   --client-secret SHOPIFY_SIM_CLIENT_SECRET the app's API secret } (the app needs SHOPIFY_ADMIN_URL)
 *   SHOPIFY_MTLS_HEADER + SHOPIFY_MTLS_HEADER_VALUE (the app's own variables): sent on session requests
 *
 * Prints one JSON line `{"event":"ready", url, paymentsApiUrlTemplate, ...}` on stdout when listening,
 * then a log line per event on stderr. Stops on SIGINT / SIGTERM.
 */
import { parseArgs } from "node:util";
import { startShopifySimulator } from "./simulator";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "app-url": { type: "string" },
    shop: { type: "string" },
    token: { type: "string" },
    "payment-path": { type: "string" },
    "refund-path": { type: "string" },
    "api-version": { type: "string" },
    "client-id": { type: "string" },
    "client-secret": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(
    "Usage: npx tsx test/simulators/shopify/main.ts [--port N] [--host H] [--app-url URL] [--shop DOMAIN] [--token TOKEN]\n" +
      "       [--payment-path P] [--refund-path P] [--api-version V] [--client-id ID --client-secret SECRET]\n",
  );
  process.exit(0);
}

const env = process.env;
const port = Number(values.port ?? env.SHOPIFY_SIM_PORT ?? 8081);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid port: ${values.port ?? env.SHOPIFY_SIM_PORT}\n`);
  process.exit(2);
}
const shop = values.shop ?? env.SHOPIFY_SIM_SHOP ?? "soisy-demo.myshopify.com";
const accessToken = values.token ?? env.SHOPIFY_SIM_ACCESS_TOKEN ?? "shpat_simulated_demo_token";
const paymentSessionPath = values["payment-path"] ?? env.SHOPIFY_SIM_PAYMENT_PATH;
const refundSessionPath = values["refund-path"] ?? env.SHOPIFY_SIM_REFUND_PATH;
const apiVersion = values["api-version"] ?? env.SHOPIFY_SIM_API_VERSION;
const clientId = values["client-id"] ?? env.SHOPIFY_SIM_CLIENT_ID;
const clientSecret = values["client-secret"] ?? env.SHOPIFY_SIM_CLIENT_SECRET;
if (Boolean(clientId) !== Boolean(clientSecret)) {
  process.stderr.write("--client-id and --client-secret go together (they enable the OAuth install flow)\n");
  process.exit(2);
}

const sim = await startShopifySimulator({
  port,
  host: values.host ?? env.SHOPIFY_SIM_HOST ?? "127.0.0.1",
  appUrl: values["app-url"] ?? env.SHOPIFY_SIM_APP_URL ?? "http://127.0.0.1:3000",
  shops: [{ domain: shop, accessToken }],
  ...(paymentSessionPath ? { paymentSessionPath } : {}),
  ...(refundSessionPath ? { refundSessionPath } : {}),
  ...(apiVersion ? { apiVersion } : {}),
  ...(clientId && clientSecret ? { oauth: { clientId, clientSecret } } : {}),
  ...(env.SHOPIFY_MTLS_HEADER && env.SHOPIFY_MTLS_HEADER_VALUE ? { proofHeader: { name: env.SHOPIFY_MTLS_HEADER, value: env.SHOPIFY_MTLS_HEADER_VALUE } } : {}),
  log: (line) => process.stderr.write(`[shopify-sim] ${line}\n`),
});

process.stdout.write(
  `${JSON.stringify({
    event: "ready",
    url: sim.url,
    checkoutUrl: `${sim.url}/checkout`,
    paymentsApiUrlTemplate: sim.paymentsApiUrlTemplate,
    graphqlUrl: sim.graphqlUrl(shop),
    appUrl: sim.appUrl,
    shop,
    apiVersion: sim.apiVersion,
    oauth: Boolean(clientId),
  })}\n`,
);
process.stderr.write(`[shopify-sim] checkout: ${sim.url}/checkout — state: ${sim.url}/_sim/state\n`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`[shopify-sim] ${signal}: closing\n`);
  await sim.close();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
