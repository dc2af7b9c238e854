/**
 * A resource a whole test file shares (a simulator, a stack of servers), started in `beforeAll` and
 * closed in `afterAll`, held in a `const` the tests read: the object returned is filled in with the
 * started resource's own properties (getters stay getters) before the first test; it is empty until then.
 */
import { afterAll, beforeAll } from "vitest";

export function startForFile<T extends { close(): Promise<unknown> }>(start: () => Promise<T>, timeoutMs?: number): T {
  const shared = {} as T;
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
    Object.defineProperties(shared, Object.getOwnPropertyDescriptors(started));
  }, timeoutMs);
  afterAll(async () => {
    await started?.close();
  });
  return shared;
}
