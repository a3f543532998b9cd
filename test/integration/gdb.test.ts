// GDB attaches to a guest: `lab run labos --gdb 0` waits for a debugger,
// and Debian's gdb-multiarch, in batch mode with labOS's symbols, sees the
// vCPU as a thread, stops at a breakpoint on a kernel function, reads
// registers and a kernel variable, steps one instruction, writes a register,
// and continues to the guest's end, whose console is the same as without
// the debugger. A guest with several vCPUs shows one thread per vCPU; a
// breakpoint a secondary reaches stops the guest in that thread.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missing } from '../support/tools';

const LABOS = join(__dirname, '..', '..', 'resources', 'guests', 'labos', 'labos.elf');
const gdbAvailable = spawnSync('gdb-multiarch', ['--version']).status === 0;

/** The big-endian word at a virtual address of the ELF file's loaded segments. */
function wordAt(elf: Buffer, vaddr: number): number {
  const phoff = elf.readUInt32BE(28);
  const phnum = elf.readUInt16BE(44);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + 32 * i;
    if (elf.readUInt32BE(ph) !== 1) continue; // PT_LOAD
    const offset = elf.readUInt32BE(ph + 4);
    const va = elf.readUInt32BE(ph + 8);
    const filesz = elf.readUInt32BE(ph + 16);
    if (vaddr >= va && vaddr + 4 <= va + filesz) return elf.readUInt32BE(offset + vaddr - va);
  }
  throw new Error(`0x${vaddr.toString(16)} is not in the file`);
}

