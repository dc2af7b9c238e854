/**
 * Token buckets, one per key (here: per Soisy account), bounding how many cache misses of the public
 * quote endpoint reach Soisy: up to `burst` at once, then `perSecond` on average.
 *
 * Hand-written on purpose: node_modules has no rate limiter (p-limit bounds concurrency, not rate),
 * nothing may be installed, and a token bucket is a few lines of arithmetic — with the clock passed
 * in, so tests drive time without sleeping. The buckets live in an LRU (lru-cache) so memory stays
 * bounded; an evicted bucket comes back full, which only the owner of thousands of Soisy accounts
 * could exploit. Pure: no I/O.
 */
import { LRUCache } from "lru-cache";

export interface TokenBucketOptions {
  /** Tokens a full bucket holds (the largest burst). Integer ≥ 1. */
  burst: number;
  /** Tokens added per second (> 0). */
  perSecond: number;
  /** Milliseconds, monotonic. Default `performance.now`. */
  now?: () => number;
  /** Most keys kept. Default 10,000. */
  maxKeys?: number;
}

/** `ok: false` carries when to ask again: whole seconds (≥ 1) until one token is back. */
export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export class TokenBuckets {
  readonly burst: number;
  readonly perSecond: number;
  private readonly now: () => number;
  private readonly buckets: LRUCache<string, { tokens: number; at: number }>;

  constructor(options: TokenBucketOptions) {
    if (!Number.isInteger(options.burst) || options.burst < 1) throw new Error("TokenBuckets: burst must be an integer ≥ 1");
    if (!(options.perSecond > 0) || !Number.isFinite(options.perSecond)) throw new Error("TokenBuckets: perSecond must be > 0");
    this.burst = options.burst;
    this.perSecond = options.perSecond;
    this.now = options.now ?? (() => performance.now());
    this.buckets = new LRUCache({ max: options.maxKeys ?? 10_000 });
  }

  /** Takes one token from `key`'s bucket if there is one. */
  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    // Refill for the time elapsed (a clock going backwards adds nothing).
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1_000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)) };
  }

  clear(): void {
    this.buckets.clear();
  }
}
