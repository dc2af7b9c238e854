/** What every request handler of the Soisy simulator works with (built once by startSoisySimulator). */
import type { CallbackSender } from "./callbacks";
import type { SoisyStore } from "./store";
import type { SimLogger } from "./types";

export interface SimContext {
  store: SoisyStore;
  callbacks: CallbackSender;
  log: SimLogger;
  /** Step 2 also checks the fiscal code's check character (see SoisySimulatorOptions). */
  strictFiscalCodes: boolean;
}
