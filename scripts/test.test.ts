import { describe, expect, it } from "vitest";
import { playwrightCounts, summaryLine, vitestCounts } from "./test";

describe("npm test summary", () => {
  it("sums vitest counts, todo and skipped as skipped", () => {
    expect(vitestCounts({ numPassedTests: 5, numFailedTests: 1, numPendingTests: 2, numTodoTests: 1, testResults: [] })).toEqual({
      passed: 5,
      failed: 1,
      skipped: 3,
    });
  });

  it("counts a vitest file that failed to load as one failure", () => {
    const c = vitestCounts({
      numPassedTests: 2,
      numFailedTests: 0,
      testResults: [
        { name: "/x/ok.test.ts", status: "passed", assertionResults: [{ status: "passed" }, { status: "passed" }] },
        { name: "/x/broken.test.ts", status: "failed", assertionResults: [] },
      ],
    });
    expect(c.failed).toBe(1);
    expect(c.crash).toContain("broken.test.ts");
  });

  it("does not double-count a file whose tests failed", () => {
    const c = vitestCounts({ numFailedTests: 1, testResults: [{ name: "/x/a.test.ts", status: "failed", assertionResults: [{ status: "failed" }] }] });
    expect(c).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  it("reads playwright stats: flaky passed in the end, global errors are a crash", () => {
    expect(playwrightCounts({ stats: { expected: 3, unexpected: 1, flaky: 1, skipped: 2 }, errors: [] })).toEqual({ passed: 4, failed: 1, skipped: 2 });
    const crashed = playwrightCounts({
      stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 },
      errors: [{ message: "Timed out waiting 300000ms from config.webServer.\nmore" }],
    });
    expect(crashed.failed).toBe(1);
    expect(crashed.crash).toBe("run error: Timed out waiting 300000ms from config.webServer.");
  });

  it("prints exactly `N passed, N failed`, skipped only when present", () => {
    expect(summaryLine({ passed: 10, failed: 0, skipped: 0 })).toBe("10 passed, 0 failed");
    expect(summaryLine({ passed: 10, failed: 2, skipped: 1 })).toBe("10 passed, 2 failed, 1 skipped");
  });
});
