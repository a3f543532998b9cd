// uPlot, set up once per chart for streaming: the chart is created when its
// element mounts and lives until it unmounts; each statistics tick calls
// setData once with columns that StatsHistory mutates in place; a
// ResizeObserver keeps it sized to its box; colors come from the design
// tokens at draw time, so a theme switch only needs a redraw.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { onBeforeUnmount, onMounted, type Ref, shallowRef, watch } from 'vue';
import { cssVar, dark } from '../util/theme';

export const WINDOW_SECONDS = 60;

/** Axis and grid colors read from the current theme on every draw. */
export function axisStyle(): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks' | 'font'> {
  return {
    stroke: () => cssVar('--muted'),
    grid: { stroke: () => cssVar('--border'), width: 1 },
    ticks: { stroke: () => cssVar('--border'), width: 1, size: 4 },
    font: '11px system-ui, sans-serif',
  };
}

function mmss(s: number): string {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

/** The x axis: session time as m:ss, always the last WINDOW_SECONDS. */
export function timeAxis(): uPlot.Axis {
  return { ...axisStyle(), size: 24, space: 60, values: (_u, splits) => splits.map(mmss) };
}

export function timeScale(): uPlot.Scale {
  return { time: false, range: (_u, _min, max) => [Math.max(0, (max ?? 0) - WINDOW_SECONDS), Math.max(WINDOW_SECONDS, max ?? 0)] };
}

/**
 * Creates a chart in `el` when mounted, sized to the element; returns the
 * chart ref (null until mounted). `make` gives the options without size.
 */
export function useUPlot(el: Ref<HTMLElement | null>, make: () => Omit<uPlot.Options, 'width' | 'height'>, data: () => uPlot.AlignedData) {
  const chart = shallowRef<uPlot | null>(null);
  let observer: ResizeObserver | null = null;
  let frame = 0;

  const size = (box: HTMLElement) => ({ width: Math.max(120, Math.floor(box.clientWidth)), height: Math.max(60, Math.floor(box.clientHeight)) });

  onMounted(() => {
    const box = el.value;
    if (!box) return;
    chart.value = new uPlot({ ...make(), ...size(box) }, data(), box);
    observer = new ResizeObserver(() => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (chart.value && box.clientWidth > 0 && box.clientHeight > 0) chart.value.setSize(size(box));
      });
    });
    observer.observe(box);
  });

  const stop = watch(dark, () => chart.value?.redraw(false, true));

  onBeforeUnmount(() => {
    stop();
    observer?.disconnect();
    if (frame) cancelAnimationFrame(frame);
    chart.value?.destroy();
    chart.value = null;
  });

  return chart;
}
