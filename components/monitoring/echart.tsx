"use client";
/**
 * One Apache ECharts chart (canvas renderer, only the chart types and
 * components the monitoring page draws: ECharts is tree-shaken through
 * `echarts/core` and loaded with this page only). The option is set without
 * merging whenever it changes (the page memoises it); an option that depends
 * on the chart's pixel size (the heatmap's cells) is a function of it. The
 * chart follows its box's size, and the time the last `setOption` took is
 * kept on the element (`data-render-ms`) for the performance check.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import * as echarts from "echarts/core";
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, ScatterChart, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;
export type ChartSize = { width: number; height: number };
export interface ChartClick {
  seriesIndex?: number;
  dataIndex: number;
  value: unknown;
}

export function EChart({
  option,
  height,
  label,
  onClick,
  testId,
}: {
  option: ChartOption | ((size: ChartSize) => ChartOption);
  height: number;
  /** The chart's accessible name (a canvas has no text of its own). */
  label: string;
  onClick?: (e: ChartClick) => void;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    click.current = onClick;
  }, [onClick]);

  useEffect(() => {
    const el = box.current!;
    const c = echarts.init(el, null, { renderer: "canvas" });
    chart.current = c;
    c.on("click", (e) => click.current?.({ seriesIndex: e.seriesIndex, dataIndex: e.dataIndex, value: e.value }));
    const resize = new ResizeObserver(() => {
      c.resize();
      setWidth(el.clientWidth);
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      // A large chart may paint over several frames; an empty repaint first makes the
      // frames still queued stand down (zrender would paint them into the disposed chart).
      c.clear();
      c.getZr().refreshImmediately();
      c.dispose();
      chart.current = null;
    };
  }, []);

  const resolved = useMemo(() => (typeof option === "function" ? (width > 0 ? option({ width, height }) : null) : option), [option, width, height]);

  useEffect(() => {
    const c = chart.current;
    const el = box.current;
    if (!c || !el || !resolved) return;
    c.resize();
    const t0 = performance.now();
    c.setOption(resolved, { notMerge: true });
    el.dataset.renderMs = (performance.now() - t0).toFixed(1);
  }, [resolved]);

  return <div ref={box} role="img" aria-label={label} data-testid={testId} style={{ height }} className="w-full" />;
}
