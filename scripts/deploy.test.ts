/**
 * deploy/: the Kubernetes manifests pass kubeconform -strict against the
 * Kubernetes JSON schemas of two Kubernetes versions, deploy/compose.yaml
 * passes the compose-spec schema and the checks `docker compose` makes beyond
 * it, and both describe the processes as they are (commands, queues, probe
 * paths the servers answer, variables the processes read). Deliberately
 * broken copies in a temporary folder must fail, naming what is wrong.
 *
 * The validators come from package registries on the first run
 * (scripts/deploy-validators.ts): kubeconform built from the Go module proxy,
 * the schemas from PyPI's kubernetes-validate wheel and the compose-go module.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENV_SCHEMA } from "../infra/env";
import { composeProblems, KUBECONFORM_VERSION, kubeconform, KUBERNETES_VERSIONS, localizeSchema, yamlDocuments } from "./deploy-validators";

const root = path.resolve(__dirname, "..");
const k8sDir = path.join(root, "deploy", "kubernetes");
const composeFile = path.join(root, "deploy", "compose.yaml");
const FIRST_RUN_MS = 600_000; // a cold machine builds kubeconform and downloads the schemas

/** Read by the S3 artifact store (ARTIFACT_URI …) and by the AWS credential chain, besides infra/env.ts's schema. */
const OBJECT_STORAGE_VARS = [
  "ARTIFACT_URI",
  "S3_ENDPOINT",
  "S3_REGION",
  "S3_FORCE_PATH_STYLE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "ARTIFACT_CACHE_DIR",
  "ARTIFACT_CACHE_MAX_BYTES",
];
const KNOWN_VARS = new Set([...Object.keys(ENV_SCHEMA.shape), ...OBJECT_STORAGE_VARS]);

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-test-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of deploy/kubernetes with `edit` applied to one file. */
function brokenCopy(name: string, edits: Record<string, (text: string) => string>): string {
  const dir = path.join(tmp, name);
  fs.cpSync(k8sDir, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const p = path.join(dir, file);
    const before = fs.readFileSync(p, "utf8");
    const after = edit(before);
    expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
    fs.writeFileSync(p, after);
  }
  return dir;
}

type Doc = Record<string, any>;
const docs = () => yamlDocuments(k8sDir).map((d) => d.doc as Doc);
const byKind = (kind: string) => docs().filter((d) => d.kind === kind);
const container = (d: Doc): Doc => d.spec.template.spec.containers[0];
const envNames = (c: Doc): string[] => (c.env ?? []).map((e: Doc) => e.name as string);

