import net from "node:net";
import { describe, expect, it } from "vitest";
import postgres from "postgres";
import { createDb } from "../../db/client";
import { getCachedOutputs } from "../../db/queries/runs";
import { DataError } from "../ml/types";
import { classifyFailure, userMessage } from "./failures";

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe("classifyFailure", () => {
  it("bad input is data", () => {
    expect(classifyFailure(new DataError('target column "price" is not in the dataset', "config.target"))).toBe("data");
  });

  it("a drizzle query against a database that is down is transient, and the user sees the cause, never the SQL", async () => {
    const db = createDb(`postgres://postgres:postgres@127.0.0.1:${await closedPort()}/conveyor`, { max: 1 });
    const err = await getCachedOutputs(db, "a-cache-key").catch((e: unknown) => e);
    await db.$client.end();
    expect((err as Error).message).toMatch(/^Failed query: select .* from "step_cache"/);
    expect(classifyFailure(err)).toBe("transient");
    const shown = userMessage(err);
    expect(shown).toMatch(/ECONNREFUSED/);
    expect(shown).not.toMatch(/select|step_cache|a-cache-key|Failed query|params/i);
  });

  it("PostgreSQL shutting down, restarting or refusing connections is transient", () => {
    const pg = (code: string, message: string) => Object.assign(new postgres.PostgresError(message), { code });
    expect(classifyFailure(pg("57P01", "terminating connection due to administrator command"))).toBe("transient");
    expect(classifyFailure(pg("57P03", "the database system is starting up"))).toBe("transient");
    expect(classifyFailure(pg("08006", "connection failure"))).toBe("transient");
    expect(classifyFailure(Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5433"), { code: "CONNECTION_CLOSED" }))).toBe("transient");
    expect(classifyFailure(new Error("Connection terminated unexpectedly"))).toBe("transient");
    // …but a constraint violation or a syntax error is not.
    expect(classifyFailure(pg("23505", 'duplicate key value violates unique constraint "models_team_name"'))).toBe("other");
    expect(classifyFailure(pg("42601", 'syntax error at or near "selec"'))).toBe("other");
  });

  it("an unreachable HTTP service or Temporal frontend, and timeouts, are transient", async () => {
    const refused = await fetch(`http://127.0.0.1:${await closedPort()}/`).catch((e: unknown) => e);
    expect(classifyFailure(refused)).toBe("transient");
    // A server that accepts and never answers.
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const timedOut = await fetch(`http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/`, { signal: AbortSignal.timeout(100) }).catch(
      (e: unknown) => e,
    );
    silent.close();
    expect((timedOut as Error).name).toBe("TimeoutError");
    expect(classifyFailure(timedOut)).toBe("transient");
    const grpc = Object.assign(new Error("14 UNAVAILABLE: No connection established"), { code: 14, details: "No connection established", metadata: {} });
    expect(classifyFailure(Object.assign(new Error("Failed to start workflow"), { cause: grpc }))).toBe("transient");
  });

  it("anything else is other", () => {
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'rows')"))).toBe("other");
    expect(classifyFailure(new Error("simulated transient failure (connection reset)"))).toBe("other");
    expect(classifyFailure(Object.assign(new Error("bad status"), { code: 14 }))).toBe("other"); // a number code without gRPC metadata
    expect(classifyFailure("a string")).toBe("other");
  });
});

describe("userMessage", () => {
  it("is the message of anything but a failed query", () => {
    expect(userMessage(new Error("model file missing"))).toBe("model file missing");
    expect(userMessage("plain")).toBe("plain");
  });
});
