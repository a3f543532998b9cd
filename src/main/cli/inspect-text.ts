// The inspector's views as text for the `lab session` script steps (regs,
// tlb, x): the same facts the app's inspector panel shows, laid out for a
// terminal. Pure functions of the LabApi's results.

import { hex32, hex8 as h8, type InspectorState, type MemoryView, MSR_BITS, type StopInfo, type TlbEntryView, type TlbView, VALUE_HOMES } from '../../shared/debug';

export function stopText(name: string, stop: StopInfo): string {
  return `${name}: ${stop.text} (${stop.insns} instructions)\n`;
}

export function registersText(s: InspectorState): string {
  const mark = (k: string) => (s.changed.includes(k) ? '*' : ' ');
  const lines: string[] = [];
  lines.push(`vCPU ${s.vcpu} (${s.model})${s.stop ? `: ${s.stop.text}` : s.running ? ': running' : ''}; ${s.insns} instructions; * = changed since the last stop`);
  for (let row = 0; row < 8; row++) {
    lines.push([0, 8, 16, 24].map((c) => {
      const i = row + c;
      return `${`r${i}`.padStart(3)}${mark(`r${i}`)}${h8(s.gpr[i]!)}`;
    }).join('  '));
  }
  const msrBits = MSR_BITS.filter((b) => (s.msr & b.mask) !== 0).map((b) => b.name).join(' ') || '-';
  lines.push(` pc${mark('pc')}${h8(s.pc)}  msr${mark('msr')}${h8(s.msr)} [${msrBits}]  cr${mark('cr')}${h8(s.cr)}  xer${mark('xer')}${h8(s.xer)}`);
  lines.push(` lr${mark('lr')}${h8(s.lr)}  ctr${mark('ctr')}${h8(s.ctr)}  fpscr${mark('fpscr')}${h8(s.fpscr)}`);
  lines.push('SPR        value     where the guest value lives');
  for (const r of s.sprs) {
    const value = r.value === null ? '-'.padEnd(8) : h8(r.value);
    lines.push(`${r.name.padEnd(9)}${mark(r.name)}${value}  ${VALUE_HOMES[r.home].label}: ${r.where}`);
  }
  return `${lines.join('\n')}\n`;
}

function entryText(e: TlbEntryView): string {
  const size = e.size >= 1 << 20 ? `${e.size / (1 << 20)}M` : `${e.size / 1024}K`;
  const owner = e.shadows === undefined ? '' : e.shadows === null ? '  (owner unknown)' : `  shadows TLB${e.shadows.tlb}[${e.shadows.index}]`;
  const hv = e.tgs === undefined ? '' : ` TGS LPID ${e.tlpid}`;
  return `  TLB${e.tlb}[${String(e.index).padStart(3)}] ${h8(e.epn)} -> ${e.rpn.toString(16).padStart(9, '0')} ${size.padStart(5)} AS${e.ts} TID ${String(e.tid).padStart(3)}${e.iprot ? ' IPROT' : '      '} ${e.perms.padEnd(17)} ${e.wimge.padEnd(5)}${hv}${owner}`;
}

export function tlbText(t: TlbView): string {
  const lines = [`guest TLB (PID ${t.pid}): ${t.guest.length} valid entries`, ...t.guest.map(entryText)];
  if (t.lpid !== 0 || t.shadow.length > 0) lines.push(`shadow entries in hardware (LPID ${t.lpid}): ${t.shadow.length}`, ...t.shadow.map(entryText));
  return `${lines.join('\n')}\n`;
}

export function memoryText(m: MemoryView): string {
  return `${m.lines.map((l) => `  ${hex32(l.address)}  ${l.word === null ? '--------' : h8(l.word)}  ${l.disassembly}`).join('\n')}\n`;
}
