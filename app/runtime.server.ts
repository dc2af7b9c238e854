/**
 * Wires the payment services for the running app: the database, the Soisy client factory, the
 * outbox worker that delivers Shopify mutations, the reconciliation job and the captures' retry loop
 * (settlement-service.server.ts `processDueSettlements`). The jobs run in every
 * app instance (safe: the outbox claims each message for one worker at a time). It lives at app/'s
 * root, beside the routes, because it wires several concern folders together (payments, preapproval,
 * shopify); no concern folder imports it.
 */
import { appConfig, paymentsApiEndpoint } from "~/config.server";
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { appKeyring } from "~/security/encryption.server";
import { shopAccessToken } from "~/shopify/access-token.server";
import { z } from "zod";
import { releaseProcessPreapprovalLeases } from "~/preapproval/preapproval.server";
import { DEFAULT_BACKOFF, type BackoffPolicy } from "~/payments/outbox.server";
import { createOutboxWorker } from "~/payments/outbox-worker.server";
import { releaseProcessCreationLeases } from "~/payments/creation-lease.server";
import { defaultSoisyClientFactory, type PaymentDeps } from "~/payments/payment-deps.server";
import { reconcileOpenPayments } from "~/payments/reconcile.server";
import { processDueSettlements } from "~/payments/settlement-service.server";
import { settleRefundsFromSoisy } from "~/payments/refund-settle.server";
import { closeOutgoingConnections } from "~/http/outgoing-pool.server";
import { startAlertJob } from "~/notifications/runtime-block.server";
import { releaseProcessPayoutLeases, syncAllPayouts } from "~/payouts/sync.server";

const BackoffEnvSchema = z.object({
  OUTBOX_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(DEFAULT_BACKOFF.baseMs),
  OUTBOX_BACKOFF_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(DEFAULT_BACKOFF.maxMs),
});

/**
 * The outbox retry backoff (full jitter, doubling from OUTBOX_BACKOFF_BASE_MS up to OUTBOX_BACKOFF_MAX_MS;
 * Shopify's Retry-After always wins when longer). Read here, beside the worker it configures.
 */
