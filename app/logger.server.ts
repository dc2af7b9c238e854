import pino, { type Logger } from "pino";

/**
 * Paths pino blanks out wherever they appear in a log object. Soisy's API key, Shopify access
 * tokens, secrets in callback URLs and shoppers' personal data must never reach a log line.
 */
export const REDACTED_PATHS = [
  "apiKey",
  "*.apiKey",
  "*.*.apiKey",
  "headers['x-auth-token']",
  "*.headers['x-auth-token']",
  "headers['X-Auth-Token']",
  "*.headers['X-Auth-Token']",
  "headers['x-shopify-access-token']",
  "*.headers['x-shopify-access-token']",
  "headers['X-Shopify-Access-Token']",
  "*.headers['X-Shopify-Access-Token']",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "callbackSecret",
  "*.callbackSecret",
  "email",
  "*.email",
  "*.*.email",
  "firstname",
  "*.firstname",
  "lastname",
  "*.lastname",
  "mobilePhone",
  "*.mobilePhone",
  "phone_number",
  "*.phone_number",
  "fiscalCode",
  "*.fiscalCode",
  "address",
  "*.address",
  "civicNumber",
  "*.civicNumber",
  "customer",
  "*.customer",
  "billing_address",
  "*.billing_address",
  "shipping_address",
  "*.shipping_address",
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info");
  const config = {
    level,
    base: { app: "soisy-shopify" },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

export const logger: Logger = createLogger();
export type { Logger };
