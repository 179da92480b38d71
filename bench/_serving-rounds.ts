import os from "node:os";
import b from "./serving";
const r = await b();
const rounds = r.json.rounds as Record<string, { rps: number; p50: number; p99: number }[]>;
for (const k of ["ceiling", "serving"]) console.log(k, rounds[k]!.map((x) => `${Math.round(x.rps)} p50=${x.p50} p99=${x.p99}`).join(" | "));
console.log("ratio", r.json.ratio, "cpu", r.json.cpuUsPerRequest, r.json.cpuRatio, "reload", r.json.reloadMs, os.loadavg());
