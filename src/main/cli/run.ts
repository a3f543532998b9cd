// `lab run <elf|image> [options]`: one guest, headless and deterministic
// (runElf), console to stdout, under any model and virtual hardware
// configuration, with the exit statistics on stderr. Input piped to stdin is
// typed on the console from the start; an interactive terminal is not read
// (use `lab session` for that). Exit status: 0 when the guest resets or
// powers off the board, else see exit-codes.ts.

import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { writeAtomically } from './atomic-write';
import { parseArgs } from 'node:util';
import { GUEST_MODELS, type GuestInfo, type GuestModel } from '../../shared/api';
import { applyHwPatch, type HwConfig, isPresetId, parsePolicyText, presetConfig, PRESETS } from '../../shared/hw';
import { LabFailure } from '../../shared/result';
import { H } from '../link/stats';
import { statsJson, statsTable } from './stats-table';
import { ElfError } from '../guest/elf';
import { prepareRun, runElf, type RunOptions, type RunResult } from '../guest/run';
import { decodeSnapshot, encodeSnapshot, type Snapshot, SnapshotError } from '../link/snapshot';
import { serveGdb } from './gdb-server';
import { guestImagePath, readGuestImage } from '../lab/images';
import { EXIT, UsageError } from './exit-codes';

export const RUN_USAGE = `Usage: lab run <elf-file|image-id> [--max-insns N] [--ram MB] [--smp N] [--bootargs|--append TEXT]
               [--model native|booke-hv|state-transfer|trap-and-emulate] [--preset isa206|none|all|x86]
               [--dup SPR,...] [--trap SPR,...] [--shared SPR,...] [--transfer SPR,...]
               [--direct INT,...] [--no-direct INT,...] [--policy KEY=VALUE,...]
               [--stats table|json] [--jit on|off|js] [--gdb PORT]
               [--save-snapshot FILE [--snapshot-at end|insns:N|marker:TEXT]]
       lab run [<elf-file|image-id>] --snapshot FILE [options]
  Runs one guest to completion, deterministically (idle time is skipped).
  The image is an ELF file, gzip-compressed or not (a Linux vmlinux as it is,
  or the bundled "linux"). --bootargs (or --append, as QEMU names it) becomes
  the device tree's /chosen/bootargs: the kernel command line. --smp N gives
  the guest N vCPUs (1-8, default 1): the boot vCPU and N-1 that wait in
  the ePAPR spin table, interleaved deterministically.
  The console goes to stdout; input piped to stdin is typed on the console.
  --model picks the virtualization model (default native); --preset the
  virtual hardware (default isa206); --dup/--trap/--shared/--transfer set
  single SPRs' strategies on top of it; --direct/--no-direct deliver an
  interrupt kind straight to the guest or through the hypervisor. --policy
  sets the hypervisor's choices (KVM's by default): injection=entry|exit,
  shared=exit|switch (when shared registers are saved), host-page=KB (the
  page size backing guest RAM, which bounds each shadow TLB entry). --stats
  prints the exit statistics on stderr when the guest stops (a kvm_stat-like
  table, or JSON for scripts). --gdb PORT starts the guest stopped and waits
  for GDB on 127.0.0.1:PORT (gdb-multiarch IMAGE.elf -ex 'target remote
  127.0.0.1:PORT'): registers, memory, breakpoints, step, continue, Ctrl-C.
  --save-snapshot FILE saves the whole guest (vCPU, TLBs, devices, the
  hypervisor's state and counters, RAM) when the run ends, after N
  instructions, or when TEXT first appears on the console (--snapshot-at).
  --snapshot FILE starts from one instead of booting: the same image (found
  from the snapshot when not given), RAM size and model; the hardware options
  may differ (without them the snapshot's configuration is kept).
  Exit status: 0 the guest reset or powered off the board; 2 bad image;
  3 --max-insns reached; 4 checkstop, watchdog or kernel panic; 5 the guest waits forever.`;

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number (got "${raw}")`);
  return n;
}

/** The virtual hardware from --preset and the per-register and per-interrupt options. */
function hardware(values: Record<string, string | string[] | boolean | undefined>): HwConfig {
  const preset = (values.preset as string | undefined) ?? 'isa206';
  if (!isPresetId(preset)) throw new UsageError(`unknown preset "${preset}". Presets: ${PRESETS.map((p) => p.id).join(', ')}`);
  const list = (key: string) => ((values[key] as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const strategies: Record<string, string> = {};
  for (const strategy of ['dup', 'trap', 'shared', 'transfer'] as const) {
    for (const spr of list(strategy)) strategies[spr.toUpperCase()] = strategy === 'dup' ? 'duplicate' : strategy;
  }
  const direct: Record<string, boolean> = {};
  for (const kind of list('direct')) direct[kind] = true;
  for (const kind of list('no-direct')) direct[kind] = false;
  try {
    const policy = parsePolicyText(list('policy').join(','));
    return applyHwPatch(presetConfig(preset), { strategies, direct, policy });
  } catch (e) {
    if (e instanceof LabFailure) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * A failure to build or load the machine: a bad image gets its exit status
 * (after saying why), a bad RAM size is a usage error, anything else is a bug.
 */
function loadFailure(e: unknown, path: string): number {
  if (e instanceof ElfError) {
    console.error(`lab run: ${path}: ${e.message}`);
    return EXIT.badImage;
  }
  if (e instanceof SnapshotError) {
    console.error(`lab run: the snapshot does not fit: ${e.message}`);
    return EXIT.badImage;
  }
  if (e instanceof Error && /^RAM must be/.test(e.message)) throw new UsageError(e.message);
  throw e;
}

/** The exit status for how the guest ended, saying why on stderr when it did not end well. */
function endStatus(reason: RunResult['reason'], message: string | undefined, insns: number): number {
  switch (reason) {
    case 'reset':
    case 'poweroff':
    case 'snapshot':
      return EXIT.ok;
    case 'max-insns':
      console.error(`lab run: stopped after ${insns} instructions (--max-insns); the guest was still running`);
      return EXIT.maxInsns;
    case 'halted':
      console.error(`lab run: ${message ?? 'the guest waits forever'} (after ${insns} instructions)`);
      return EXIT.halted;
    case 'checkstop':
    case 'watchdog':
    case 'panic':
      console.error(`lab run: ${reason}: ${message ?? 'no detail'} (after ${insns} instructions)`);
      return EXIT.checkstop;
  }
}

/** `--gdb`: the guest under the GDB stub; the exit status says how the guest ended. */
async function runUnderGdb(elf: Uint8Array, path: string, port: number, out: { write(b: Uint8Array): void; flush(): void },
  opts: RunOptions): Promise<number> {
  let run;
  try {
    run = prepareRun(elf, { ...opts, onOutput: (b) => out.write(b) });
  } catch (e) {
    return loadFailure(e, path);
  }
  const { stop } = await serveGdb(run, port, (line) => {
    out.flush();
    console.error(line);
  });
  out.flush();
  if (stop.kind !== 'ended') {
    console.error(`lab run: GDB ended the run (after ${run.machine.cpu.insns} instructions)`);
    return EXIT.ok;
  }
  return endStatus(stop.reason, stop.message, run.machine.cpu.insns);
}

function pipedInput(): Uint8Array | undefined {
  try {
    const st = fstatSync(0);
    if (!st.isFIFO() && !st.isFile()) return undefined;
    return new Uint8Array(readFileSync(0));
  } catch {
    return undefined;
  }
}

/** A buffered stdout writer: runElf hands over output a byte at a time. */
function lineWriter(): { write(b: Uint8Array): void; flush(): void } {
  let parts: Uint8Array[] = [];
  let size = 0;
  const flush = () => {
    if (size === 0) return;
    process.stdout.write(Buffer.concat(parts, size));
    parts = [];
    size = 0;
  };
  return {
    write(b) {
      parts.push(b);
      size += b.length;
      if (size >= 4096 || b.includes(0x0A)) flush();
    },
    flush,
  };
}

/** --snapshot-at: end (default), insns:N or marker:TEXT. */
function snapshotAt(raw: string | undefined): { insns: number } | { marker: string } | 'end' {
  if (raw === undefined || raw === 'end') return 'end';
  if (raw.startsWith('insns:')) {
    const n = Number(raw.slice(6));
    if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--snapshot-at insns:N needs a positive whole number (got "${raw.slice(6)}")`);
    return { insns: n };
  }
  if (raw.startsWith('marker:') && raw.length > 7) return { marker: raw.slice(7) };
  throw new UsageError(`--snapshot-at must be end, insns:N or marker:TEXT (got "${raw}")`);
}

