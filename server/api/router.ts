/**
 * The UI's API: one procedure per endpoint of contract/api/endpoints.ts, with
 * that endpoint's input and output schemas and its operation — the same
 * shapes and the same code as the REST routes.
 */
import type { z } from "zod";
import { endpoints, type EndpointName, type Endpoints } from "../../contract/api/endpoints";
import { procedure, router } from "./trpc";
import { operations, type Operation } from "./operations";

type Input<N extends EndpointName> = keyof Endpoints[N]["input"]["shape"] extends never
  ? z.ZodDefault<z.ZodOptional<Endpoints[N]["input"]>>
  : Endpoints[N]["input"];
type Output<N extends EndpointName> = Endpoints[N]["output"] extends z.ZodType ? z.output<Endpoints[N]["output"]> : never;

function build<N extends EndpointName>(name: N) {
  const e = endpoints[name];
  const run = operations[name] as Operation<Endpoints[N]>;
  // An endpoint without inputs may be called without an argument.
  const input = (Object.keys(e.input.shape).length ? e.input : e.input.optional().default({})) as Input<N>;
  const p = procedure.input(input).output(e.output as unknown as z.ZodType<Output<N>>);
  const resolve = ({ ctx, input }: { ctx: Parameters<typeof run>[0]; input: unknown }) => run(ctx, input as never) as Promise<Output<N>>;
  return { p, resolve };
}

/** The query procedure of endpoint `name` (a GET). */
function query<N extends EndpointName>(name: N) {
  const { p, resolve } = build(name);
  return p.query(resolve);
}

/** The mutation procedure of endpoint `name` (POST, PUT, DELETE). */
function mutation<N extends EndpointName>(name: N) {
  const { p, resolve } = build(name);
  return p.mutation(resolve);
}

export const appRouter = router({
  pipelines: router({
    list: query("listPipelines"),
    get: query("getPipeline"),
    versions: query("listPipelineVersions"),
    create: mutation("createPipeline"),
    save: mutation("savePipeline"),
    delete: mutation("deletePipeline"),
    restore: mutation("restorePipeline"),
    duplicate: mutation("duplicatePipeline"),
    // Autosave: the spec is kept verbatim, valid or not; saving a version deletes it.
    draft: query("getDraft"),
    saveDraft: mutation("saveDraft"),
    discardDraft: mutation("discardDraft"),
  }),
  runs: router({
    start: mutation("startRun"),
    get: query("getRun"),
    list: query("listRuns"),
    cancel: mutation("cancelRun"),
    retry: mutation("retryRun"),
  }),
  triggers: router({
    list: query("listTriggers"),
    pause: mutation("pauseTrigger"),
    resume: mutation("resumeTrigger"),
    regenerateWebhook: mutation("regenerateWebhook"),
    schedules: query("listSchedules"),
  }),
  models: router({
    list: query("listModels"),
    get: query("getModel"),
    version: query("getModelVersion"),
    delete: mutation("deleteModel"),
    reproduce: mutation("reproduceModel"),
    setAlias: mutation("setAlias"),
    deleteAlias: mutation("deleteAlias"),
    predict: mutation("predict"),
  }),
  deployments: router({
    list: query("listDeployments"),
    get: query("getDeployment"),
    promote: mutation("promoteDeployment"),
    rollback: mutation("rollbackDeployment"),
    feedback: mutation("recordFeedback"),
  }),
  monitoring: router({
    get: query("getMonitoring"),
    run: mutation("runMonitoring"),
    configure: mutation("configureMonitoring"),
  }),
  approvals: router({
    list: query("listApprovals"),
    get: query("getApproval"),
    decide: mutation("decideApproval"),
  }),
  datasets: router({
    list: query("listDatasets"),
    get: query("getDataset"),
    delete: mutation("deleteDataset"),
    restore: mutation("restoreDataset"),
  }),
});

export type AppRouter = typeof appRouter;
