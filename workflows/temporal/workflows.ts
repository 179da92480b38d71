// Entry point bundled by the worker: every workflow type the worker runs.
export { pipelineRun } from "./pipeline-workflow";
export { scheduledRun } from "./scheduled-run-workflow";
export { deploymentRollout } from "./rollout-workflow";
export { monitorTick, monitorWindow } from "./monitor-workflow";
