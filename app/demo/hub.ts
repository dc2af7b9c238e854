/** The demo hub's constants shared by its server code and its page (no secrets). */

/** The operator's decisions, as the Soisy events the simulator fires (then calls the app back). */
export const OPERATOR_EVENTS = { verified: "LoanWasVerified", disbursed: "LoanWasDisbursed", rejected: "UserWasRejected" } as const;
export type OperatorDecision = keyof typeof OPERATOR_EVENTS;
export const OPERATOR_DECISIONS = Object.keys(OPERATOR_EVENTS) as [OperatorDecision, ...OperatorDecision[]];
