export { startSoisySimulator } from "./simulator";
export { SANDBOX_APPROVAL_LIMIT_CENTS } from "./store";
export {
  SimFaultsSchema,
  SIM_EVENTS,
  isSimEventId,
  type SoisySimulator,
  type SoisySimulatorOptions,
  type SimShopConfig,
  type SimFaults,
  type SimOrder,
  type SimLoanRequest,
  type SimRequestRecord,
  type SimCallbackRecord,
  type SimTriggerRecord,
  type SimActionResult,
  type SimEventId,
  type SimLogger,
} from "./types";
export { computeQuotes, quoteFor, QUOTE_RATES, type SimQuote, type SimQuotes } from "./quotes";