export function runCommand(argv: string[]): number | Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'max-insns': { type: 'string' },
      ram: { type: 'string' },
      smp: { type: 'string' },
      bootargs: { type: 'string' },
      append: { type: 'string' },
      model: { type: 'string' },
      preset: { type: 'string' },
      dup: { type: 'string', multiple: true },
      trap: { type: 'string', multiple: true },
      shared: { type: 'string', multiple: true },
      transfer: { type: 'string', multiple: true },
      direct: { type: 'string', multiple: true },
      'no-direct': { type: 'string', multiple: true },
      policy: { type: 'string', multiple: true },
      stats: { type: 'string' },
      jit: { type: 'string' },
      gdb: { type: 'string' },
      'save-snapshot': { type: 'string' },
      'snapshot-at': { type: 'string' },
      snapshot: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(RUN_USAGE);
    return EXIT.ok;
  }
  let snapshot: Snapshot | undefined;
  if (values.snapshot !== undefined) {
    try {
      snapshot = decodeSnapshot(new Uint8Array(readFileSync(values.snapshot)), values.snapshot);
    } catch (e) {
      console.error(`lab run: ${e instanceof SnapshotError ? e.message : `cannot read ${values.snapshot}: ${e instanceof Error ? e.message : String(e)}`}`);
      return EXIT.badImage;
    }
  }
  if (positionals.length > 1 || (positionals.length === 0 && !snapshot)) throw new UsageError('lab run needs exactly one ELF file or image id');
  if (values.append !== undefined) {
    if (values.bootargs !== undefined) throw new UsageError('give --bootargs or --append, not both (they are the same thing)');
    values.bootargs = values.append;
  }
  if (values['snapshot-at'] !== undefined && values['save-snapshot'] === undefined) throw new UsageError('--snapshot-at needs --save-snapshot FILE');
  const saveAt = snapshotAt(values['snapshot-at']);
  if (snapshot) {
    // Continue as the snapshot was taken unless told otherwise (the hardware may differ: a sweep's starting point).
    const c = snapshot.header.config;
    values.model ??= c.model;
    values.ram ??= String(c.ramMb);
    values.smp ??= String(c.smp ?? 1);
    values.bootargs ??= c.bootargs;
  }
  const hwGiven = ['preset', 'dup', 'trap', 'shared', 'transfer', 'direct', 'no-direct', 'policy'].some((k) => values[k as keyof typeof values] !== undefined);
  const target = positionals[0] ?? snapshot!.header.config.image.name;
  const path = existsSync(target) ? target : guestImagePath(target);
  if (!path) {
    console.error(`lab run: ${target}: no such file or bundled image`);
    return EXIT.badImage;
  }
  let elf: Uint8Array;
  try {
    elf = readGuestImage(path);
  } catch (e) {
    console.error(e instanceof ElfError ? `lab run: ${e.message}` : `lab run: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.badImage;
  }
  const hw = snapshot && !hwGiven ? snapshot.header.config.hw : hardware(values);
  const model = values.model ?? 'native';
  if (!GUEST_MODELS.some((m) => m.id === model)) {
    throw new UsageError(`unknown model "${model}". Models: ${GUEST_MODELS.map((m) => m.id).join(', ')}`);
  }
  if (values.stats !== undefined && values.stats !== 'table' && values.stats !== 'json') {
    throw new UsageError(`--stats must be table or json (got "${values.stats}")`);
  }
  if (values.jit !== undefined && values.jit !== 'on' && values.jit !== 'off' && values.jit !== 'js') {
    throw new UsageError(`--jit must be on, off or js (got "${values.jit}")`);
  }
  const maxInsns = positiveInt('max-insns', values['max-insns']);
  const ramMb = positiveInt('ram', values.ram);
  const smp = positiveInt('smp', values.smp);
  if (smp !== undefined && smp > 8) throw new UsageError(`--smp must be 1 to 8 (got ${smp}), as ppce500 has`);
  const gdbPort = values.gdb === undefined ? undefined : Number(values.gdb);
  if (gdbPort !== undefined && (!Number.isInteger(gdbPort) || gdbPort < 0 || gdbPort > 65535)) {
    throw new UsageError(`--gdb needs a TCP port number (got "${values.gdb}")`);
  }
  const input = gdbPort === undefined ? pipedInput() : undefined;
  const out = lineWriter();
  const opts: RunOptions = {
    ...(ramMb !== undefined ? { ramMb } : {}),
    ...(smp !== undefined ? { smp } : {}),
    ...(values.bootargs !== undefined ? { bootargs: values.bootargs } : {}),
    model: model as GuestModel,
    hw,
    ...(values.jit === 'js' ? { jit: 'on' as const, translator: 'js' as const } : values.jit !== undefined ? { jit: values.jit as 'on' | 'off' } : {}),
    imageName: existsSync(target) ? basename(target) : target,
    ...(snapshot ? { snapshot } : {}),
  };
  const saveTo = values['save-snapshot'];
  if (saveTo !== undefined) {
    if (gdbPort !== undefined) throw new UsageError('--save-snapshot and --gdb do not go together');
    opts.saveSnapshot = {
      at: saveAt,
      save: (snap) => {
        const bytes = encodeSnapshot(snap);
        writeAtomically(saveTo, bytes);
        out.flush();
        process.stderr.write(`lab: snapshot saved to ${saveTo} at ${snap.header.insns} instructions, after ${snap.header.consoleBytes} console bytes (${(bytes.length / 1048576).toFixed(1)} MB)\n`);
      },
    };
  }
  if (gdbPort !== undefined) return runUnderGdb(elf, path, gdbPort, out, opts);
  let result;
  try {
    result = runElf(elf, {
      ...opts,
      ...(maxInsns !== undefined ? { maxInsns } : {}),
      ...(input !== undefined && input.length > 0 ? { input } : {}),
      onOutput: (b) => out.write(b),
    });
  } catch (e) {
    out.flush();
    return loadFailure(e, path);
  }
  out.flush();
  if (values.stats !== undefined) {
    const info: GuestInfo = {
      id: 'guest', name: basename(path).replace(/\.elf$/, ''), image: basename(path), model: model as GuestModel,
      ramMb: result.machine.ramSize >> 20, state: 'halted', override: null, bootargs: values.bootargs ?? '',
    };
    const vcpus = result.hypervisor.vcpuStats();
    const report = {
      info: vcpus.length > 1 ? { ...info, smp: vcpus.length } : info, sample: result.stats, raw: result.statsBlock,
      ...(vcpus.length > 1 ? { vcpus: vcpus.map(({ insns, exits, counters }) => ({ insns, exits, counters })) } : {}),
    };
    const ms = result.statsBlock[H.hostBusyNs]! / 1e6;
    process.stderr.write(values.stats === 'json' ? `${JSON.stringify(statsJson([report], ms), null, 2)}\n` : statsTable([report], ms));
  }
  return endStatus(result.reason, result.message, result.insns);
}
