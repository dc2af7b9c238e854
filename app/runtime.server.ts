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
 * Starts the outbox worker, the reconciliation and settlement-retry passes (one interval, each
 * pass skipped while its previous one still runs) and the refund settlement pass (its own interval),
 * once per process.
 */
export function startBackgroundJobs(): void {
  if (globalThis.__soisyJobs) return;
  const { deps, worker, config } = paymentRuntime();
  if (config.JOBS_DISABLED) return;
  worker.start(config.OUTBOX_POLL_MS);
  let running = false;
  let settling = false;
  const timer = setInterval(() => {
    if (!settling) {
      settling = true;
      processDueSettlements(deps)
        .then((report) => {
          if (report.checked) logger.info(report, "settlement retry pass");
        })
        .catch((error) => logger.error({ err: error }, "settlement retry pass failed"))
        .finally(() => {
          settling = false;
        });
    }
    if (running) return;
    running = true;
    reconcileOpenPayments(deps, { olderThanMs: config.RECONCILE_AFTER_MS })
      .then((report) => {
        if (report.checked) logger.info(report, "reconciliation pass");
      })
      .catch((error) => logger.error({ err: error }, "reconciliation pass failed"))
      .finally(() => {
        running = false;
      });
  }, config.RECONCILE_INTERVAL_MS);
  timer.unref();

  // Refunds settled from Soisy's data (issue 16): its own interval, one pass at a time; the pass
  // itself spaces each payment's reads (refund-settle-decision.ts settleIntervalMs).
  let settlingRefunds = false;
  const refundTimer = setInterval(() => {
    if (settlingRefunds) return;
    settlingRefunds = true;
    settleRefundsFromSoisy(deps)
      .then((report) => {
        if (report.checked) logger.info(report, "refund settlement pass");
      })
      .catch((error) => logger.error({ err: error }, "refund settlement pass failed"))
      .finally(() => {
        settlingRefunds = false;
      });
  }, config.RECONCILE_INTERVAL_MS);
  refundTimer.unref();
  const payoutTimer = startPayoutSync(deps, config.PAYOUT_SYNC_INTERVAL_MS);

  // Issue 16, merchant e-mail alerts (app/notifications/): its own interval; null without SMTP_URL.
  const alerts = startAlertJob({ db: deps.db, logger, config, workerId: worker.workerId });
  globalThis.__soisyJobs = {
    async stop() {
      clearInterval(timer);
      clearInterval(refundTimer);
      await alerts?.stop();
      clearInterval(payoutTimer);
      await worker.stop();
    },
  };
  logger.info({ outboxPollMs: config.OUTBOX_POLL_MS, reconcileEveryMs: config.RECONCILE_INTERVAL_MS }, "background jobs started");
}

/* ---------------- Issue 16: payout sync (app/payouts/sync.server.ts) ---------------- */

/**
 * Reads Soisy's order list for every shop on its own interval (PAYOUT_SYNC_INTERVAL_MS), a pass at a
 * time (the first one interval after start, so a restart does not hit Soisy at once). The sync's lease
 * keeps two instances off one shop; the payouts page's "sync now" runs one shop at once.
 */
function startPayoutSync(deps: PaymentDeps, intervalMs: number): ReturnType<typeof setInterval> {
  let syncing = false;
  const pass = () => {
    if (syncing) return;
    syncing = true;
    syncAllPayouts(deps)
      .then((report) => {
        if (report.shops) logger.info(report, "payout sync pass");
      })
      .catch((error) => logger.error({ err: error }, "payout sync pass failed"))
      .finally(() => {
        syncing = false;
      });
  };
  const timer = setInterval(pass, intervalMs);
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
