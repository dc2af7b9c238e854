/**
 * The setup the browser e2e files share: a whole stack (test/helpers/stack.ts) and Chromium started
 * together, then closed in order, skipping what never started.
 */
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser";
import { startStack, type Stack } from "./stack";

export { STACK_SETUP_TIMEOUT_MS } from "./stack";

export async function startStackAndBrowser(options?: Parameters<typeof startStack>[0]): Promise<[Stack, Browser]> {
  return Promise.all([startStack(options), launchBrowser()]);
}

/** Closes each (browser contexts, then the browser, then the stack), in the order given. */
export async function closeAll(...open: Array<{ close(): Promise<unknown> } | undefined>): Promise<void> {
  for (const thing of open) await thing?.close();
}
