// The shipped Linux 6.1 guest (resources/guests/linux/vmlinux.gz): how long a
// boot to /init and on to power-off takes in the lab and on QEMU TCG in the
// same run (issue 12's target: within 1.5x QEMU's host time), and what a boot
// costs in exits, by reason, under the Power ISA 2.06 preset and with nothing
// duplicated; and the multiprocessor build (vmlinux-smp.gz) with 2 and 4
// vCPUs against QEMU -smp N.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig, type PresetId } from '../src/shared/hw';
import { COUNTERS } from '../src/shared/stats';
import { runElf } from '../src/main/guest/run';
import { readGuestImage } from '../src/main/lab/images';
import { bundleLab } from '../scripts/bundle-lab.mjs';
import { LabSession } from '../src/main/lab/session';
import { forgetCompiledRegions, guestPath, line, median, pairRatios, type Print, qemuAvailable, sleep, spread, translationFigures, until } from './util';

/** The kernel prints this as it starts /init. */
const AT_INIT = 'Run /init as init process';
/** Boot, then /init powers the board off at once. */
const BOOTARGS = 'console=ttyS0 printk.time=0 labinit="poweroff"';
const RAM_MB = 128;

interface Boot { toInitS: number; totalS: number; insns: number; initInsns: number }

function labBoot(elf: Uint8Array, model: 'native' | 'booke-hv' = 'native', preset: PresetId = 'isa206', smp = 1) {
  let text = '';
  let initS = Number.NaN;
  let initInsns = Number.NaN;
  let seen = false;
  const t0 = performance.now();
  const r = runElf(elf, {
    ramMb: RAM_MB, bootargs: BOOTARGS, model, hw: presetConfig(preset), maxInsns: 2e9, smp,
    onOutput: (b) => {
      if (seen) return;
      text += Buffer.from(b).toString('latin1');
      if (text.includes(AT_INIT)) { seen = true; initS = (performance.now() - t0) / 1000; }
    },
    onSlice: (_hv, m) => { if (seen && Number.isNaN(initInsns)) initInsns = m.insns; },
  });
  const totalS = (performance.now() - t0) / 1000;
  if (r.reason !== 'poweroff') throw new Error(`linux in the lab: ${r.reason} ${r.message ?? ''}`);
  return { boot: { toInitS: initS, totalS, insns: r.insns, initInsns } satisfies Boot, result: r };
}

/** The bundled `lab run` in a fresh process, as a user starts it: wall clock to power-off (start-up and V8 warm-up included). */
function labCliSeconds(): number {
  const cli = process.env.LAB_CLI_SCRIPT;
  if (!cli) throw new Error('LAB_CLI_SCRIPT is not set (npm run bench sets it)');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', 'linux', '--ram', String(RAM_MB), '--append', BOOTARGS], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`lab run linux ended with status ${r.status}`);
  return (performance.now() - t0) / 1000;
}

/** How long before its first guest the benchmark's session starts (the app's starts with its window): its spare thread warms up meanwhile. */
const SESSION_LEAD_MS = 1500;

/**
 * As the app boots it: in a session made as the app makes it (a warm spare
 * guest thread, guest-threads.ts), a Linux guest from createGuest to the
 * guest halted at power-off, in host seconds; then, after it is removed, a
 * second one, on the thread the first gave back.
 */
