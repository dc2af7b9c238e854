/**
 * The real offline demo (`npm run demo -- --no-build`, scripts/demo.ts) as a newcomer starts it, for
 * tests that walk it: any free ports, its own DEMO_DIR, the URLs read from the banner it prints.
 * stop() ends the demo and everything it started (its process group), even when the demo hangs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eventually, repoRoot } from "./stack";

export interface DemoRun {
  /** label → URL, as the banner prints them. */
  urls: Record<string, string>;
  appUrl: string;
  shopifyUrl: string;
  soisyUrl: string;
  /** The "Operator CLI on this database" command line of the banner. */
  operatorCommand: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
}

/** The banner's `label   url` lines, keyed by label. */
export function bannerUrls(stdout: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of stdout.matchAll(/^ {2}(\S.*?)\s{2,}(http:\/\/\S+)$/gm)) urls[match[1]!.trim()] = match[2]!;
  return urls;
}

export async function startDemo(timeoutMs = 120_000): Promise<DemoRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-readme-demo-"));
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "scripts/demo.ts", "--no-build"], {
    cwd: repoRoot,
    // Its own process group: stop() can end the demo, the app and anything else it started at once.
    detached: true,
    env: {
      ...process.env,
      DEMO_DIR: dir,
      DEMO_APP_PORT: "0",
      DEMO_SOISY_PORT: "0",
      DEMO_SHOPIFY_PORT: "0",
      DEMO_MAIL_SMTP_PORT: "0",
      DEMO_MAIL_PORT: "0",
      DEMO_LOG_FORMAT: "json",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Ctrl-C, as a person stops it; the group is killed if the demo does not stop within 15 s.
      child.kill("SIGINT");
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
      if (!stopped) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
        await exited;
      }
    }
    // The app is in the demo's group: nothing of it may outlive the demo.
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // the group is empty
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the demo exited (${child.exitCode}): ${out.slice(-2_000)}`);
        return out.includes("Press Ctrl-C to stop.");
      },
      timeoutMs,
      "the demo's banner",
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- demo output ---\n${out.slice(-3_000)}`, { cause: error });
  }
  const urls = bannerUrls(out);
  const origin = (label: RegExp) => {
    const url = Object.entries(urls).find(([l]) => label.test(l))?.[1];
    if (!url) throw new Error(`no URL for ${label} in the banner:\n${out}`);
    return new URL(url).origin;
  };
  const operatorCommand = /Operator CLI on this database: (.+)$/m.exec(out)?.[1]?.trim() ?? "";
  return {
    urls,
    appUrl: origin(/^App health/),
    shopifyUrl: origin(/^Demo checkout/),
    soisyUrl: origin(/^Soisy simulator/),
    operatorCommand,
    dir,
    output: () => out,
    stop,
  };
}

/** README.md's "The demo, step by step": the text of each numbered step (1-based). */
export function readmeDemoSteps(): string[] {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = /^## The demo, step by step\n([\s\S]*?)^## /m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## The demo, step by step" section');
  return section.split(/^\d+\. /m).slice(1).map((s) => s.replace(/\s+/g, " ").trim());
}

/** The README's URLs use the default ports (app 3000, Shopify simulator 4200): the same path on the running demo. */
export function onDemo(readmeUrl: string, demo: DemoRun): string {
  const url = new URL(readmeUrl);
  const origin = { "3000": demo.appUrl, "4200": demo.shopifyUrl, "4100": demo.soisyUrl }[url.port];
  if (!origin) throw new Error(`README URL ${readmeUrl} is on no default demo port`);
  return `${origin}${url.pathname}${url.search}`;
}