export function outboxBackoffFromEnv(env: Record<string, string | undefined>): BackoffPolicy {
  const parsed = BackoffEnvSchema.safeParse({
    OUTBOX_BACKOFF_BASE_MS: env.OUTBOX_BACKOFF_BASE_MS || undefined,
    OUTBOX_BACKOFF_MAX_MS: env.OUTBOX_BACKOFF_MAX_MS || undefined,
  });
  if (!parsed.success) {
    throw new Error(`invalid outbox backoff settings: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const { OUTBOX_BACKOFF_BASE_MS: baseMs, OUTBOX_BACKOFF_MAX_MS: maxMs } = parsed.data;
  if (maxMs < baseMs) throw new Error("invalid outbox backoff settings: OUTBOX_BACKOFF_MAX_MS must be ≥ OUTBOX_BACKOFF_BASE_MS");
  return { baseMs, maxMs };
}

function createRuntime() {
  const config = appConfig();
  const database = db();
  const keyring = appKeyring();
  const worker = createOutboxWorker({
    db: database,
    tokenProvider: shopAccessToken,
    endpointFor: (shop) => paymentsApiEndpoint(shop, config),
    maxAgeMs: config.OUTBOX_MAX_AGE_MS,
    backoff: outboxBackoffFromEnv(process.env),
    logger,
  });
  const deps: PaymentDeps = {
    db: database,
    keyring,
    appUrl: config.SHOPIFY_APP_URL,
    soisyClient: defaultSoisyClientFactory(database, keyring, logger),
    deliverNow: (id) => worker.deliverNow(id),
    now: () => new Date(),
    logger,
  };
  return { deps, worker, config };
}

type Runtime = ReturnType<typeof createRuntime>;
declare global {
  var __soisyRuntime: Runtime | undefined;
  var __soisyJobs: { stop(): Promise<void> } | undefined;
}

export function paymentRuntime(): Runtime {
  globalThis.__soisyRuntime ??= createRuntime();
  return globalThis.__soisyRuntime;
}

export function paymentDeps(): PaymentDeps {
  return paymentRuntime().deps;
}

/**
 * Starts, once per process, the outbox worker and the periodic passes (reconciliation, settlement
 * retries, refunds settled from Soisy's data, payout sync; each skipped while its previous run still
 * goes on), and the e-mail alerts' job.
 */
export function startBackgroundJobs(): void {
  if (globalThis.__soisyJobs) return;
  const { deps, worker, config } = paymentRuntime();
  if (config.JOBS_DISABLED) return;
  worker.start(config.OUTBOX_POLL_MS);
  const timers = [
    repeatPass("settlement retry pass", config.RECONCILE_INTERVAL_MS, () => processDueSettlements(deps), (r) => r.checked > 0),
    repeatPass("reconciliation pass", config.RECONCILE_INTERVAL_MS, () => reconcileOpenPayments(deps, { olderThanMs: config.RECONCILE_AFTER_MS }), (r) => r.checked > 0),
    // Refunds settled from Soisy's data (issue 16); the pass itself spaces each payment's reads
    // (refund-settle-decision.ts settleIntervalMs).
    repeatPass("refund settlement pass", config.RECONCILE_INTERVAL_MS, () => settleRefundsFromSoisy(deps), (r) => r.checked > 0),
    // Soisy's order list for every shop (issue 16, app/payouts/sync.server.ts): the first pass one interval
    // after start, so a restart does not hit Soisy at once; the sync's lease keeps two instances off one
    // shop; the payouts page's "sync now" runs one shop at once.
    repeatPass("payout sync pass", config.PAYOUT_SYNC_INTERVAL_MS, () => syncAllPayouts(deps), (r) => r.shops > 0),
  ];

  // Issue 16, merchant e-mail alerts (app/notifications/): its own interval; null without SMTP_URL.
  const alerts = startAlertJob({ db: deps.db, logger, config, workerId: worker.workerId });
  globalThis.__soisyJobs = {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await alerts?.stop();
      await worker.stop();
    },
  };
  logger.info({ outboxPollMs: config.OUTBOX_POLL_MS, reconcileEveryMs: config.RECONCILE_INTERVAL_MS }, "background jobs started");
}

/**
 * Runs `pass` every `intervalMs`, one at a time (a tick while the previous pass still runs is skipped),
 * logging its report when there was something to do and its failure at error level; never throws.
 */
function repeatPass<R extends object>(name: string, intervalMs: number, pass: () => Promise<R>, worthLogging: (report: R) => boolean): ReturnType<typeof setInterval> {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    pass()
      .then((report) => {
        if (worthLogging(report)) logger.info(report as Record<string, unknown>, name);
      })
      .catch((error) => logger.error({ err: error }, `${name} failed`))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return timer;
}

/**
 * Called once when the process is asked to stop (SIGTERM), after the HTTP server has drained: stops
 * the background jobs so no new work is claimed, then hands back what this process still holds — its
 * outbox claims, its Soisy-order creation leases, its pre-approval leases and its payout sync leases — so another instance
 * goes on at once instead of waiting for them to expire. Never throws.
 */
export async function shutdownBackgroundWork(): Promise<void> {
  try {
    await globalThis.__soisyJobs?.stop();
  } catch (error) {
    logger.error({ err: error }, "stopping the background jobs failed");
  }
  const runtime = globalThis.__soisyRuntime;
  if (!runtime) return;
  const released = { outboxClaims: 0, creationLeases: 0, preapprovalLeases: 0, payoutSyncLeases: 0 };
  const steps: Array<[keyof typeof released, () => Promise<number>]> = [
    ["outboxClaims", async () => {
      await runtime.worker.stop();
      return runtime.worker.releaseClaims();
    }],
    ["creationLeases", () => releaseProcessCreationLeases(runtime.deps.db)],
    ["preapprovalLeases", () => releaseProcessPreapprovalLeases(runtime.deps)],
    ["payoutSyncLeases", () => releaseProcessPayoutLeases(runtime.deps.db)],
  ];
  for (const [name, step] of steps) {
    try {
      released[name] = await step();
    } catch (error) {
      logger.error({ err: error, step: name }, "releasing this process's locks failed (they expire by themselves)");
    }
  }
  logger.info(released, "background work shut down");
}

/**
 * The app's part of a graceful stop (server/main.ts calls it after the HTTP server drained): the
 * background work first, since it may still be calling Soisy or Shopify, then the outgoing connection
 * pool, which lets calls still in flight finish (each has its own timeout) and closes every connection.
 * Never throws.
 */
export async function shutdownApp(): Promise<void> {
  await shutdownBackgroundWork();
  try {
    await closeOutgoingConnections();
    logger.info("outgoing connections closed");
  } catch (error) {
    logger.error({ err: error }, "closing the outgoing connections failed");
  }
}
