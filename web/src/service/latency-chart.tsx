import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LatencyFragment } from '../generated/graphql';

export interface CheckPoint {
  /** Seconds since the epoch. */
  t: number;
  latencyMs: number | null;
  ok: boolean;
}

interface ChartProps {
  points: CheckPoint[];
  stats: LatencyFragment | null | undefined;
  label: string;
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/**
 * uPlot (≈ 20 KiB gzip, canvas, redraws thousands of points in a millisecond or two): the live
 * checks as a line, and the window's p50/p95/p99 from the rollups as flat reference lines.
 */
export function LatencyChart({ points, stats, label }: ChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot>();

  useEffect(() => {
    const element = container.current!;
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        scales: {
          x: { time: true, auto: false },
          y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] },
        },
        axes: [
          { stroke: css('--muted'), grid: { stroke: css('--grid') } },
          {
            stroke: css('--muted'),
            grid: { stroke: css('--grid') },
            values: (_u, ticks) => ticks.map((v) => `${v} ms`),
            size: 64,
          },
        ],
        series: [
          {},
          { label: 'check', stroke: css('--accent'), width: 2, points: { show: true, size: 4 } },
          { label: 'p50', stroke: css('--ok'), dash: [4, 4] },
          { label: 'p95', stroke: css('--warn'), dash: [6, 3] },
          { label: 'p99', stroke: css('--bad'), dash: [2, 2] },
        ],
        legend: { show: true },
      },
      [[], [], [], [], []],
      element,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, []);

  useEffect(() => {
    const times = points.map((p) => p.t);
    const flat = (value: number | null | undefined) => times.map(() => value ?? null);
    const plot = chart.current;
    if (!plot) return;
    plot.setData([times, points.map((p) => p.latencyMs), flat(stats?.p50Ms), flat(stats?.p95Ms), flat(stats?.p99Ms)]);
    // At least the last minute on the axis: a lone point would otherwise stretch it over years.
    const last = times[times.length - 1] ?? Date.now() / 1000;
    plot.setScale('x', { min: Math.min(times[0] ?? last, last - 60), max: last + 1 });
  }, [points, stats]);

  return <div ref={container} class="chart" role="img" aria-label={label} />;
}
