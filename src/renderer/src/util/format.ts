// Number formatting for the lab's tables: fixed precision and grouping so a
// column keeps its width while the numbers change (tabular figures do the rest).

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567". */
export function fmtInt(n: number): string {
  return Number.isFinite(n) ? int.format(Math.round(n)) : '–';
}

/** A rate or count in engineering steps: 950, 12.3k, 4.56M, 1.20G (always 3 significant digits). */
export function fmtSi(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a < 1000) return a < 10 && a !== Math.round(a) ? n.toFixed(1) : String(Math.round(n));
  const units = ['k', 'M', 'G', 'T'];
  let v = n;
  let u = -1;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${units[u]}`;
}

/** 0.1234 -> "12.3" (no % sign; the column header carries it). */
export function fmtPct(share: number): string {
  if (!Number.isFinite(share)) return '–';
  return (share * 100).toFixed(1);
}

/** MIPS with two decimals below 10, one above. */
export function fmtMips(mips: number): string {
  if (!Number.isFinite(mips)) return '–';
  return mips < 10 ? mips.toFixed(2) : mips.toFixed(1);
}

export function fmtBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** "0x1F4" for SPR numbers and addresses. */
export function hex(n: number, width = 0): string {
  return `0x${(n >>> 0).toString(16).toUpperCase().padStart(width, '0')}`;
}

/** A 32-bit value as 8 lower-case hex digits, no prefix (register and memory views). */
export { hex8 as h8 } from '../../../shared/debug';

/** A typed address: hexadecimal, with or without 0x; NaN unless it is a 32-bit value. */
export function parseAddress(text: string): number {
  const t = text.trim();
  if (!/^(0x)?[0-9a-f]{1,8}$/i.test(t)) return Number.NaN;
  return parseInt(t.replace(/^0x/i, ''), 16);
}
