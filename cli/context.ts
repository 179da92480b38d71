/**
 * What every command gets: where to print (stdout for results, stderr for
 * progress and errors), whether the answer is wanted as JSON, colours, the
 * API client (made on first use from the config, so offline commands never
 * read it), a clock and a sleep (so tests need not wait).
 */
import { Client, type Transport } from "./client";
import { loadConfig, type CliEnvironment, type Config } from "./config";
import { colors, type Colors } from "./format";

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The outside world of one invocation (process streams in cli/run.ts; recorders in tests). */
export interface Io {
  stdout: Stream;
  stderr: Stream;
  env: CliEnvironment;
  transport?: Transport;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Called with a line to print if the user interrupts (Ctrl-C) what is running now; undefined clears it. */
  onInterrupt?: (hint: string | undefined) => void;
}

export class Context {
  readonly c: Colors;
  /** Colours for stderr (its own TTY check). */
  readonly ce: Colors;
  private config?: Config;
  private client?: Client;

  constructor(
    readonly io: Io,
    readonly json: boolean,
  ) {
    const noColor = Boolean(io.env.NO_COLOR);
    this.c = colors(Boolean(io.stdout.isTTY) && !noColor && !json);
    this.ce = colors(Boolean(io.stderr.isTTY) && !noColor);
  }

  getConfig(): Config {
    return (this.config ??= loadConfig(this.io.env));
  }

  api(): Client {
    if (!this.client) {
      const config = this.getConfig();
      this.client = new Client(config.url, config.token, this.io.transport);
    }
    return this.client;
  }

  now(): Date {
    return this.io.now ? this.io.now() : new Date();
  }

  sleep(ms: number): Promise<void> {
    return this.io.sleep ? this.io.sleep(ms) : new Promise((r) => setTimeout(r, ms));
  }

  /** A line of the result on stdout. */
  out(line = ""): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** A line of progress or a note on stderr (never mixed into a result a script reads). */
  note(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** The result: the API's answer as JSON with --json, else the human lines. */
  result(value: unknown, human: () => string[]): void {
    if (this.json) this.out(JSON.stringify(value, null, 2));
    else for (const line of human()) this.out(line);
  }

  /** Progress lines: stdout for people, stderr when stdout carries --json. */
  progress(line: string): void {
    if (this.json) this.note(line);
    else this.out(line);
  }

  interruptHint(hint: string | undefined): void {
    this.io.onInterrupt?.(hint);
  }
}
