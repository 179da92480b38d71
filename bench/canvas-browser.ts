/**
 * Browser side of the canvas benchmark: headless Debian Chromium driven by
 * Playwright; first render from a per-frame log in the page, frame rates from
 * a Chromium trace (CDP tracing).
 *
 * Frames counted are the renderer's `DrawFrame` trace events (frames the
 * compositor actually drew) between two `performance.mark`s placed around
 * the gesture, not requestAnimationFrame callbacks (those keep firing near
 * 60 Hz while far fewer frames get drawn).
 */
import fs from "node:fs";
import { chromium, type Browser, type Page } from "@playwright/test";

export const VIEWPORT = { width: 1600, height: 900 };

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export const TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline.frame", "blink.user_timing", "toplevel"];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// First render

/** One animation frame as the page saw it: [ms since navigation start, nodes, unmeasured nodes, edges, viewport transform]. */
type FrameState = [number, number, number, number, string];

/**
 * Installed before any page script: logs the canvas's state at every
 * animation frame until the benchmark sets __benchStopFrames.
 */
const FRAME_LOGGER = `(() => {
  const log = [];
  window.__benchFrames = log;
  const tick = () => {
    if (window.__benchStopFrames) return;
    const nodes = document.querySelectorAll(".react-flow__node").length;
    const hidden = nodes ? document.querySelectorAll('.react-flow__node[style*="visibility: hidden"]').length : 0;
    const edges = document.querySelectorAll(".react-flow__edge").length;
    const vp = document.querySelector(".react-flow__viewport");
    log.push([performance.now(), nodes, hidden, edges, vp ? vp.style.transform : ""]);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

const stateKey = (f: FrameState) => `${f[1]}|${f[2]}|${f[3]}|${f[4]}`;

export interface FirstRender {
  /** ms from navigation start (performance.timeOrigin) to the first frame that drew the settled initial view. */
  ms: number;
  nodesInDom: number;
  edgesInDom: number;
  transform: string;
}

/**
 * Waits until the canvas has settled (every node element measured, node
 * and edge counts and the viewport transform unchanged for `quietMs`), then
 * finds the first animation frame from which the state never changed again.
 * The DOM seen at the start of frame k is drawn in frame k, so the time
 * reported is the start of frame k + 1: navigation start → the settled view
 * has been drawn.
 */
export async function waitForFirstRender(page: Page, opts: { quietMs?: number; timeoutMs?: number } = {}): Promise<FirstRender> {
  const quietMs = opts.quietMs ?? 1500;
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  let lastKey = "";
  let since = Date.now();
  for (;;) {
    const last = await page.evaluate(() => {
      const f = (window as unknown as { __benchFrames?: unknown[] }).__benchFrames;
      return f && f.length ? (f[f.length - 1] as FrameState) : null;
    });
    const key = last ? stateKey(last) : "";
    if (key !== lastKey) {
      lastKey = key;
      since = Date.now();
    } else if (last && last[1] > 0 && last[2] === 0 && last[4] !== "" && Date.now() - since >= quietMs) {
      break;
    }
    if (Date.now() > deadline) throw new Error(`the canvas did not settle (last frame: ${JSON.stringify(last)})`);
    await sleep(100);
  }
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __benchFrames: FrameState[]; __benchStopFrames?: boolean };
    w.__benchStopFrames = true;
    return w.__benchFrames;
  });
  const final = frames[frames.length - 1]!;
  const finalKey = stateKey(final);
  let i = frames.length - 1;
  while (i > 0 && stateKey(frames[i - 1]!) === finalKey) i--;
  const drawn = frames[i + 1] ?? frames[i]!;
  return { ms: drawn[0], nodesInDom: final[1], edgesInDom: final[3], transform: final[4] };
}

// ---------------------------------------------------------------------------
// Gestures

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: Record<string, unknown>;
}

export interface GestureResult {
  fps: number;
  frames: number;
  seconds: number;
  /** Pointer moves sent during the gesture. */
  moves: number;
  /** mousemove events the page dispatched in the window (after the renderer's coalescing). */
  movesHandled: number;
  /** Share of the window the renderer's main thread was running tasks (wall clock). */
  mainThreadBusy: number;
  /** CPU time of the renderer's main thread in the window (thread time: what the machine's other load does not inflate). */
  mainThreadCpuMs: number;
  /** CPU time of every renderer thread (main, compositor, raster workers) in the window. */
  rendererCpuMs: number;
  /** Longest main-thread task in the window (ms, wall clock). */
  longestTaskMs: number;
  /** Share of the machine's CPU that was idle during the gesture (other load on the machine). */
  machineIdle: number;
}

/** Counts DrawFrame events of the page's renderer between the two marks of `kind`, and the renderer's CPU time there. */
export function analyseTrace(events: TraceEvent[], kind: string): Omit<GestureResult, "moves" | "machineIdle"> {
  const start = events.find((e) => e.name === `bench:${kind}:start` && e.cat.includes("blink.user_timing"));
  const end = events.find((e) => e.name === `bench:${kind}:end` && e.cat.includes("blink.user_timing"));
  if (!start || !end) throw new Error(`marks bench:${kind}:start/end are missing from the trace`);
  const pid = start.pid;
  const t0 = start.ts;
  const t1 = end.ts;
  const inWindow = (e: TraceEvent) => e.pid === pid && e.ts >= t0 && e.ts <= t1;
  const frames = events.filter((e) => e.name === "DrawFrame" && e.ph !== "e" && inWindow(e)).length;
  const handled = events.filter(
    (e) => e.name === "EventDispatch" && inWindow(e) && (e.args as { data?: { type?: string } } | undefined)?.data?.type === "mousemove",
  ).length;
  const mainTid = events.find(
    (e) => e.ph === "M" && e.name === "thread_name" && e.pid === pid && (e.args as { name?: string } | undefined)?.name === "CrRendererMain",
  )?.tid;
  let busy = 0;
  let longest = 0;
  let mainCpu = 0;
  let allCpu = 0;
  // Top-level tasks only (a nested run loop's tasks are inside their parent's time).
  const tasks = events
    .filter((e) => e.pid === pid && e.name === "ThreadControllerImpl::RunTask" && e.ph === "X" && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts);
  const endOf = new Map<number, number>();
  for (const e of tasks) {
    if ((endOf.get(e.tid) ?? -Infinity) > e.ts) continue;
    endOf.set(e.tid, e.ts + e.dur!);
    const a = Math.max(t0, e.ts);
    const b = Math.min(t1, e.ts + e.dur!);
    if (b <= a) continue;
    // Thread time of a task cut by the window: pro rata.
    const cpu = ((e as TraceEvent & { tdur?: number }).tdur ?? e.dur!) * ((b - a) / Math.max(1, e.dur!));
    allCpu += cpu;
    if (e.tid !== mainTid) continue;
    busy += b - a;
    mainCpu += cpu;
    longest = Math.max(longest, e.dur!);
  }
  const seconds = (t1 - t0) / 1e6;
  return {
    fps: frames / seconds,
    frames,
    seconds,
    movesHandled: handled,
    mainThreadBusy: busy / (t1 - t0),
    mainThreadCpuMs: mainCpu / 1000,
    rendererCpuMs: allCpu / 1000,
    longestTaskMs: longest / 1000,
  };
}

/**
 * How pointer moves are sent: "streamed" = every 16 ms without waiting;
 * "awaited" = each waits until the page has handled the previous one (and at
 * least 16 ms passed).
 */
export type InputMode = "streamed" | "awaited";
export const INPUT_MODE: InputMode = process.env.CANVAS_BENCH_INPUT === "streamed" ? "streamed" : "awaited";

/**
 * Presses the mouse at `at`, moves it round a circle of `radius` px (one
 * turn a second) for `durationMs`, releases it, and returns the frame rate
 * while it moved. Moves are sent every 16 ms over CDP without waiting for
 * each to be handled, like a real 60 Hz pointer: when the page is busy the
 * browser queues them and the renderer coalesces them (one per frame).
 * (Awaiting each move would cap the rate at the round trip, ~25 Hz here.)
 */
export async function measureGesture(
  browser: Browser,
  page: Page,
  kind: "pan" | "drag",
  at: { x: number; y: number },
  opts: { radius?: number; durationMs?: number; traceFile?: string; input?: InputMode } = {},
): Promise<GestureResult> {
  const input = opts.input ?? INPUT_MODE;
  const radius = opts.radius ?? 80;
  const durationMs = opts.durationMs ?? 2000;
  const cdp = await page.context().newCDPSession(page);
  const mouse = (type: "mouseMoved" | "mousePressed" | "mouseReleased", x: number, y: number, buttons: number) =>
    cdp.send("Input.dispatchMouseEvent", { type, x, y, button: "left", buttons, clickCount: type === "mouseMoved" ? 0 : 1 });
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const pending: Promise<unknown>[] = [];
  try {
    await sleep(300);
    await mouse("mouseMoved", at.x, at.y, 0);
    await mouse("mousePressed", at.x, at.y, 1);
    // Past React Flow's drag / pane-click thresholds before the measured window.
    await mouse("mouseMoved", at.x + 2, at.y + 2, 1);
    await mouse("mouseMoved", at.x + 4, at.y + 4, 1);
    let moves = 0;
    const { idle } = await idleDuring(async () => {
      await page.evaluate((m) => performance.mark(m), `bench:${kind}:start`);
      const t0 = Date.now();
      for (;;) {
        const elapsed = Date.now() - t0;
        if (elapsed >= durationMs) break;
        const a = (2 * Math.PI * elapsed) / 1000;
        const sent = mouse("mouseMoved", at.x + 4 + radius * (Math.cos(a) - 1), at.y + 4 + radius * Math.sin(a), 1).catch(() => undefined);
        if (input === "awaited") await sent;
        else pending.push(sent);
        moves++;
        const wait = t0 + moves * 16 - Date.now();
        if (wait > 0) await sleep(wait);
      }
      await page.evaluate((m) => performance.mark(m), `bench:${kind}:end`);
    });
    await Promise.all(pending);
    await mouse("mouseReleased", at.x + 4, at.y + 4, 0);
    await sleep(300);
    const buf = await browser.stopTracing();
    if (opts.traceFile) fs.writeFileSync(opts.traceFile, buf);
    const trace = JSON.parse(buf.toString("utf8")) as { traceEvents: TraceEvent[] } | TraceEvent[];
    const events = Array.isArray(trace) ? trace : trace.traceEvents;
    return { ...analyseTrace(events, kind), moves, machineIdle: idle };
  } catch (e) {
    await Promise.all(pending);
    await browser.stopTracing().catch(() => undefined);
    throw e;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** A point on the empty pane near the canvas centre (the pointer-down target must be the pane); searched outwards in rings. */
export async function findPanePoint(page: Page): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(() => {
    const flows = [...document.querySelectorAll<HTMLElement>(".react-flow")];
    const flow = flows[flows.length - 1];
    if (!flow) return null;
    const r = flow.getBoundingClientRect();
    const cx = Math.round(r.left + r.width / 2);
    const cy = Math.round(r.top + r.height / 2);
    for (let ring = 0; ring < Math.min(r.width, r.height) / 2 - 60; ring += 4) {
      const steps = Math.max(1, Math.round((2 * Math.PI * ring) / 4));
      for (let i = 0; i < steps; i++) {
        const x = cx + Math.round(ring * Math.cos((2 * Math.PI * i) / steps));
        const y = cy + Math.round(ring * Math.sin((2 * Math.PI * i) / steps));
        if (document.elementFromPoint(x, y)?.classList.contains("react-flow__pane")) return { x, y };
      }
    }
    return null;
  });
  if (!p) throw new Error("no empty pane point found on the canvas");
  return p;
}

/** The centre of the node closest to the canvas centre whose box is well inside the canvas. */
export async function findNodePoint(page: Page): Promise<{ x: number; y: number; id: string }> {
  const p = await page.evaluate(() => {
    const flows = [...document.querySelectorAll<HTMLElement>(".react-flow")];
    const flow = flows[flows.length - 1];
    if (!flow) return null;
    const r = flow.getBoundingClientRect();
    const cx = r.left + r.width / 2;
    const cy = r.top + r.height / 2;
    const candidates = [...flow.querySelectorAll<HTMLElement>(".react-flow__node")]
      .map((n) => {
        const b = n.getBoundingClientRect();
        const x = b.left + b.width / 2;
        const y = b.top + b.height / 2;
        const inside = b.left >= r.left + 100 && b.right <= r.right - 100 && b.top >= r.top + 100 && b.bottom <= r.bottom - 100;
        return { n, x, y, inside, d: (x - cx) ** 2 + (y - cy) ** 2 };
      })
      .filter((c) => c.inside)
      .sort((a, b) => a.d - b.d);
    for (const c of candidates.slice(0, 50)) {
      if (c.n.contains(document.elementFromPoint(c.x, c.y))) return { x: c.x, y: c.y, id: c.n.dataset.id ?? "" };
    }
    return null;
  });
  if (!p) throw new Error("no node found near the canvas centre");
  return p;
}

export interface ViewMeasurement {
  /** Viewport zoom during the gestures. */
  zoom: number;
  /** Node elements in the DOM before the gestures. */
  nodesInDom: number;
  pan: GestureResult;
  drag: GestureResult;
  draggedNode: string;
}

export interface CanvasMeasurement {
  firstRender: FirstRender;
  /** The view the page opens with (fitView of the whole graph). */
  fitted: ViewMeasurement;
  /** Zoomed in with the wheel at the canvas centre to `zoomedTo` (a working view: a few dozen nodes on screen). */
  zoomed: ViewMeasurement;
}

type CanvasState = { nodes: number; hidden: number; transform: string };

function readCanvas(page: Page): Promise<CanvasState> {
  return page.evaluate(() => {
    const flows = [...document.querySelectorAll<HTMLElement>(".react-flow")];
    const flow = flows[flows.length - 1];
    const vp = flow?.querySelector<HTMLElement>(".react-flow__viewport");
    return {
      nodes: flow ? flow.querySelectorAll(".react-flow__node").length : 0,
      hidden: flow ? flow.querySelectorAll('.react-flow__node[style*="visibility: hidden"]').length : 0,
      transform: vp?.style.transform ?? "",
    };
  });
}

const scaleOf = (transform: string) => Number(/scale\(([\d.]+)\)/.exec(transform)?.[1] ?? NaN);

/** Waits until node count, measurement and viewport have not changed for `quietMs`. */
async function waitForStill(page: Page, quietMs = 1000, timeoutMs = 60_000): Promise<CanvasState> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  let since = Date.now();
  for (;;) {
    const st = await readCanvas(page);
    const key = JSON.stringify(st);
    if (key !== last) {
      last = key;
      since = Date.now();
    } else if (st.hidden === 0 && Date.now() - since >= quietMs) return st;
    if (Date.now() > deadline) throw new Error(`the canvas did not settle: ${key}`);
    await sleep(100);
  }
}

/** Zooms in with wheel steps at the canvas centre until the viewport scale reaches `target`. */
async function zoomTo(page: Page, target: number): Promise<void> {
  const c = await page.evaluate(() => {
    const flows = [...document.querySelectorAll<HTMLElement>(".react-flow")];
    const r = flows[flows.length - 1]!.getBoundingClientRect();
    return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
  });
  await page.mouse.move(c.x, c.y);
  for (let i = 0; i < 60; i++) {
    const scale = scaleOf((await readCanvas(page)).transform);
    if (scale >= target * 0.999) return;
    // React Flow zooms by 2^(-deltaY * 0.002) per wheel event: step by at most ×1.15, the last one exactly onto the target.
    const factor = Math.min(1.15, target / scale);
    await page.mouse.wheel(0, -Math.log2(factor) / 0.002);
    await sleep(50);
  }
  throw new Error(`could not zoom to ${target}`);
}

async function measureView(
  browser: Browser,
  page: Page,
  opts: { durationMs?: number; tracePrefix?: string; quiet?: { minIdle?: number; maxMs?: number } },
  label: string,
): Promise<ViewMeasurement> {
  const st = await waitForStill(page);
  await waitForQuiet(opts.quiet);
  const pan = await measureGesture(browser, page, "pan", await findPanePoint(page), {
    durationMs: opts.durationMs,
    traceFile: opts.tracePrefix && `${opts.tracePrefix}-${label}-pan.json`,
  });
  await waitForStill(page);
  await waitForQuiet(opts.quiet);
  const node = await findNodePoint(page);
  const drag = await measureGesture(browser, page, "drag", node, {
    radius: 40,
    durationMs: opts.durationMs,
    traceFile: opts.tracePrefix && `${opts.tracePrefix}-${label}-drag.json`,
  });
  return { zoom: scaleOf(st.transform), nodesInDom: st.nodes, pan, drag, draggedNode: node.id };
}

/**
 * Opens `url` in a fresh context and waits for the first full render; then,
 * in the fitted view and again zoomed in to `zoomedTo` at the canvas centre,
 * pans and drags one node.
 */
export async function measureCanvas(
  browser: Browser,
  url: string,
  opts: { durationMs?: number; zoomedTo?: number; tracePrefix?: string; quiet?: { minIdle?: number; maxMs?: number }; css?: string } = {},
): Promise<CanvasMeasurement> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.addInitScript(FRAME_LOGGER);
    // Experiments only: extra CSS injected into the page (e.g. to try a style change without a rebuild).
    if (opts.css)
      await page.addInitScript(
        (css) =>
          document.addEventListener("DOMContentLoaded", () => document.head.append(Object.assign(document.createElement("style"), { textContent: css }))),
        opts.css,
      );
    await waitForQuiet(opts.quiet);
    await page.goto(url, { waitUntil: "commit" });
    const firstRender = await waitForFirstRender(page);
    const fitted = await measureView(browser, page, opts, "fitted");
    await zoomTo(page, opts.zoomedTo ?? ZOOMED_TO);
    const zoomed = await measureView(browser, page, opts, "zoomed");
    return { firstRender, fitted, zoomed };
  } finally {
    await context.close();
  }
}

/** The working zoom of the second view: node titles readable (13 px × 0.5). */
export const ZOOMED_TO = 0.5;

/** The screen rectangle of the editor's canvas (to put the bare flow in the same place and size). */
export async function editorCanvasRect(browser: Browser, url: string): Promise<{ x: number; y: number; w: number; h: number }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(url);
    const box = await page.getByTestId("canvas").boundingBox({ timeout: 60_000 });
    if (!box) throw new Error("the editor's canvas has no box");
    return { x: Math.round(box.x), y: Math.round(box.y), w: Math.round(box.width), h: Math.round(box.height) };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------
// Machine load

function cpuTimes(): { idle: number; total: number } {
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { idle, total: v.reduce((a, b) => a + b, 0) };
}

/** Share of the machine's CPU time that was idle while `fn` ran (Linux /proc/stat; NaN elsewhere). */
export async function idleDuring<T>(fn: () => Promise<T>): Promise<{ value: T; idle: number }> {
  let a: { idle: number; total: number } | null = null;
  try {
    a = cpuTimes();
  } catch {
    a = null;
  }
  const value = await fn();
  if (!a) return { value, idle: NaN };
  const b = cpuTimes();
  return { value, idle: (b.idle - a.idle) / Math.max(1, b.total - a.total) };
}

/**
 * Waits (up to `maxMs`) for a second in which at least `minIdle` of the
 * machine's CPU was idle, so a measurement does not start in the middle of
 * someone else's build. Returns the idle share of the last second checked.
 */
export async function waitForQuiet(opts: { minIdle?: number; maxMs?: number } = {}): Promise<number> {
  const minIdle = opts.minIdle ?? 0.6;
  const deadline = Date.now() + (opts.maxMs ?? 20_000);
  for (;;) {
    const { idle } = await idleDuring(() => sleep(1000));
    if (!(idle < minIdle) || Date.now() > deadline) return idle;
  }
}
