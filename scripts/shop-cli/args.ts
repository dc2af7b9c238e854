/** Argument parsing and validation for the operator CLI (scripts/shop-cli.ts). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InvalidAmountError, parseDecimalToCents } from "../../app/money/cents";

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The command ran and failed (unknown shop, nothing to do where something was required...): exit code 1. */
export class CommandFailure extends Error {
  override name = "CommandFailure";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parse<O extends Options>(args: string[], options: O, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    throw new UsageError(
      count < positionals.min ? `missing argument(s): expected ${positionals.names}` : `unexpected argument "${parsed.positionals[positionals.max]}"`,
    );
  }
  return parsed;
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$/;

export function shopDomain(value: string): string {
  const shop = value.trim().toLowerCase();
  if (!SHOP_DOMAIN.test(shop)) throw new UsageError(`"${value}" is not a shop domain (expected e.g. my-shop.myshopify.com)`);
  return shop;
}

/** "100.00" / "100" (euros, dot decimal) → cents, exactly (string arithmetic). */
export function amountCents(flag: string, value: string): number {
  try {
    return parseDecimalToCents(value.trim());
  } catch (error) {
    if (error instanceof InvalidAmountError) throw new UsageError(`--${flag}: "${value}" is not an amount in euros like 100.00 (${error.message})`);
    throw error;
  }
}

export function booleanFlag(flag: string, value: string): boolean {
  if (value === "true" || value === "yes" || value === "1") return true;
  if (value === "false" || value === "no" || value === "0") return false;
  throw new UsageError(`--${flag}: expected true or false, got "${value}"`);
}

export function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${flag}: expected a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${flag}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag}: expected one of ${allowed.join(", ")}, got "${value}"`);
}

export function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "24h", "7d" → milliseconds (> 0). */
export function duration(flag: string, value: string): number {
  const m = /^(\d{1,9})([smhd])$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--${flag}: expected a duration like 30m, 24h or 7d, got "${value}"`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