function symbol(name: string): number {
  const r = spawnSync('powerpc-linux-gnu-nm', [LABOS], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in labos.elf`);
  return parseInt(line.split(' ')[0]!, 16);
}

/** Starts the bundled `lab` command and resolves once its stderr announces the GDB port (`pattern`'s first group). */
async function startLab(args: string[], pattern: RegExp) {
  const cli = process.env.LAB_CLI_SCRIPT;
  if (!cli) throw new Error('LAB_CLI_SCRIPT is not set (test/support/global-setup.ts bundles the CLI)');
  const lab = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const io = { stdout: '', stderr: '' };
  lab.stdout.on('data', (d: Buffer) => { io.stdout += d.toString('latin1'); });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stub did not start: ${io.stderr}`)), 20_000);
    lab.stderr.on('data', (d: Buffer) => {
      io.stderr += d.toString();
      const m = pattern.exec(io.stderr);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  const ended = new Promise<number | null>((resolve) => lab.once('close', resolve));
  return { io, port, ended };
}

/** gdb-multiarch in batch mode against the stub, with labOS's symbols and these commands; its whole output. */
function gdbBatch(port: number, commands: string[], elf = LABOS): string {
  // The architecture first: the test programs carry an e500 APU note that gdb-multiarch's file command does not take.
  const args = ['-batch', '-nx', '-ex', 'set pagination off', '-ex', 'set architecture powerpc:common', '-ex', `file ${elf}`,
    '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  const r = spawnSync('gdb-multiarch', args, { encoding: 'utf8', timeout: 60_000 });
  return `${r.stdout}${r.stderr}`;
}

describe.skipIf(missing('gdb-multiarch', gdbAvailable) || missing('powerpc-linux-gnu-nm', spawnSync('powerpc-linux-gnu-nm', ['--version']).status === 0))('GDB remote stub', () => {
  it.each(['native', 'booke-hv'])('debugs labOS (%s) with gdb-multiarch: thread, breakpoint, registers, memory, step, continue', async (model) => {
    const { io, port, ended } = await startLab(['run', 'labos', '--model', model, '--bootargs', 'echo under-gdb; poweroff', '--gdb', '0'],
      /waiting for GDB on 127\.0\.0\.1:(\d+)/);
    const out = gdbBatch(port, [
      'info threads', 'break kmain', 'continue',
      'printf "pc=%08x\\n", $pc',
      'printf "jiffies=%08x\\n", *(unsigned int *)&jiffies',
      'printf "image=%08x\\n", *(unsigned int *)&__user_image',
      'stepi', 'printf "after-step=%08x\\n", $pc',
      'set $r31 = 0x1234', 'printf "r31=%x\\n", $r31',
      'delete', 'continue',
    ]);
    const code = await ended;
    expect(out).toMatch(/Thread 1 \(vCPU 0\)/);
    expect(out).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in kmain \(\)/);
    const pc = parseInt(/pc=([0-9a-f]{8})/.exec(out)![1]!, 16);
    const kmain = symbol('kmain');
    expect(pc).toBeGreaterThanOrEqual(kmain);
    expect(pc).toBeLessThan(kmain + 0x100); // after the function's prologue
    expect(out).toMatch(/jiffies=[0-9a-f]{8}/);
    // A word of the kernel's rodata, read through the guest's translation, as the ELF file has it.
    const image = symbol('__user_image');
    const elf = readFileSync(LABOS);
    const wanted = wordAt(elf, image);
    expect(out).toContain(`image=${wanted.toString(16).padStart(8, '0')}`);
    expect(out).toContain(`after-step=${(pc + 4).toString(16).padStart(8, '0')}`);
    expect(out).toContain('r31=1234');
    expect(out).toContain('[Inferior 1 (Remote target) exited normally]');
    expect(code, io.stderr).toBe(0);
    expect(io.stdout).toContain('labos> echo under-gdb\r\nunder-gdb\r\n');
    expect(io.stderr).toMatch(/GDB connected from 127\.0\.0\.1/);
  }, 90_000);

  it('shows each vCPU of a multiprocessor guest as a thread and stops in the one that reaches a breakpoint', async () => {
    const SMP = join(__dirname, '..', '..', 'resources', 'guests', 'tests', 'smp.elf');
    const { io, port, ended } = await startLab(['run', SMP, '--smp', '2', '--model', 'booke-hv', '--gdb', '0'],
      /waiting for GDB on 127\.0\.0\.1:(\d+)/);
    const out = gdbBatch(port, [
      'info threads', 'break secondary_main', 'continue',
      'printf "r3=%x\\n", $r3',
      'info threads',
      'thread 1', 'printf "cpu0-pc=%08x\\n", $pc',
      'thread 2', 'stepi', 'printf "after-step=%08x\\n", $pc',
      'delete', 'continue',
    ], SMP);
    const code = await ended;
    expect(out).toMatch(/Thread 1 \(vCPU 0\)/);
    expect(out).toMatch(/Thread 2 \(vCPU 1 \(in the spin table\)\)/);
    expect(out).toMatch(/Thread 2 "?.*hit Breakpoint 1, 0x[0-9a-f]+ in secondary_main \(\)|Breakpoint 1, 0x[0-9a-f]+ in secondary_main \(\)/);
    expect(out).toContain('r3=5a01');
    expect(out).toMatch(/\* 2 +Thread 2 \(vCPU 1\)/);
    expect(out).toMatch(/cpu0-pc=[0-9a-f]{8}/);
    const main = parseInt(/0x([0-9a-f]+) in secondary_main/.exec(out)![1]!, 16);
    expect(out).toContain(`after-step=${(main + 4).toString(16).padStart(8, '0')}`);
    expect(out).toContain('[Inferior 1 (Remote target) exited normally]');
    expect(code, io.stderr).toBe(0);
    expect(io.stdout).toContain('cpu 1 done');
  }, 90_000);

  it('debugs one guest of a session (gdb=0) while the other runs on', async () => {
    const { io, port, ended } = await startLab(['session', '--stats', 'none',
      '--guest', 'labos:name=a,model=booke-hv,gdb=0,bootargs=echo under-gdb; poweroff',
      '--guest', 'labos:name=b,model=booke-hv,bootargs=echo b-runs-meanwhile; poweroff'], /a waits for GDB on 127\.0\.0\.1:(\d+)/);
    // The held guest has not run: the other one gets to its end on its own.
    const deadline = Date.now() + 20_000;
    while (!/b *\| b-runs-meanwhile/.test(io.stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(io.stdout).toMatch(/b *\| b-runs-meanwhile/);
    expect(io.stdout).not.toMatch(/a *\| labOS/);
    const out = gdbBatch(port, ['info threads', 'break kmain', 'continue', 'printf "pc=%08x\\n", $pc', 'stepi',
      'printf "after-step=%08x\\n", $pc', 'delete', 'continue']);
    const code = await ended;
    expect(out).toMatch(/Thread 1 \(vCPU 0\)/);
    expect(out).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in kmain \(\)/);
    const pc = parseInt(/pc=([0-9a-f]{8})/.exec(out)![1]!, 16);
    expect(out).toContain(`after-step=${(pc + 4).toString(16).padStart(8, '0')}`);
    expect(out).toContain('[Inferior 1 (Remote target) exited normally]');
    expect(code, io.stderr).toBe(0);
    expect(io.stdout).toMatch(/a *\| under-gdb/);
  }, 90_000);
});
