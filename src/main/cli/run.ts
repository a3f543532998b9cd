// `lab run <elf|image> [--max-insns N] [--ram MB] [--bootargs S]`: one guest,
// headless and deterministic (runElf), console to stdout. Input piped to
// stdin is typed on the console from the start; an interactive terminal is
// not read (use `lab session` for that). Exit status: 0 when the guest resets
// or powers off the board, else see exit-codes.ts.

import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ElfError } from '../guest/elf';
import { runElf } from '../guest/run';
import { guestImagePath } from '../lab/images';
import { EXIT, UsageError } from './exit-codes';

export const RUN_USAGE = `Usage: lab run <elf-file|image-id> [--max-insns N] [--ram MB] [--bootargs TEXT]
  Runs one guest to completion, deterministically (idle time is skipped).
  The console goes to stdout; input piped to stdin is typed on the console.
  Exit status: 0 the guest reset or powered off the board; 2 bad image;
  3 --max-insns reached; 4 checkstop or watchdog; 5 the guest waits forever.`;

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number (got "${raw}")`);
  return n;
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

export function runCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'max-insns': { type: 'string' },
      ram: { type: 'string' },
      bootargs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(RUN_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('lab run needs exactly one ELF file or image id');
  const target = positionals[0]!;
  const path = existsSync(target) ? target : guestImagePath(target);
  if (!path) {
    console.error(`lab run: ${target}: no such file or bundled image`);
    return EXIT.badImage;
  }
  let elf: Uint8Array;
  try {
    elf = new Uint8Array(readFileSync(path));
  } catch (e) {
    console.error(`lab run: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.badImage;
  }
  const maxInsns = positiveInt('max-insns', values['max-insns']);
  const ramMb = positiveInt('ram', values.ram);
  const input = pipedInput();
  const out = lineWriter();
  let result;
  try {
    result = runElf(elf, {
      ...(maxInsns !== undefined ? { maxInsns } : {}),
      ...(ramMb !== undefined ? { ramMb } : {}),
      ...(values.bootargs !== undefined ? { bootargs: values.bootargs } : {}),
      ...(input !== undefined && input.length > 0 ? { input } : {}),
      onOutput: (b) => out.write(b),
    });
  } catch (e) {
    out.flush();
    if (e instanceof ElfError) {
      console.error(`lab run: ${path}: ${e.message}`);
      return EXIT.badImage;
    }
    if (e instanceof Error && /^RAM must be/.test(e.message)) throw new UsageError(e.message);
    throw e;
  }
  out.flush();
  switch (result.reason) {
    case 'reset':
    case 'poweroff':
      return EXIT.ok;
    case 'max-insns':
      console.error(`lab run: stopped after ${result.insns} instructions (--max-insns); the guest was still running`);
      return EXIT.maxInsns;
    case 'halted':
      console.error(`lab run: ${result.message ?? 'the guest waits forever'} (after ${result.insns} instructions)`);
      return EXIT.halted;
    case 'checkstop':
    case 'watchdog':
      console.error(`lab run: ${result.reason}: ${result.message ?? 'no detail'} (after ${result.insns} instructions)`);
      return EXIT.checkstop;
  }
}