describe("the Kubernetes manifests (deploy/kubernetes)", () => {
  it.each(KUBERNETES_VERSIONS)(
    `are valid for Kubernetes %s (kubeconform ${KUBECONFORM_VERSION} -strict)`,
    async (version) => {
      const r = await kubeconform([k8sDir], version);
      expect(r.resources.filter((x) => x.status !== "statusValid")).toEqual([]);
      expect(r.code, r.output).toBe(0);
      expect(r.resources.map((x) => `${x.kind}/${x.name}`).sort()).toEqual(
        [
          "ConfigMap/conveyor-config",
          "Secret/conveyor-secrets",
          "Job/conveyor-migrate",
          "Deployment/conveyor-web",
          "Service/conveyor-web",
          "PodDisruptionBudget/conveyor-web",
          "Deployment/conveyor-worker-light",
          "Deployment/conveyor-worker-heavy",
          "Deployment/conveyor-serving",
          "Service/conveyor-serving",
          "PodDisruptionBudget/conveyor-serving",
        ].sort(),
      );
    },
    FIRST_RUN_MS,
  );

  it(
    "fail validation when a field is unknown, missing or of the wrong type, naming the resource and the place",
    async () => {
      const dir = brokenCopy("k8s-broken", {
        "40-serving.yaml": (t) => t.replace("  replicas: 2\n", "  replicas: 2\n  replica: 3\n"),
        "30-worker-light.yaml": (t) => t.replace("        - name: worker\n          image: conveyor:0.1.0\n", "        - image: conveyor:0.1.0\n"),
        "20-web.yaml": (t) => t.replace("periodSeconds: 10\n            timeoutSeconds: 5", 'periodSeconds: "ten"\n            timeoutSeconds: 5'),
      });
      const r = await kubeconform([dir], KUBERNETES_VERSIONS[0]!);
      expect(r.code).not.toBe(0);
      const invalid = Object.fromEntries(r.resources.filter((x) => x.status !== "statusValid").map((x) => [`${x.kind}/${x.name}`, x.msg]));
      expect(Object.keys(invalid).sort()).toEqual(["Deployment/conveyor-serving", "Deployment/conveyor-web", "Deployment/conveyor-worker-light"]);
      expect(invalid["Deployment/conveyor-serving"]).toMatch(/at '\/spec'.*additional properties 'replica' not allowed/);
      expect(invalid["Deployment/conveyor-worker-light"]).toMatch(/at '\/spec\/template\/spec\/containers\/0'.*missing property 'name'/);
      expect(invalid["Deployment/conveyor-web"]).toMatch(/readinessProbe\/periodSeconds'.*got string, want (integer|null)/);
    },
    FIRST_RUN_MS,
  );

  it("run each process with its command, the workers on their queues, probes on paths the servers answer", () => {
    const args = Object.fromEntries([...byKind("Deployment"), ...byKind("Job")].map((d) => [d.metadata.name as string, container(d).args as string[]]));
    expect(args).toEqual({
      "conveyor-migrate": ["migrate"],
      "conveyor-web": ["web"],
      "conveyor-worker-light": ["worker"],
      "conveyor-worker-heavy": ["worker"],
      "conveyor-serving": ["serving"],
    });
    const queues = (name: string) =>
      container(byKind("Deployment").find((d) => d.metadata.name === name)!).env.find((e: Doc) => e.name === "CONVEYOR_WORKER_QUEUES")?.value;
    expect([queues("conveyor-worker-light"), queues("conveyor-worker-heavy")]).toEqual(["light", "heavy"]);
    for (const d of byKind("Deployment")) expect(d.spec.replicas, d.metadata.name).toBeGreaterThanOrEqual(1);
    expect(byKind("Deployment").find((d) => d.metadata.name === "conveyor-serving")!.spec.replicas).toBeGreaterThanOrEqual(2);

    // Probe paths: serving's OIP health routes and a web API route that exist in the code.
    const paths = byKind("Deployment").flatMap((d) =>
      ["startupProbe", "readinessProbe", "livenessProbe"].map((p) => container(d)[p]?.httpGet?.path as string | undefined).filter(Boolean),
    );
    expect(new Set(paths)).toEqual(new Set(["/api/v1/openapi.json", "/v2/health/live", "/v2/health/ready"]));
    const servingDoc = fs.readFileSync(path.join(root, "server/serving/server.ts"), "utf8");
    expect(servingDoc).toContain("GET  /v2/health/live");
    expect(servingDoc).toContain("GET  /v2/health/ready");
    expect(fs.existsSync(path.join(root, "app/api/v1/openapi.json/route.ts"))).toBe(true);

    // Services select a Deployment's pods and target a port its container names.
    for (const s of byKind("Service")) {
      const d = byKind("Deployment").find((x) =>
        Object.entries(s.spec.selector as Record<string, string>).every(([k, v]) => x.spec.template.metadata.labels[k] === v),
      );
      expect(d, `Service ${s.metadata.name} selects no Deployment`).toBeDefined();
      for (const p of s.spec.ports)
        expect(
          container(d!).ports.map((cp: Doc) => cp.name),
          `Service ${s.metadata.name}`,
        ).toContain(p.targetPort);
    }
  });

  it("set only variables the processes read", () => {
    const config = byKind("ConfigMap").flatMap((c) => Object.keys(c.data as object));
    const secret = byKind("Secret").flatMap((c) => Object.keys(c.stringData as object));
    const perProcess = [...byKind("Deployment"), ...byKind("Job")].flatMap((d) => envNames(container(d)));
    for (const name of [...config, ...secret, ...perProcess]) expect(KNOWN_VARS, name).toContain(name);
    expect(config).toContain("TEMPORAL_ADDRESS");
    expect(secret).toContain("DATABASE_URL");
  });

  it("give kubeconform self-contained schemas: refs to the definitions beside them, no https ids", () => {
    expect(
      localizeSchema({
        $id: "https://kubernetes.io/api/deployment/apps/v1",
        properties: { spec: { $ref: "/api/_definitions.json#/$defs/io.k8s.api.apps.v1.DeploymentSpec" }, x: [{ $ref: "#/$defs/a" }] },
      }),
    ).toEqual({ properties: { spec: { $ref: "_definitions.json#/$defs/io.k8s.api.apps.v1.DeploymentSpec" }, x: [{ $ref: "#/$defs/a" }] } });
  });
});

describe("the Compose file (deploy/compose.yaml)", () => {
  it(
    "is valid against the compose-spec schema, and every depends_on names a service that can satisfy its condition",
    async () => {
      expect(await composeProblems(composeFile)).toEqual([]);
    },
    FIRST_RUN_MS,
  );

  it("runs the stack: migrate once before the app, two workers by queue, two serving replicas, health checks", async () => {
    const { parse } = await import("yaml");
    const c = parse(fs.readFileSync(composeFile, "utf8"), { merge: true }) as { services: Record<string, Doc> };
    const s = c.services;
    expect(Object.keys(s).sort()).toEqual(
      [
        "postgres",
        "temporal-postgres",
        "temporal-schema",
        "temporal",
        "temporal-namespace",
        "seaweedfs",
        "s3-bucket",
        "migrate",
        "web",
        "worker-light",
        "worker-heavy",
        "serving",
      ].sort(),
    );
    expect(s.migrate!.command).toEqual(["migrate"]);
    expect(s.migrate!.restart).toBe("no");
    for (const name of ["web", "worker-light", "worker-heavy", "serving"]) {
      expect(s[name]!.depends_on.migrate, name).toEqual({ condition: "service_completed_successfully" });
      expect(s[name]!.image, name).toBe(s.migrate!.image);
    }
    expect([s["worker-light"]!.environment.CONVEYOR_WORKER_QUEUES, s["worker-heavy"]!.environment.CONVEYOR_WORKER_QUEUES]).toEqual(["light", "heavy"]);
    expect(s.serving!.deploy.replicas).toBe(2);
    expect(s.serving!.environment.SERVING_HOST).toBe("0.0.0.0");
    for (const name of ["postgres", "temporal-postgres", "temporal", "seaweedfs", "web", "serving"]) expect(s[name]!.healthcheck, name).toBeDefined();
    // Temporal keeps its own database server.
    expect(s.temporal!.environment.POSTGRES_SEEDS).toBe("temporal-postgres");
    for (const svc of Object.values(s).filter((x) => x.image === s.migrate!.image)) {
      for (const name of Object.keys(svc.environment as object)) expect(KNOWN_VARS, name).toContain(name);
    }
  });

  it(
    "fails on a broken copy, naming the place: a schema error, a missing service, a health condition without a healthcheck, a duplicate key",
    async () => {
      const text = fs.readFileSync(composeFile, "utf8");
      const broken = async (name: string, edit: (t: string) => string) => {
        const file = path.join(tmp, "deploy", name, "compose.yaml");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const after = edit(text);
        expect(after, name).not.toBe(text);
        fs.writeFileSync(file, after);
        return composeProblems(file);
      };
      expect(await broken("typo", (t) => t.replace("condition: service_completed_successfully", "condition: service_completed"))).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\/services\/temporal\/depends_on\/temporal-schema\/condition must be equal to one of the allowed values/),
        ]),
      );
      expect(
        await broken("missing", (t) =>
          t.replace(
            "      s3-bucket:\n        condition: service_completed_successfully\n    healthcheck:",
            "      s3-buckets:\n        condition: service_completed_successfully\n    healthcheck:",
          ),
        ),
      ).toEqual(['/services/web/depends_on: no service "s3-buckets"']);
      expect(await broken("unhealthy", (t) => t.replace(/( {2}seaweedfs:\n[\s\S]*?)( {4}healthcheck:\n(?: {6}.*\n)+)/, "$1"))).toEqual([
        '/services/s3-bucket/depends_on/seaweedfs: service_healthy, but "seaweedfs" has no healthcheck',
      ]);
      expect(await broken("duplicate", (t) => t.replace("    image: postgres:17\n", "    image: postgres:17\n    image: postgres:16\n"))).toEqual([
        expect.stringMatching(/^compose\.yaml: Map keys must be unique/),
      ]);
    },
    FIRST_RUN_MS,
  );
});
