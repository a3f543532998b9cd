// The end-of-session statistics: a kvm_stat-like table (Event, a column per
// guest, Total, %Total, Avg/s) and the same data as JSON for scripts. Every
// counter row comes from COUNTERS (src/shared/stats.ts): names are never
// typed here.

import type { GuestInfo } from '../../shared/api';
import { type CounterId, COUNTERS, type GuestStatsSample } from '../../shared/stats';
import { H, R } from '../link/stats';

export interface GuestReport {
  info: GuestInfo;
  sample: GuestStatsSample;
  /** The raw block (stats.ts layout), after any resetStats. */
  raw: Float64Array;
  /** A guest with several vCPUs, when known (lab run): each vCPU's instructions, exits and counters. */
  vcpus?: { insns: number; exits: number; counters: Partial<Record<CounterId, number>> }[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

function hostFigures(r: GuestReport, durationMs: number) {
  const busyMs = r.raw[H.hostBusyNs]! / 1e6;
  return {
    busyMs,
    idleMs: r.raw[H.hostIdleNs]! / 1e6,
    mips: busyMs > 0 ? r.sample.insns / busyMs / 1e3 : 0,
    busyShare: durationMs > 0 ? busyMs / durationMs : 0,
  };
}

function table(rows: string[][], rightFrom: number): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

export function statsTable(reports: readonly GuestReport[], durationMs: number): string {
  const secs = durationMs / 1000;
  const out: string[] = [`Statistics after ${secs.toFixed(1)} s of host time`, ''];
  const guestRows = [['Guest', 'Image', 'Model', 'State', 'Instructions', 'MIPS (busy)', 'Host busy', 'Slices', 'Sleeps', 'Console out']];
  for (const r of reports) {
    const h = hostFigures(r, durationMs);
    guestRows.push([
      r.info.name, r.info.image, r.info.model, r.info.state, int(r.sample.insns), h.mips.toFixed(1), pct(h.busyShare),
      int(r.raw[R.slices]!), int(r.raw[R.sleeps]!), int(r.raw[H.consoleOut]!),
    ]);
  }
  out.push(table(guestRows, 4), '');
  for (const r of reports) {
    const vcpus = r.vcpus;
    if (vcpus === undefined || vcpus.length < 2) continue;
    // Each vCPU's share: instructions, exits, and every counter it counted.
    const head = ['vCPU', ...vcpus.map((_, k) => `${r.info.name}/${k}`)];
    const rows = [head, ['Instructions', ...vcpus.map((v) => int(v.insns))], ['Exits', ...vcpus.map((v) => int(v.exits))]];
    for (const c of COUNTERS) {
      const per = vcpus.map((v) => v.counters[c.id] ?? 0);
      if (per.some((n) => n > 0)) rows.push([c.id, ...per.map(int)]);
    }
    out.push(table(rows, 1), '');
  }

  const names = reports.map((r) => r.info.name);
  const exitTotal = reports.reduce((n, r) => n + r.sample.exits, 0);
  const rows = [['Event', ...names, 'Total', '%Total', 'Avg/s']];
  let shown = 0;
  for (const c of COUNTERS) {
    const per = reports.map((r) => r.sample.counters[c.id].total);
    const total = per.reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    shown++;
    rows.push([c.id, ...per.map(int), int(total), c.exit && exitTotal > 0 ? (total / exitTotal * 100).toFixed(1) : '-', secs > 0 ? (total / secs).toFixed(1) : '-']);
  }
  rows.push(['Total exits', ...reports.map((r) => int(r.sample.exits)), int(exitTotal), exitTotal > 0 ? '100.0' : '-', secs > 0 ? (exitTotal / secs).toFixed(1) : '-']);
  out.push(table(rows, 1));
  if (shown === 0) out.push('(no exits or hypervisor events were counted)');
  return `${out.join('\n')}\n`;
}

export function statsJson(reports: readonly GuestReport[], durationMs: number): unknown {
  return {
    durationMs: Math.round(durationMs),
    guests: reports.map((r) => {
      const h = hostFigures(r, durationMs);
      const counters: Record<string, number> = {};
      for (const c of COUNTERS) counters[c.id] = r.sample.counters[c.id].total;
      return {
        id: r.info.id,
        name: r.info.name,
        image: r.info.image,
        model: r.info.model,
        state: r.info.state,
        ...(r.info.reason !== undefined ? { reason: r.info.reason } : {}),
        insns: r.sample.insns,
        cycles: r.sample.cycles,
        hvCycles: r.sample.hvCycles,
        exits: r.sample.exits,
        hostBusyMs: Math.round(h.busyMs),
        hostIdleMs: Math.round(h.idleMs),
        mipsBusy: Number(h.mips.toFixed(2)),
        slices: r.raw[R.slices]!,
        sleeps: r.raw[R.sleeps]!,
        consoleOut: r.raw[H.consoleOut]!,
        consoleIn: r.raw[H.consoleIn]!,
        counters,
        spr: r.sample.spr,
        ...(r.vcpus !== undefined ? { vcpus: r.vcpus } : {}),
      };
    }),
  };
}