async function sessionBootSeconds(workerScript: string): Promise<{ first: number; next: number; warmedUp: boolean; warmUpMs: number }> {
  // The app's main thread runs no guest: nothing compiled here may help the worker (V8 shares modules across threads).
  forgetCompiledRegions();
  const session = new LabSession({ workerScript, spareThread: true });
  const boot = async () => {
    const t0 = performance.now();
    const g = await session.createGuest({ image: 'linux', model: 'native', ramMb: RAM_MB, bootargs: BOOTARGS });
    await until(() => session.listGuests().find((x) => x.id === g.id)?.state === 'halted', 'the session\'s Linux guest to power off');
    const s = (performance.now() - t0) / 1000;
    const info = session.listGuests().find((x) => x.id === g.id)!;
    if (info.reason !== 'the guest powered off') throw new Error(`linux in a session: ${info.reason ?? info.state}`);
    await session.removeGuest(g.id);
    return s;
  };
  try {
    await sleep(SESSION_LEAD_MS);
    // Whether the spare's machine warm-up (guest/machine-warmup.ts) was over before the first guest came.
    const done = session.spareWarmUps().find((w) => !w.abandoned && w.error === undefined);
    const first = await boot();
    const next = await boot();
    const threads = session.guestThreadCounts();
    if (threads.started !== 1 || threads.reused !== 2) throw new Error(`the session's guests did not run on its spare thread: ${JSON.stringify(threads)}`);
    return { first, next, warmedUp: done !== undefined, warmUpMs: done?.ms ?? Number.NaN };
  } finally {
    await session.shutdown();
  }
}

/** QEMU TCG (no icount), wall clock to the /init line and to its exit at power-off. */
function qemuBoot(vmlinux: string, smp = 1): Promise<{ toInitS: number; totalS: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let initS = Number.NaN;
    let out = '';
    const child = spawn('qemu-system-ppc', ['-M', 'ppce500', '-cpu', 'e500mc', '-m', String(RAM_MB), '-display', 'none',
      '-monitor', 'none', '-serial', 'stdio', '-nic', 'none', '-no-reboot', '-smp', String(smp), '-kernel', vmlinux, '-append', BOOTARGS], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      if (!Number.isNaN(initS)) return;
      out += d.toString('latin1');
      if (out.includes(AT_INIT)) initS = (performance.now() - t0) / 1000;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0) reject(new Error(`QEMU ended with status ${status}`));
      else resolve({ toInitS: initS, totalS: (performance.now() - t0) / 1000 });
    });
  });
}

