// The device tree the lab gives a native guest against the one QEMU's ppce500
// generates (dumpdtb) for the same image, both decompiled by dtc: the same
// nodes in the same order, with the same properties and values, except the
// differences listed here with their reasons. The lists are exact, so closing a difference (or
// opening a new one) fails the test until the list is brought up to date.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDtb } from '../../src/main/devices/fdt';
import { Machine } from '../../src/main/guest/machine';
import { QEMU, qemuAvailable } from '../support/qemu';
import { missing } from '../support/tools';

const HELLO = join(__dirname, '..', '..', 'resources', 'guests', 'hello', 'hello.elf');

/** Values that differ, as `path:property`. */
const DIFFERENT_VALUES = [
  // QEMU passes fresh random bytes each boot; the lab passes the same bytes
  // every time (runs stay reproducible).
  '/chosen:rng-seed',
];
/** Properties only QEMU has. */
const QEMU_ONLY_PROPERTIES: string[] = [];
/** Nodes only QEMU has (devices the lab does not model would be left out rather than wrong). */
const QEMU_ONLY_NODES: string[] = [];

type Tree = Map<string, Map<string, string>>;

/** Nodes (by path) and their properties (raw dts text) from dtc's output. */
function parseDts(text: string): Tree {
  const tree: Tree = new Map();
  const path: string[] = [];
  const here = () => (path.length === 0 ? '/' : `/${path.join('/')}`);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('/dts-v1/')) continue;
    const open = /^(\S+) \{$/.exec(line);
    if (open) {
      if (open[1] !== '/') path.push(open[1]!);
      tree.set(here(), new Map());
      continue;
    }
    if (line === '};') {
      path.pop();
      continue;
    }
    const prop = /^([^=;\s]+)(?: = (.*))?;$/.exec(line);
    if (!prop) throw new Error(`unexpected dts line: ${line}`);
    tree.get(here())!.set(prop[1]!, prop[2] ?? '');
  }
  return tree;
}

function decompile(dtb: string): string {
  const r = spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', dtb], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dtc: ${r.stderr}`);
  return r.stdout;
}

const dtcAvailable = spawnSync('dtc', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()) || missing('dtc', dtcAvailable))('device tree: the lab against QEMU', () => {
  it.each([1, 4])('matches QEMU\'s for every modelled device with %i vCPU(s); the differences are the listed ones', (smp) => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-dt-'));
    try {
      const qemuDtb = join(dir, 'qemu.dtb');
      const q = spawnSync(QEMU, ['-M', `ppce500,dumpdtb=${qemuDtb}`, '-cpu', 'e500mc', '-m', '128', '-smp', String(smp), '-nic', 'none',
        '-display', 'none', '-kernel', HELLO], { encoding: 'utf8' });
      expect(q.status, q.stderr).toBe(0);
      const labDtb = join(dir, 'lab.dtb');
      const machine = new Machine({ console: { write: () => {}, ready: () => true }, ramMb: 128, smp });
      machine.load(new Uint8Array(readFileSync(HELLO)));
      writeFileSync(labDtb, buildDtb(machine.deviceTree()));
      const qemu = parseDts(decompile(qemuDtb));
      const lab = parseDts(decompile(labDtb));
      expect([...lab.keys()].filter((p) => p.startsWith('/cpus/')).length).toBe(smp);

      // Same order too: firmware binds devices in tree order (U-Boot numbers them so).
      expect([...lab.keys()].filter((p) => qemu.has(p))).toEqual([...qemu.keys()].filter((p) => lab.has(p)));
      const labOnlyNodes = [...lab.keys()].filter((p) => !qemu.has(p));
      expect(labOnlyNodes, 'nodes QEMU does not have').toEqual([]);
      expect([...qemu.keys()].filter((p) => !lab.has(p)).sort()).toEqual([...QEMU_ONLY_NODES].sort());

      const different: string[] = [];
      const labOnlyProps: string[] = [];
      const qemuOnlyProps: string[] = [];
      for (const [path, props] of lab) {
        const theirs = qemu.get(path)!;
        for (const [k, v] of props) {
          if (!theirs.has(k)) labOnlyProps.push(`${path}:${k}`);
          else if (theirs.get(k) !== v) different.push(`${path}:${k}`);
        }
        for (const k of theirs.keys()) if (!props.has(k)) qemuOnlyProps.push(`${path}:${k}`);
      }
      expect(labOnlyProps, 'properties QEMU does not have').toEqual([]);
      expect(different.sort()).toEqual([...DIFFERENT_VALUES].sort());
      expect(qemuOnlyProps.sort()).toEqual([...QEMU_ONLY_PROPERTIES].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
