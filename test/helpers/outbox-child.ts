/**
 * A second app process for test/integration/outbox.test.ts: its own Prisma client and outbox worker on
 * the same database. Started by startChild() (outbox-harness.ts) with `node --import tsx`; its settings
 * come as JSON in OUTBOX_CHILD_CONFIG. It prints `{"ready":true}` once connected, waits for "go" on
 * stdin, then enqueues (each message in its own transaction, with a timeline row) or works the outbox,
 * and prints `{"report": ...}`.
 */
import { createInterface } from "node:readline";
import { createDb } from "../../app/db.server";
import { enqueueMutation, type EnqueueMutationInput, type OutboxMutation } from "../../app/payments/outbox.server";
import { createOutboxWorker } from "../../app/payments/outbox-worker.server";

export interface OutboxChildConfig {
  url: string;
  mode: "enqueue" | "work";
  /** mode "enqueue": payment session messages, enqueued concurrently. */
  messages?: Array<EnqueueMutationInput<OutboxMutation> & { paymentSessionId: string }>;
  /** mode "work": the access token and the GraphQL endpoint the worker calls. */
  token?: string;
  endpoint?: string;
  timeoutMs?: number;
}

const config = JSON.parse(process.env.OUTBOX_CHILD_CONFIG ?? "{}") as OutboxChildConfig;
const db = createDb(config.url);
await db.outboxMessage.count();
console.log(JSON.stringify({ ready: true }));
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === "go") break;
let report: unknown;
if (config.mode === "enqueue") {
  report = await Promise.all(
    (config.messages ?? []).map((m) =>
      db.$transaction(
        async (tx) => {
          const result = await enqueueMutation(tx, m);
          await tx.timelineEvent.create({ data: { shop: m.shop, paymentSessionId: m.paymentSessionId, source: "app", type: "child_tx" } });
          return result;
        },
        { timeout: 20000, maxWait: 20000 },
      ),
    ),
  );
} else {
  const worker = createOutboxWorker({
    db,
    workerId: "child",
    tokenProvider: async () => config.token!,
    endpointFor: () => config.endpoint!,
    batchSize: 7,
    concurrency: 3,
    random: () => 0.5,
    timeoutMs: config.timeoutMs ?? 2000,
  });
  const totals = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
  for (let round = 0; round < 60; round++) {
    const r = await worker.runOnce();
    totals.claimed += r.claimed;
    totals.delivered += r.delivered;
    totals.retried += r.retried;
    totals.dead += r.dead;
    if ((await db.outboxMessage.count({ where: { status: "pending" } })) === 0) break;
  }
  report = totals;
}
console.log(JSON.stringify({ report }));
await db.$disconnect();
