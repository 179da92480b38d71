import { Connection } from "@temporalio/client";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { testEnv } from "./env";

describe("integration test services", () => {
  it("are visible to test files both through testEnv() and process.env", () => {
    const env = testEnv();
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\//);
    expect(process.env.DATABASE_URL).toBe(env.DATABASE_URL);
    expect(process.env.TEMPORAL_ADDRESS).toBe(env.TEMPORAL_ADDRESS);
    expect(process.env.ARTIFACT_DIR).toBe(env.ARTIFACT_DIR);
  });

  it("PostgreSQL answers and is migrated and seeded", async () => {
    const sql = postgres(testEnv().DATABASE_URL, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ one: number }[]>`select 1 as one`;
      expect(row?.one).toBe(1);
      const [seeded] = await sql<{ n: number }[]>`select count(*)::int as n from teams where slug = 'local'`;
      expect(seeded?.n).toBe(1);
    } finally {
      await sql.end();
    }
  });

  it("Temporal answers for the test namespace", async () => {
    const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE } = testEnv();
    const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
    try {
      const res = await connection.workflowService.describeNamespace({ namespace: TEMPORAL_NAMESPACE });
      expect(res.namespaceInfo?.name).toBe(TEMPORAL_NAMESPACE);
    } finally {
      await connection.close();
    }
  });
});