/** A shipped kernel image, or null after printing why the figures named `figure` are not available. */
function kernelImage(file: string, figure: string, print: Print): Uint8Array | null {
  try {
    return readGuestImage(guestPath(file));
  } catch (e) {
    print(`${figure} n/a # ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

export async function linuxBenchmarks(print: Print = (l) => console.log(l)): Promise<void> {
  const elf = kernelImage('linux/vmlinux.gz', 'linux.boot', print);
  if (elf === null) return;
  const dir = qemuAvailable() ? mkdtempSync(join(tmpdir(), 'lab-bench-linux-')) : null;
  try {
    const vmlinux = dir === null ? null : join(dir, 'vmlinux');
    if (vmlinux !== null) writeFileSync(vmlinux, elf);
    await uniprocessorBoots(elf, vmlinux, print);
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
  await smpBoots(print);

  for (const preset of ['isa206', 'none'] as const) {
    const { boot, result } = labBoot(elf, 'booke-hv', preset);
    const counters = result.stats.counters;
    print(line(`linux.hv.${preset}.poweroff_s`, boot.totalS, 2, `host seconds to power-off under booke-hv, preset ${preset}`));
    print(line(`linux.hv.${preset}.exits`, result.stats.exits, 0, `exits in one boot to power-off under booke-hv, preset ${preset}`));
    for (const c of COUNTERS) {
      const n = counters[c.id]?.total ?? 0;
      if (n > 0) print(line(`linux.hv.${preset}.${c.id}`, n, 0, c.label));
    }
  }
}

/**
 * The uniprocessor kernel in the lab (in this process, in a fresh `lab run`
 * process, in a session as the app boots it) and on QEMU: each lab figure's
 * runs alternate with QEMU boots, and each ratio is the median of the pairs'
 * (the VM's speed swings by a third between spells: a pair sees one spell).
 */
async function uniprocessorBoots(elf: Uint8Array, vmlinux: string | null, print: Print): Promise<void> {
  const qemuBoots: { toInitS: number; totalS: number }[] = [];
  /** A QEMU boot now, its seconds to power-off (NaN without QEMU). */
  const qemuNow = async (): Promise<number> => {
    if (vmlinux === null) return Number.NaN;
    const b = await qemuBoot(vmlinux);
    qemuBoots.push(b);
    return b.totalS;
  };
  // The first boot in this process finds V8's code for the kernel's paths cold and its regions not yet compiled
  // (the thread keeps compiled region modules by their bytes, cpu/wasm-modules.ts, so a later boot of the same
  // kernel finds them, as a session's reboot or an experiment's next run does); it is reported on its own, and
  // the warm figure is the median of the three boots after it.
  const first = labBoot(elf).boot;
  await qemuNow();
  const runs: Boot[] = [];
  const qWarm: number[] = [];
  for (let k = 0; k < 3; k++) {
    runs.push(labBoot(elf).boot);
    qWarm.push(await qemuNow());
  }
  const lab = { toInitS: median(runs.map((b) => b.toInitS)), totalS: median(runs.map((b) => b.totalS)) };
  print(line('linux.boot_minsns', runs[0]!.initInsns / 1e6, 1, 'guest instructions (M) to the kernel starting /init (within a slice)'));
  print(line('linux.poweroff_minsns', runs[0]!.insns / 1e6, 1, 'guest instructions (M) to power-off: boot, /init, poweroff'));
  print(line('linux.lab_to_init_s', lab.toInitS, 2, 'host seconds in the lab to /init, native, median of 3'));
  print(line('linux.lab_first_poweroff_s', first.totalS, 2, 'host seconds in the lab to power-off, the first boot of this kernel in this process'));
  print(line('linux.lab_poweroff_s', lab.totalS, 2, `host seconds in the lab to power-off, native, median of the 3 boots after the first (${spread(runs.map((b) => b.totalS), 2)})`));
  print(line('linux.lab_mips', runs[0]!.insns / lab.totalS / 1e6, 1, 'guest MIPS over the whole boot'));
  translationFigures('linux', print, () => {
    const { boot, result } = labBoot(elf);
    return { seconds: boot.totalS, result };
  });
  const cold: number[] = [];
  const qCold: number[] = [];
  for (let k = 0; k < 3; k++) {
    cold.push(labCliSeconds());
    qCold.push(await qemuNow());
  }
  print(line('linux.lab_cli_poweroff_s', median(cold), 2, `host seconds of \`lab run linux\` in a fresh process to power-off (process start and V8 warm-up included, as QEMU's figure), median of 3 (${spread(cold, 2)})`));
  const { worker } = await bundleLab();
  const sessions: { first: number; next: number; warmedUp: boolean; warmUpMs: number }[] = [];
  const qSession: number[] = [];
  for (let k = 0; k < 3; k++) {
    sessions.push(await sessionBootSeconds(worker));
    qSession.push(await qemuNow());
  }
  const session = median(sessions.map((b) => b.first));
  const sessionNext = median(sessions.map((b) => b.next));
  const warmed = sessions.filter((b) => b.warmedUp);
  print(line('linux.session_poweroff_s', session, 2, `host seconds from createGuest to power-off of a session's first Linux guest (on the spare thread the session warmed up, as the app's does, ${SESSION_LEAD_MS} ms after the session started: its machine warm-up was over in ${warmed.length} of 3${warmed.length > 0 ? `, after ${median(warmed.map((b) => b.warmUpMs)).toFixed(0)} ms` : ''}), median of 3 sessions (${spread(sessions.map((b) => b.first), 2)})`));
  print(line('linux.session_next_poweroff_s', sessionNext, 2, `the same for the session's next Linux guest, on the thread the first gave back, median of 3 (${spread(sessions.map((b) => b.next), 2)})`));

  if (vmlinux === null) {
    print('linux.qemu_poweroff_s n/a # qemu-system-ppc is not installed');
    return;
  }
  const qemu = { toInitS: median(qemuBoots.map((b) => b.toInitS)), totalS: median(qemuBoots.map((b) => b.totalS)) };
  const n = qemuBoots.length;
  print(line('linux.qemu_to_init_s', qemu.toInitS, 2, `host seconds on QEMU 7.2 TCG to /init (process start included), median of ${n}`));
  print(line('linux.qemu_poweroff_s', qemu.totalS, 2, `host seconds on QEMU TCG to power-off, median of the ${n} boots made between the lab's (${spread(qemuBoots.map((b) => b.totalS), 2)})`));
  print(line('linux.lab_first_over_qemu_time', first.totalS / qemu.totalS, 2, `lab host time (in-process, the first boot) / QEMU host time to power-off (the median of all ${n})`));
  /** A lab figure whose runs each had a QEMU boot right after them: the median of the pairs' ratios. */
  const paired = (name: string, what: string, lab: readonly number[], q: readonly number[]) => {
    const ratios = pairRatios(lab, q);
    print(line(name, median(ratios), 2, `${what}, the median of the pairs' ratios (${spread(ratios, 2, 'pairs run back to back')})`));
  };
  paired('linux.lab_over_qemu_time', 'lab host time (in-process, warm: boots 2-4) / QEMU host time to power-off', runs.map((b) => b.totalS), qWarm);
  paired('linux.lab_cli_over_qemu_time', 'fresh `lab run` / fresh QEMU, to power-off (target <= 1.5)', cold, qCold);
  paired('linux.session_over_qemu_time', 'a session\'s first Linux guest (linux.session_poweroff_s) / fresh QEMU, to power-off', sessions.map((b) => b.first), qSession);
  paired('linux.session_next_over_qemu_time', 'a session\'s next Linux guest (linux.session_next_poweroff_s) / fresh QEMU, to power-off', sessions.map((b) => b.next), qSession);
}

