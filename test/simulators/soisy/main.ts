/**
 * Runs the Soisy simulator as a standalone process (demo, manual testing, browser tests):
 *
 *   npx tsx test/simulators/soisy/main.ts [--port 4100] [--host 127.0.0.1] [--public-url URL]
 *                                         [--callback-delay-ms 0]
 *
 * Environment (flags win): SOISY_SIM_PORT or PORT, SOISY_SIM_HOST or HOST, SOISY_SIM_PUBLIC_URL,
 * SOISY_SIM_CALLBACK_DELAY_MS, SOISY_SIM_SHOPS (JSON array of {shopId, apiKey, active?,
 * zeroInterestRate?, maxLoanInstalmentsNumber?}; default partnershop / partnerkey).
 * Prints `SOISY_SIMULATOR_URL=<url>` on stdout once listening; stops on SIGINT / SIGTERM.
 */
import { parseArgs } from "node:util";
import { startSoisySimulator } from "./simulator";
import type { SimShopConfig } from "./types";

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
}

function shopsFromEnv(value: string | undefined): SimShopConfig[] | undefined {
  if (!value) return undefined;
  const parsed = JSON.parse(value) as unknown;
  if (!Array.isArray(parsed)) throw new Error("SOISY_SIM_SHOPS must be a JSON array");
  return parsed as SimShopConfig[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "public-url": { type: "string" },
      "callback-delay-ms": { type: "string" },
    },
    allowPositionals: false,
  });
  const env = process.env;
  const sim = await startSoisySimulator({
    port: intOption(values.port ?? env.SOISY_SIM_PORT ?? env.PORT, "port") ?? 4100,
    host: values.host ?? env.SOISY_SIM_HOST ?? env.HOST ?? "127.0.0.1",
    publicUrl: values["public-url"] ?? env.SOISY_SIM_PUBLIC_URL,
    callbackDelayMs: intOption(values["callback-delay-ms"] ?? env.SOISY_SIM_CALLBACK_DELAY_MS, "callback delay"),
    shops: shopsFromEnv(env.SOISY_SIM_SHOPS),
    logger: {
      info: (msg) => console.error(`[soisy-sim] ${msg}`),
      warn: (msg) => console.error(`[soisy-sim] WARN ${msg}`),
    },
  });
  console.log(`SOISY_SIMULATOR_URL=${sim.url}`);
  const stop = (signal: string) => {
    console.error(`[soisy-sim] ${signal}: shutting down`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`[soisy-sim] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
