/**
 * Code version of the activities: part of every step's cache key. Bump it
 * when an activity's outputs change for the same inputs.
 */
export const ACTIVITY_CODE_VERSION = "2026-12-07.1";

export const LIBRARY_VERSIONS: Record<string, string> = {
  conveyor: "0.1.0",
  activities: ACTIVITY_CODE_VERSION,
};