/** The multiprocessor kernel with 2 and 4 vCPUs: host time to power-off in the lab (in-process) and on QEMU -smp N, medians of 3. */
async function smpBoots(print: Print): Promise<void> {
  const elf = kernelImage('linux/vmlinux-smp.gz', 'linux.smp', print);
  if (elf === null) return;
  const dir = qemuAvailable() ? mkdtempSync(join(tmpdir(), 'lab-bench-linux-smp-')) : null;
  try {
    const vmlinux = dir === null ? null : join(dir, 'vmlinux');
    if (vmlinux !== null) writeFileSync(vmlinux, elf);
    for (const smp of [2, 4]) {
      const runs = [0, 1, 2].map(() => labBoot(elf, 'native', 'isa206', smp));
      const labS = median(runs.map((r) => r.boot.totalS));
      const perVcpu = runs[0]!.result.machine.cpus.map((c) => (c.insns / 1e6).toFixed(1)).join(' / ');
      print(line(`linux.smp${smp}.poweroff_minsns`, runs[0]!.boot.insns / 1e6, 1, `guest instructions (M) to power-off with ${smp} vCPUs, all vCPUs (${perVcpu} per vCPU)`));
      print(line(`linux.smp${smp}.lab_poweroff_s`, labS, 2, `host seconds in the lab to power-off with ${smp} vCPUs, native, median of 3`));
      if (vmlinux === null) continue;
      const q: number[] = [];
      for (let k = 0; k < 3; k++) q.push((await qemuBoot(vmlinux, smp)).totalS);
      const qemuS = median(q);
      print(line(`linux.smp${smp}.qemu_poweroff_s`, qemuS, 2, `host seconds on QEMU TCG -smp ${smp} to power-off (process start included), median of 3`));
      print(line(`linux.smp${smp}.lab_over_qemu_time`, labS / qemuS, 2, `lab host time (in-process, warm) / QEMU host time, ${smp} vCPUs`));
    }
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}
