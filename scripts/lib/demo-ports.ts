/**
 * The demo's ports (DEMO_APP_PORT, DEMO_SOISY_PORT, DEMO_SHOPIFY_PORT, and the mail simulator's
 * DEMO_MAIL_SMTP_PORT and DEMO_MAIL_PORT), checked before anything starts: a port in use stops the demo with one message naming each variable to change and a free
 * port to try, so nothing is left half-started.
 */
import { freePort } from "./local-stack";

export const DEMO_PORT_VARIABLES = {
  app: { name: "DEMO_APP_PORT", fallback: 3000, what: "the app" },
  soisy: { name: "DEMO_SOISY_PORT", fallback: 4100, what: "the Soisy simulator" },
  shopify: { name: "DEMO_SHOPIFY_PORT", fallback: 4200, what: "the Shopify simulator" },
  mailSmtp: { name: "DEMO_MAIL_SMTP_PORT", fallback: 2525, what: "the mail simulator's SMTP server" },
  mailInbox: { name: "DEMO_MAIL_PORT", fallback: 4300, what: "the mail simulator's inbox page" },
} as const;

export type DemoPortKey = keyof typeof DEMO_PORT_VARIABLES;

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0 = any free port), got "${raw}"; e.g. ${name}=${fallback + 1} npm run demo`);
  }
  return port;
}

/** A free port near `port` to suggest (the next few), or any free port. */
async function suggestion(port: number, taken: Set<number>): Promise<number> {
  for (let candidate = port + 1; candidate <= Math.min(port + 20, 65535); candidate++) {
    if (taken.has(candidate)) continue;
    if (await freePort(candidate).catch(() => null)) return candidate;
  }
  return freePort(0);
}

/**
 * The demo's ports, each free when checked (0 → a free one). `anyPort`: the defaults become 0 (--check).
 * Throws one error naming every variable whose port is in use.
 */
export async function demoPorts(options: { anyPort: boolean }): Promise<Record<DemoPortKey, number>> {
  const chosen = {} as Record<DemoPortKey, number>;
  const problems: string[] = [];
  const fixes: string[] = [];
  const wanted = new Set<number>();
  for (const key of Object.keys(DEMO_PORT_VARIABLES) as DemoPortKey[]) {
    const { name, fallback, what } = DEMO_PORT_VARIABLES[key];
    const port = portFrom(name, options.anyPort ? 0 : fallback);
    if (port !== 0 && wanted.has(port)) {
      problems.push(`port ${port} is asked for twice (${name} for ${what})`);
      fixes.push(`${name}=${await suggestion(port, wanted)}`);
      continue;
    }
    wanted.add(port);
    try {
      chosen[key] = await freePort(port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "EACCES" ? "cannot be used without privileges" : "is already in use (another demo or app still running?)";
      problems.push(`port ${port} for ${what} ${why}: set ${name}`);
      fixes.push(`${name}=${await suggestion(port, wanted)}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`${problems.join("; ")}.\n       Pick other ports, e.g.: ${fixes.join(" ")} npm run demo   (0 = any free port)`);
  }
  return chosen;
}
