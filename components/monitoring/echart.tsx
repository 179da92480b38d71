"use client";
/**
 * One Apache ECharts chart (canvas renderer, only the chart types and
 * components the monitoring page draws: ECharts is tree-shaken through
 * `echarts/core` and loaded with this page only). The option is set without
 * merging whenever it changes (the page memoises it), the chart follows its
 * box's size, and the time the last `setOption` took is kept on the element
 * (`data-render-ms`) for the performance check.
 */
import { useEffect, useRef } from "react";
import * as echarts from "echarts/core";
import { BarChart, HeatmapChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;
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
  option: ChartOption;
  height: number;
  /** The chart's accessible name (a canvas has no text of its own). */
  label: string;
  onClick?: (e: ChartClick) => void;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  useEffect(() => {
    click.current = onClick;
  }, [onClick]);

  useEffect(() => {
    const el = box.current!;
    const c = echarts.init(el, null, { renderer: "canvas" });
    chart.current = c;
    c.on("click", (e) => click.current?.({ seriesIndex: e.seriesIndex, dataIndex: e.dataIndex, value: e.value }));
    const resize = new ResizeObserver(() => c.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      // A large chart paints over several frames; an empty repaint first makes the
      // frames still queued stand down (zrender would paint them into the disposed chart).
      c.clear();
      c.getZr().refreshImmediately();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    const el = box.current;
    if (!c || !el) return;
    const t0 = performance.now();
    c.setOption(option, { notMerge: true });
    el.dataset.renderMs = (performance.now() - t0).toFixed(1);
  }, [option]);

  useEffect(() => {
    chart.current?.resize();
  }, [height]);

  return <div ref={box} role="img" aria-label={label} data-testid={testId} style={{ height }} className="w-full" />;
}
