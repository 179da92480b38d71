/**
 * Fakes for the tests of how a tool binary is found or installed
 * (scripts/temporal-cli.test.ts, scripts/seaweedfs.test.ts): a temp home per
 * test, executable files whose version the fake `version` answers, the log
 * lines and the calls made. Call it inside a `describe`: it registers its own
 * beforeEach/afterEach.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";

export interface FakeBinaries {
  home: string;
  logs: string[];
  calls: string[];
  versions: Map<string, string>;
  /** An executable file at `file` that reports `version`. */
  fakeBinary: (file: string, version: string) => void;
  log: (message: string) => void;
  /** What the fake binary at `file` reports (undefined: none there). */
  version: (file: string) => Promise<string | undefined>;
}

export function fakeBinaries(prefix: string): FakeBinaries {
  const f: FakeBinaries = {
    home: "",
    logs: [],
    calls: [],
    versions: new Map(),
    fakeBinary: (file, version) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o755 });
      f.versions.set(file, version);
    },
    log: (m) => void f.logs.push(m),
    version: async (file) => f.versions.get(file),
  };
  beforeEach(() => {
    f.home = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    f.logs = [];
    f.calls = [];
    f.versions = new Map();
  });
  afterEach(() => fs.rmSync(f.home, { recursive: true, force: true }));
  return f;
}
