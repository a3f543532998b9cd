// Taking the live statistics out of the app: the counters of one guest or
// all of them as CSV or JSON, and each chart as PNG (its canvas) or SVG
// (drawn again from the chart's data, so it scales and edits cleanly).
// Files go through the browser's download (Electron shows its save dialog).

import type uPlot from 'uplot';
import type { GuestInfo } from '../../../shared/api';
import { COUNTERS, type GuestStatsSample, type StatsSnapshot } from '../../../shared/stats';

/** Offers `data` as a file download. */
export function download(fileName: string, mime: string, data: BlobPart): void {
  const url = URL.createObjectURL(new Blob([data], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface Row { guest: GuestInfo | undefined; sample: GuestStatsSample }

function rows(snapshot: StatsSnapshot, guests: readonly GuestInfo[], scope: string | 'all'): Row[] {
  return snapshot.guests
    .filter((s) => scope === 'all' || s.id === scope)
    .map((sample) => ({ guest: guests.find((g) => g.id === sample.id), sample }));
}

/**
 * CSV, one row per guest: who it is and under what, then the deterministic
 * figures (instructions, modeled cycles, exits, overhead, every counter),
 * then the host-time ones (MIPS, exit rate) last.
 */
export function countersCsv(snapshot: StatsSnapshot, guests: readonly GuestInfo[], scope: string | 'all'): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const head = ['guest', 'image', 'model', 'insns', 'cycles', 'hv_cycles', 'exits', 'overhead', ...COUNTERS.map((c) => c.id), ...COUNTERS.map((c) => `${c.id}_cycles`), 'mips', 'exit_rate'];
  const lines = rows(snapshot, guests, scope).map(({ guest, sample: s }) => [
    q(guest?.name ?? s.id), q(guest?.image ?? ''), guest?.model ?? '', s.insns, s.cycles, s.hvCycles, s.exits,
    (s.cycles > 0 ? s.hvCycles / s.cycles : 0).toFixed(6),
    ...COUNTERS.map((c) => s.counters[c.id]?.total ?? 0), ...COUNTERS.map((c) => s.counters[c.id]?.cycles ?? 0),
    s.mips.toFixed(3), s.exitRate.toFixed(1),
  ].join(','));
  return `${[head.join(','), ...lines].join('\n')}\n`;
}

export function countersJson(snapshot: StatsSnapshot, guests: readonly GuestInfo[], scope: string | 'all'): string {
  return `${JSON.stringify({
    sessionMs: snapshot.t,
    guests: rows(snapshot, guests, scope).map(({ guest, sample }) => ({
      name: guest?.name ?? sample.id, image: guest?.image, model: guest?.model, override: guest?.override ?? null, ...sample,
    })),
  }, null, 2)}\n`;
}

export function chartPng(u: uPlot, fileName: string): void {
  u.ctx.canvas.toBlob((blob) => { if (blob) download(fileName, 'image/png', blob); }, 'image/png');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The chart's visible series as an SVG document: polylines in the chart's current scales, axes' ends labelled, a legend. */
export function chartSvg(u: uPlot, title: string, yLabel: string): string {
  const W = 720;
  const H = 320;
  const L = 60;
  const R = 180;
  const T = 30;
  const B = 30;
  const x0 = u.scales.x!.min ?? 0;
  const x1 = u.scales.x!.max ?? 1;
  const y0 = u.scales.y!.min ?? 0;
  const y1 = u.scales.y!.max ?? 1;
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - T - B);
  const xs = u.data[0] as number[];
  const parts: string[] = [];
  const legend: string[] = [];
  u.series.forEach((s, i) => {
    if (i === 0 || !s.show) return;
    const ys = u.data[i] as (number | null)[];
    const stroke = typeof s.stroke === 'function' ? String(s.stroke(u, i)) : String(s.stroke ?? '#333');
    let d = '';
    let pen = false;
    xs.forEach((x, k) => {
      const y = ys[k];
      if (y === null || y === undefined || x < x0) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    });
    parts.push(`<path d="${d}" fill="none" stroke="${esc(stroke)}" stroke-width="${s.width ?? 1.5}"/>`);
    legend.push(`<rect x="${W - R + 12}" y="${T + legend.length * 18}" width="10" height="10" fill="${esc(stroke)}"/><text x="${W - R + 28}" y="${T + legend.length * 18 + 9}">${esc(String(s.label ?? `series ${i}`))}</text>`);
  });
  const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toExponential(2) : String(Math.round(v * 1000) / 1000));
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${L}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>
<text x="${L - 4}" y="${H - B}" text-anchor="end">${fmt(y0)}</text><text x="${L - 4}" y="${T + 8}" text-anchor="end">${fmt(y1)}</text>
<text x="12" y="${(T + H - B) / 2}" transform="rotate(-90 12 ${(T + H - B) / 2})" text-anchor="middle">${esc(yLabel)}</text>
<text x="${L}" y="${H - 10}">${fmt(x0)} s</text><text x="${W - R}" y="${H - 10}" text-anchor="end">${fmt(x1)} s (session time)</text>
${parts.join('\n')}
${legend.join('\n')}
</svg>
`;
}
