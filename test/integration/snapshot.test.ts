// Snapshots (link/snapshot.ts): a guest saved at any instruction and
// restored into a fresh machine continues exactly as the original did (the
// same console from that point, the same counters and instruction count),
// natively and under the hypervisor, for labOS and for Linux; a snapshot
// restores under another hardware configuration (a sweep's starting point);
// damaged, truncated, foreign and mismatched files are refused with a clear
// reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GuestModel } from '../../src/shared/api';
import { presetConfig } from '../../src/shared/hw';
import { COUNTERS } from '../../src/shared/stats';
import { counterSlot, H } from '../../src/main/link/stats';
import { readGuestImage } from '../../src/main/lab/images';
import { prepareRun, type RunOptions, type RunResult, runElf } from '../../src/main/guest/run';
import { captureRam, decodeSnapshot, encodeSnapshot, type Snapshot, SnapshotError } from '../../src/main/link/snapshot';

const REPO = join(__dirname, '..', '..');
const LABOS = new Uint8Array(readFileSync(join(REPO, 'resources/guests/labos/labos.elf')));
const HELLO = new Uint8Array(readFileSync(join(REPO, 'resources/guests/hello/hello.elf')));

/** Everything deterministic about a run's end: counters, cycles, exits, instructions. */
function counts(r: RunResult): Record<string, number> {
  const s = r.statsBlock;
  const out: Record<string, number> = { insns: r.insns, cycles: s[H.cycles]!, exits: s[H.exits]!, hvCycles: s[H.hvCycles]! };
  for (const c of COUNTERS) out[c.id] = s[counterSlot(c.id)]!;
  return out;
}

/** Runs to the end, saving a snapshot on the way; returns the run, the snapshot and the console length at that point. */
function runSaving(elf: Uint8Array, opts: RunOptions, at: { insns: number } | { marker: string }) {
  let written = 0;
  let snap: Snapshot | null = null;
  let consoleAt = -1;
  const full = runElf(elf, {
    ...opts,
    onOutput: (b) => { written += b.length; },
    saveSnapshot: { at, save: (s) => { snap = s; consoleAt = written; } },
  });
  if (!snap) throw new Error('no snapshot was taken');
  return { full, snap: snap as Snapshot, consoleAt };
}

