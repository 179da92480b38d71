import { describe, expect, it } from "vitest";
import { durationBetween, formatDuration, formatNumber, formatPercent, formatRelative, formatUntil, formatTrigger } from "./format";

describe("format", () => {
  it("formats durations at every scale", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(4200)).toBe("4.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(185_000)).toBe("3 m 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 m");
    expect(formatDuration(null)).toBe("—");
  });
  it("measures open intervals until now", () => {
    expect(durationBetween("2024-01-01T00:00:00Z", null, Date.parse("2024-01-01T00:00:02Z"))).toBe(2000);
    expect(durationBetween(null, null)).toBeNull();
  });
  it("formats metrics readably", () => {
    expect(formatNumber(0.712345678)).toBe("0.7123");
    expect(formatNumber(3.4567e-7)).toBe("3.457e-7");
    expect(formatNumber(506)).toBe("506");
    expect(formatNumber(12345.678)).toBe("12350");
  });
  it("says how long ago", () => {
    const now = Date.parse("2024-01-01T12:00:00Z");
    expect(formatRelative("2024-01-01T11:59:50Z", now)).toBe("just now");
    expect(formatRelative("2024-01-01T11:30:00Z", now)).toBe("30 min ago");
  });
  it("says how long until", () => {
    const now = Date.parse("2024-01-01T12:00:00Z");
    expect(formatUntil("2024-01-01T12:00:30Z", now)).toBe("in 30 s");
    expect(formatUntil("2024-01-01T12:59:00Z", now)).toBe("in 59 min");
    expect(formatUntil("2024-01-01T15:00:00Z", now)).toBe("in 3 h");
    expect(formatUntil("2024-01-01T11:00:00Z", now)).toBe("—");
  });
  it("formats shares as percents", () => {
    expect(formatPercent(0.0123)).toBe("1.2%");
    expect(formatPercent(0.5)).toBe("50%");
    expect(formatPercent(1)).toBe("100%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(null)).toBe("—");
  });

  it("names what started a run, a drift trigger with its deployment, feature and value", () => {
    expect(formatTrigger({ type: "drift", detail: { deployment: "seattle-weather", metric: "psi", feature: "temp_max", value: 1.23456 } })).toBe(
      "drift · seattle-weather psi of temp_max 1.23",
    );
    expect(formatTrigger({ type: "drift", detail: {} })).toBe("drift");
  });
});
