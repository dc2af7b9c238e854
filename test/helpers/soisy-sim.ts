/**
 * The Soisy simulator of a test file that drives the Soisy client over real HTTP, and the client's
 * options those tests start from.
 */
import { beforeEach } from "vitest";
import { createSoisyClient, type SoisyClientOptions } from "~/soisy/client.server";
import { startSoisySimulator, type SimShopConfig, type SoisySimulator } from "../simulators/soisy";
import { startForFile } from "./file-hooks";

/** A Soisy simulator with these shops for the file's tests; each test starts without faults. */
export function useSoisySimulator(shops: SimShopConfig[]): SoisySimulator {
  const sim = startForFile(() => startSoisySimulator({ shops }));
  beforeEach(() => {
    sim.clearFaults();
  });
  return sim;
}

/** A sandbox client of `shop` at the simulator: retries 5 ms apart, 2 s timeout; `overrides` change any option. */
export function simulatorClient(sim: SoisySimulator, shop: { shopId: string; apiKey: string }, overrides: Partial<SoisyClientOptions> = {}) {
  return createSoisyClient({
    environment: "sandbox",
    ...shop,
    baseUrl: sim.url,
    retryBaseDelayMs: 5,
    timeoutMs: 2000,
    ...overrides,
  });
}