describe('snapshots', () => {
  for (const model of ['native', 'booke-hv', 'state-transfer', 'trap-and-emulate'] as GuestModel[]) {
    it(`labOS (${model}) continues from a snapshot exactly as the original run did`, () => {
      const opts: RunOptions = { model, bootargs: 'run hello; bench null_syscall; poweroff', imageName: 'labos' };
      const total = runElf(LABOS, opts).insns;
      for (const insns of [1, Math.floor(total * 0.3), Math.floor(total * 0.9)]) {
        const { full, snap, consoleAt } = runSaving(LABOS, opts, { insns });
        expect(snap.header.insns).toBe(insns);
        // Through the file format and back.
        const again = decodeSnapshot(encodeSnapshot(snap));
        const resumed = runElf(LABOS, { ...opts, snapshot: again });
        expect(resumed.reason).toBe(full.reason);
        expect(Buffer.from(resumed.console).toString('latin1')).toBe(Buffer.from(full.console.subarray(consoleAt)).toString('latin1'));
        expect(counts(resumed)).toEqual(counts(full));
      }
    });
  }

  it('Linux under booke-hv continues from a snapshot taken when /init starts', () => {
    const linux = readGuestImage(join(REPO, 'resources/guests/linux/vmlinux.gz'));
    const opts: RunOptions = { model: 'booke-hv', bootargs: 'console=ttyS0 labinit="uname -a; bench null_syscall; poweroff"', imageName: 'linux' };
    const { full, snap, consoleAt } = runSaving(linux, opts, { marker: 'Run /init as init process' });
    expect(full.reason).toBe('poweroff');
    const text = Buffer.from(full.console.subarray(0, consoleAt)).toString('latin1');
    expect(text).toContain('Run /init as init process');
    const resumed = runElf(linux, { ...opts, snapshot: decodeSnapshot(encodeSnapshot(snap)) });
    expect(Buffer.from(resumed.console).toString('latin1')).toBe(Buffer.from(full.console.subarray(consoleAt)).toString('latin1'));
    expect(counts(resumed)).toEqual(counts(full));
  }, 120_000);

  it('reads only written pages, and the bus\'s map of them misses no page that holds data', () => {
    // Every way a guest writes RAM (interpreted and translated stores, dcbz, string and multiple stores, the
    // hypervisor's paravirtual page, the loader) must mark its page: a page left out would vanish from snapshots.
    const linux = readGuestImage(join(REPO, 'resources/guests/linux/vmlinux.gz'));
    const runs: [string, RunResult][] = [
      ['labOS native', runElf(LABOS, { bootargs: 'run hello; bench; poweroff' })],
      ['labOS trap-and-emulate, PV page', runElf(LABOS, { model: 'trap-and-emulate', bootargs: 'pv=on; bench null_syscall; poweroff' })],
      ['Linux booke-hv', runElf(linux, { model: 'booke-hv', bootargs: 'console=ttyS0 labinit="bench null_syscall; poweroff"' })],
    ];
    const { snap } = runSaving(LABOS, { bootargs: 'run hello; poweroff' }, { marker: 'labos> ' });
    runs.push(['labOS from a snapshot', runElf(LABOS, { bootargs: 'run hello; poweroff', snapshot: snap })]);
    for (const [what, r] of runs) {
      const bus = r.machine.bus;
      const all = captureRam(bus.ram8);
      const mapped = captureRam(bus.ram8, bus.written);
      expect([...mapped.pages], what).toEqual([...all.pages]);
      expect(Buffer.from(mapped.data).equals(Buffer.from(all.data)), what).toBe(true);
      // The map is far from all of RAM (what the capture saves reading).
      expect(bus.written.reduce((n, b) => n + b, 0), what).toBeLessThan(bus.written.length / 2);
    }
  }, 120_000);

  it('restores under another hardware configuration: the same guest output, the new configuration\'s exits', () => {
    const opts: RunOptions = { model: 'booke-hv', bootargs: 'run hello; poweroff', imageName: 'labos' };
    const { full, snap, consoleAt } = runSaving(LABOS, opts, { marker: 'labos> ' });
    const none = runElf(LABOS, { ...opts, hw: presetConfig('none'), snapshot: snap });
    expect(Buffer.from(none.console).toString('latin1')).toBe(Buffer.from(full.console.subarray(consoleAt)).toString('latin1'));
    // Nothing duplicated: every SPR access after the snapshot traps.
    expect(none.statsBlock[counterSlot('emulated_inst_exits')]!).toBeGreaterThan(full.statsBlock[counterSlot('emulated_inst_exits')]!);
  });

  it('refuses damaged, truncated, foreign and mismatched snapshots with the reason', () => {
    const opts: RunOptions = { model: 'booke-hv', bootargs: 'poweroff', imageName: 'labos' };
    const { snap } = runSaving(LABOS, opts, { insns: 100_000 });
    const bytes = encodeSnapshot(snap);
    expect(() => decodeSnapshot(bytes.subarray(0, 6))).toThrow(/not a Hypervisor Lab snapshot/);
    expect(() => decodeSnapshot(new TextEncoder().encode('{"just":"json"}'))).toThrow(/not a Hypervisor Lab snapshot/);
    const future = bytes.slice();
    future[8] = 9;
    expect(() => decodeSnapshot(future)).toThrow(/version 9 snapshot; this lab reads version 1/);
    expect(() => decodeSnapshot(bytes.subarray(0, 40))).toThrow(/truncated/);
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated or damaged|damaged/);
    const flipped = bytes.slice();
    flipped[flipped.length - 20] ^= 0xFF;
    expect(() => decodeSnapshot(flipped)).toThrow(SnapshotError);
    const header = bytes.slice();
    header[20] = 0x7B;
    expect(() => decodeSnapshot(header)).toThrow(/damaged header/);
    // A snapshot of one image, model or RAM size does not restore into another.
    expect(() => prepareRun(HELLO, { ...opts, imageName: 'hello', snapshot: snap })).toThrow(/taken of image labos .*not hello/);
    expect(() => prepareRun(LABOS, { ...opts, model: 'native', snapshot: snap })).toThrow(/booke-hv model, not native/);
    expect(() => prepareRun(LABOS, { ...opts, ramMb: 256, snapshot: snap })).toThrow(/128 MB of RAM, this guest 256 MB/);
  });
});
