export {
  startSoisySimulator,
  SimFaultsSchema,
  SIM_EVENTS,
  SANDBOX_APPROVAL_LIMIT_CENTS,
  isSimEventId,
  type SoisySimulator,
  type SoisySimulatorOptions,
  type SimShopConfig,
  type SimFaults,
  type SimOrder,
  type SimLoanRequest,
  type SimRequestRecord,
  type SimCallbackRecord,
  type SimActionResult,
  type SimEventId,
  type SimLogger,
} from "./simulator";
export { computeQuotes, quoteFor, QUOTE_RATES, type SimQuote, type SimQuotes } from "./quotes";
