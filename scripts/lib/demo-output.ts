/**
 * The demo's terminal: the app's JSON log lines (pino) and the Soisy simulator's messages shown
 * readable with pino-pretty (DEMO_LOG_FORMAT=json keeps the raw JSON), or held back (--check) and
 * shown only when something fails. The app itself always logs JSON: only the demo prettifies what
 * it reads from the app's stdout, so production (`npm start`) output is unchanged.
 */
import { prettyFactory } from "pino-pretty";

export type DemoLogMode = "pretty" | "json" | "held";

export interface DemoOutput {
  /** A chunk of a child's stdout / stderr (lines may span chunks). */
  app(chunk: string, stream: "stdout" | "stderr"): void;
  /** What the simulators print (the Soisy simulator's `logger` option). */
  simulator(name: string): { info(message: string): void; warn(message: string): void };
  /** The last lines seen, prettified (for failure messages, whatever the mode). */
  tail(lines?: number): string;
}

const TAIL_LINES = 200;

export function logModeFrom(raw: string | undefined, check: boolean): DemoLogMode {
  if (check) return "held";
  if (raw === undefined || raw === "" || raw === "pretty") return "pretty";
  if (raw === "json") return "json";
  throw new Error(`DEMO_LOG_FORMAT must be "pretty" or "json", got "${raw}" (e.g. DEMO_LOG_FORMAT=json npm run demo)`);
}

export function createDemoOutput(mode: DemoLogMode, options: { colorize?: boolean } = {}): DemoOutput {
  const pretty = prettyFactory({
    colorize: options.colorize ?? Boolean(process.stdout.isTTY),
    translateTime: "SYS:HH:MM:ss",
    ignore: "pid,hostname,app",
    singleLine: true,
  });
  const recent: string[] = [];
  const pending = { stdout: "", stderr: "" };

  const readable = (line: string): string => {
    if (!line.startsWith("{")) return `${line}\n`;
    try {
      return pretty(line);
    } catch {
      return `${line}\n`;
    }
  };
  const emit = (line: string, stream: "stdout" | "stderr") => {
    const shown = readable(line);
    recent.push(shown);
    if (recent.length > TAIL_LINES) recent.shift();
    if (mode === "held") return;
    const out = stream === "stderr" ? process.stderr : process.stdout;
    out.write(mode === "json" ? `${line}\n` : shown);
  };

  return {
    app(chunk, stream) {
      const lines = (pending[stream] + chunk).split("\n");
      pending[stream] = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") emit(line, stream);
    },
    simulator(name) {
      const line = (level: number, msg: string) => JSON.stringify({ level, time: Date.now(), name, msg });
      return { info: (msg) => emit(line(30, msg), "stdout"), warn: (msg) => emit(line(40, msg), "stdout") };
    },
    tail(lines = 40) {
      const partial = [pending.stdout, pending.stderr].filter((l) => l.trim() !== "").map(readable);
      return [...recent, ...partial].slice(-lines).join("");
    },
  };
}
