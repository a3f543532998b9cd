// labOS on QEMU's ppce500 (the lab's oracle): boot, every shell command,
// every benchmark, user tasks that fault, interactive line editing, scripted
// (non-interactive) mode, determinism, and the ePAPR byte-channel path with a
// device tree that has a /hypervisor node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QEMU, qemuAvailable, runOnQemu, type QemuRunOptions } from '../support/qemu';
import { missing } from '../support/tools';

const ELF = join(import.meta.dirname, '..', '..', 'resources', 'guests', 'labos', 'labos.elf');

/** Lines whose content is a measurement, documented in labos/README.md. */
const TIMING_LINE = /^(bench|uptime|ps) /;
/** Every row `bench` may print. */
const BENCH_ROW =
  /^bench (\S+) (?:(\d+) (\d+) (\d+)\.(\d\d)( ops\/s)?|- - (unavailable|failed))$/;
const BENCH_NAMES = [
  'null_syscall', 'sprg_read', 'sprg_write', 'tcr_read', 'tcr_write', 'mmio_read',
  'page_fault', 'tlb_miss', 'dec_irq', 'align_fixup', 'ctx_switch', 'hcall_bytechan',
  'macro_cpu', 'macro_sysfault',
];

interface Session {
  text: string;
  lines: string[];
  status: number | null;
}

async function labos(opts: QemuRunOptions): Promise<Session> {
  const r = await runOnQemu(ELF, { timeoutMs: 15_000, ...opts });
  expect(r.timedOut, `QEMU timed out; console so far:\n${r.console.toString('latin1')}`).toBe(false);
  const text = r.console.toString('latin1').replace(/\r\n/g, '\n');
  return { text, lines: text.split('\n'), status: r.status };
}

/** The output of one scripted command: the lines after its echoed prompt. */
function outputOf(s: Session, command: string): string[] {
  const start = s.lines.indexOf(`labos> ${command}`);
  expect(start, `"${command}" was not echoed`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (let i = start + 1; i < s.lines.length && !s.lines[i].startsWith('labos> '); i++) {
    if (s.lines[i] === 'Powering off.') break;
    out.push(s.lines[i]);
  }
  return out;
}

interface BenchRow {
  name: string;
  ops?: number;
  ticks?: number;
  value?: number;
  rate?: boolean;
  state?: string;
}

function parseBenchRows(lines: string[]): BenchRow[] {
  return lines.map((line) => {
    const m = BENCH_ROW.exec(line);
    expect(m, `not a bench row: ${JSON.stringify(line)}`).not.toBeNull();
    const [, name, ops, ticks, whole, frac, rate, state] = m!;
    if (state) return { name, state };
    return { name, ops: Number(ops), ticks: Number(ticks), value: Number(`${whole}.${frac}`), rate: !!rate };
  });
}

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()))('labOS on QEMU ppce500', () => {
  it('boots to the prompt and takes typed commands', async () => {
    const s = await labos({ input: 'poweroff\r' });
    expect(s.lines.slice(0, 5)).toEqual([
      'labOS 1.0 for e500mc (ppce500 board)',
      'cpu: PVR 0x80230020, time base 400000000 Hz, tick 1000 Hz',
      'memory: 128 MB, 128 MB mapped by the kernel, user image 12 KB',
      'hypervisor: none',
      'console: ns16550 at CCSR+0x4500, MPIC source 42',
    ]);
    expect(s.text).toContain("Type 'help' for the list of commands.\nlabos> poweroff\nPowering off.\n");
    expect(s.status).toBe(0);
  });

  it('runs every shell command (scripted mode) with the expected output', async () => {
    const script = [
      'help', 'echo hello   labOS world', 'uptime', 'ps', 'run', 'run hello',
      'send console hi', 'send', 'bench list', 'bench nope', 'frobnicate', 'poweroff', 'echo never',
    ];
    const s = await labos({ bootargs: script.join('; ') });
    expect(s.status).toBe(0);

    const help = outputOf(s, 'help');
    for (const cmd of ['help', 'echo', 'uptime', 'ps', 'run', 'bench', 'send', 'poweroff'])
      expect(help.some((l) => l.startsWith(`  ${cmd}`)), `help lists ${cmd}`).toBe(true);

    expect(outputOf(s, 'echo hello   labOS world')).toEqual(['hello labOS world']);
    expect(outputOf(s, 'uptime')).toEqual([
      expect.stringMatching(/^uptime \d+\.\d\d s, \d+ ticks, 1 tasks started, \d+ KB free$/),
    ]);
    expect(outputOf(s, 'ps')).toEqual([
      'ps PID STATE NAME CPU_TICKS SWITCHES',
      expect.stringMatching(/^ps 0 ready idle \d+ \d+$/),
      expect.stringMatching(/^ps 1 running shell \d+ \d+$/),
    ]);
    const list = outputOf(s, 'run');
    expect(list[0]).toBe('programs:');
    for (const p of ['hello', 'cpu', 'mem', 'sys', 'rev', 'align', 'segv', 'wild', 'priv'])
      expect(list.some((l) => l.startsWith(`  ${p} `)), `run lists ${p}`).toBe(true);
    expect(list.some((l) => l.includes('b_null')), 'helpers are hidden').toBe(false);
    expect(outputOf(s, 'run hello')).toEqual([
      'hello 1/5 from task 2', 'hello 2/5 from task 2', 'hello 3/5 from task 2',
      'hello 4/5 from task 2', 'hello 5/5 from task 2', '[2] hello: exit 0',
    ]);
    expect(outputOf(s, 'send console hi')).toEqual(["send: no byte channel to 'console' (no hypervisor)"]);
    expect(outputOf(s, 'send')).toEqual(['send: usage: send <guest> <text>']);
    expect(outputOf(s, 'bench list')).toEqual([`benchmarks: ${BENCH_NAMES.join(' ')}`]);
    expect(outputOf(s, 'bench nope')).toEqual(["bench: unknown benchmark 'nope' (try 'bench list')"]);
    expect(outputOf(s, 'frobnicate')).toEqual(["unknown command: frobnicate (type 'help')"]);
    // poweroff ends the run: the rest of the script never runs.
    expect(s.text.endsWith('labos> poweroff\nPowering off.\n')).toBe(true);
    expect(s.text).not.toContain('echo never');
  });

  it('runs every benchmark and prints well-formed rows', async () => {
    const s = await labos({ bootargs: 'bench; bench null_syscall ctx_switch' });
    expect(s.status).toBe(0);
    const rows = parseBenchRows(outputOf(s, 'bench'));
    expect(rows.map((r) => r.name)).toEqual(BENCH_NAMES);
    for (const r of rows) {
      if (r.name === 'hcall_bytechan') {
        expect(r.state, 'no hypervisor on QEMU').toBe('unavailable');
        continue;
      }
      expect(r.state, `${r.name} ran`).toBeUndefined();
      expect(r.ops!).toBeGreaterThan(0);
      expect(r.ticks!).toBeGreaterThan(0);
      if (r.name.startsWith('macro_')) {
        expect(r.rate, `${r.name} is a rate`).toBe(true);
        // ops/s = ops * 400 MHz / ticks, to the hundredth.
        expect(r.value!).toBeCloseTo((r.ops! * 400e6) / r.ticks!, 0);
      } else {
        expect(r.rate).toBe(false);
        expect(Math.abs(r.value! - r.ticks! / r.ops!)).toBeLessThan(0.01);
      }
    }
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    // Sanity of what each row measures (QEMU: one instruction = 0.4 ticks).
    expect(byName.ctx_switch.ops).toBe(2000);
    expect(byName.page_fault.value!).toBeGreaterThan(byName.tlb_miss.value!);
    expect(byName.null_syscall.value!).toBeGreaterThan(byName.sprg_read.value!);
    expect(parseBenchRows(outputOf(s, 'bench null_syscall ctx_switch')).map((r) => r.name))
      .toEqual(['null_syscall', 'ctx_switch']);
  });

  it('kills faulting user tasks and keeps the shell alive', async () => {
    const s = await labos({ bootargs: 'run segv; run wild; run priv; run segv hello align; echo still here' });
    expect(s.status).toBe(0);
    expect(outputOf(s, 'run segv')).toEqual([
      'segv: storing to address 0',
      expect.stringMatching(/^labos: killed task 2 \(segv\): protection fault: store to kernel address 0x00000000, pc 0x1[0-9a-f]{7}$/),
      '[2] segv: killed',
    ]);
    expect(outputOf(s, 'run wild')).toEqual([
      'wild: jumping to 0x30000000',
      'labos: killed task 3 (wild): segmentation fault: instruction fetch at unmapped address 0x30000000, pc 0x30000000',
      '[3] wild: killed',
    ]);
    expect(outputOf(s, 'run priv')).toEqual([
      'priv: reading the MSR in user mode',
      expect.stringMatching(/^labos: killed task 4 \(priv\): privileged instruction 0x7c[0-9a-f]{2}00a6, pc 0x1[0-9a-f]{7}$/),
      '[4] priv: killed',
    ]);
    // Several at once: each task's output is held and shown in start order.
    const multi = outputOf(s, 'run segv hello align');
    expect(multi[0]).toBe('segv: storing to address 0');
    expect(multi[1]).toMatch(/^labos: killed task 5 \(segv\)/);
    expect(multi.slice(2)).toEqual([
      '[5] segv: killed',
      'hello 1/5 from task 6', 'hello 2/5 from task 6', 'hello 3/5 from task 6',
      'hello 4/5 from task 6', 'hello 5/5 from task 6', '[6] hello: exit 0',
      'align: lwarx at offsets 1, 2, 3 read 22334455 33445566 44556677 (fixed up by the kernel)',
      '[7] align: exit 0',
    ]);
    expect(outputOf(s, 'echo still here')).toEqual(['still here']);
  });

  it('runs the CPU, memory and system-call programs concurrently, and frees their memory', async () => {
    const s = await labos({ bootargs: 'uptime; run cpu mem sys cpu; bench tlb_miss ctx_switch macro_sysfault; uptime' });
    const free = s.lines.filter((l) => l.startsWith('uptime ')).map((l) => / (\d+) KB free$/.exec(l)![1]);
    expect(free).toHaveLength(2);
    expect(free[1], 'every page of the finished tasks is back').toBe(free[0]);
    expect(outputOf(s, 'run cpu mem sys cpu')).toEqual([
      'cpu: 1000000 xorshift rounds, checksum a05a0848',
      '[2] cpu: exit 0',
      'mem: 512 pages (2048 KB) written and read back: 0 bad words, 0 non-zero new pages, sum fffc0000',
      '[3] mem: exit 0',
      'sys: 6000 system calls (getpid, time, sched_yield) as task 4, time went back 0 times',
      '[4] sys: exit 0',
      'cpu: 1000000 xorshift rounds, checksum a05a0848',
      '[5] cpu: exit 0',
    ]);
  });

  it('edits typed lines (backspace, ^U, ^C) and feeds them to user programs', async () => {
    const input = 'echo abx\x7fc\rech\x08\x08cho\x15echo ok\rzzz\x03run rev\rhello world\rpoweroff\r';
    const s = await labos({ input });
    expect(s.status).toBe(0);
    const afterBanner = s.text.slice(s.text.indexOf("Type 'help'"));
    expect(afterBanner).toBe([
      "Type 'help' for the list of commands.",
      'labos> echo abx\b \bc', 'abc',
      // "ech", two backspaces, "cho" = "echo"; ^U erases its four characters.
      `labos> ech${'\b \b'.repeat(2)}cho${'\b \b'.repeat(4)}echo ok`, 'ok',
      'labos> zzz^C',
      'labos> run rev', 'rev: type a line', 'hello world', 'rev: dlrow olleh', '[2] rev: exit 0',
      'labos> poweroff', 'Powering off.', '',
    ].join('\n'));
  });

  it('scripted mode sees end of file on the console and powers off by itself', async () => {
    const s = await labos({ bootargs: ' run rev ;; echo done ' });
    expect(s.status).toBe(0);
    expect(s.text.slice(s.text.indexOf('labos> '))).toBe(
      'labos> run rev\nrev: type a line\nrev: no input\n[2] rev: exit 1\nlabos> echo done\ndone\nPowering off.\n');
  });

  it('prints the same console, timing lines aside, whatever the timing', async () => {
    const bootargs = 'run hello cpu mem sys align segv; run wild; bench; ps; uptime; echo end';
    const a = await labos({ bootargs });
    const b = await labos({ bootargs, icount: false });
    const c = await labos({ bootargs, extraArgs: ['-icount', 'shift=2,align=off,sleep=off'], icount: false });
    const strip = (x: Session) => x.lines.filter((l) => !TIMING_LINE.test(l)).join('\n');
    expect(strip(b)).toBe(strip(a));
    expect(strip(c)).toBe(strip(a));
    expect(a.lines.filter((l) => TIMING_LINE.test(l)).length).toBe(BENCH_NAMES.length + 3 + 1);
  });
});

/** A copy of QEMU's own device tree for this machine with a /hypervisor node
 * added (QEMU ignores -append once -dtb is given, so bootargs go in too). */
function treeWithHypervisor(dir: string, hcallInstructions: string, bootargs: string): string | null {
  const base = join(dir, 'base.dtb');
  const dump = spawnSync(QEMU, ['-M', `ppce500,dumpdtb=${base}`, '-cpu', 'e500mc', '-m', '128',
    '-display', 'none', '-nic', 'none', '-kernel', ELF], { encoding: 'utf8', timeout: 10_000 });
  if (dump.status !== 0) throw new Error(`dumpdtb failed: ${dump.stderr}`);
  const dts = spawnSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', base], { encoding: 'utf8' });
  if (dts.error) return null; // no dtc
  const source = dts.stdout
    .replace(/bootargs = [^;]*;/, `bootargs = "${bootargs}";`)
    .replace(/\n\taliases \{/, `
\thypervisor {
\t\tcompatible = "epapr,hypervisor-1";
\t\thcall-instructions = <${hcallInstructions}>;
\t\tconsole-channel { compatible = "epapr,hv-byte-channel"; hv-handle = <3>; label = "console"; };
\t\tpeer-channel { compatible = "epapr,hv-byte-channel"; hv-handle = <7>; label = "guest2"; };
\t};

\taliases {`);
  const srcPath = join(dir, 'hv.dts');
  const out = join(dir, `hv-${Math.random().toString(36).slice(2)}.dtb`);
  writeFileSync(srcPath, source);
  const comp = spawnSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-o', out, srcPath], { encoding: 'utf8' });
  if (comp.status !== 0) throw new Error(`dtc failed: ${comp.stderr}`);
  expect(readFileSync(out).length).toBeGreaterThan(0);
  return out;
}

const dtcAvailable = (() => {
  const r = spawnSync('dtc', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
})();

describe.skipIf(missing('qemu-system-ppc', qemuAvailable()) || missing('dtc', dtcAvailable))('labOS byte channels (device tree with /hypervisor)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labos-dtb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the channels; an unanswered "sc 1" fails cleanly', async () => {
    // On QEMU's TCG, "sc 1" is an ordinary system call: labOS's own handler
    // sees it come from supervisor mode and fails it with EV_UNIMPLEMENTED.
    const dtb = treeWithHypervisor(dir, '0x44000022 0x60000000 0x60000000 0x60000000',
      'send guest2 hello there; send nobody x; bench hcall_bytechan')!;
    const s = await labos({ extraArgs: ['-dtb', dtb] });
    expect(s.status).toBe(0);
    expect(s.lines[3]).toBe('hypervisor: ePAPR, 2 byte channels: console (handle 3), guest2 (handle 7)');
    expect(outputOf(s, 'send guest2 hello there')).toEqual(['send: hypercall failed with status 12']);
    expect(outputOf(s, 'send nobody x')).toEqual(["send: no byte channel to 'nobody'"]);
    const [row] = parseBenchRows(outputOf(s, 'bench hcall_bytechan'));
    expect(row).toMatchObject({ name: 'hcall_bytechan', ops: 500, rate: false });
  });

  it('sends and prints received lines', async () => {
    // A stand-in hypervisor made of the four hcall instruction words:
    // li r3,0 (success); li r4,3; lis r5,'hi'; ori r5,r5,'\n'.  Every send
    // succeeds and every receive returns "hi\n".
    const dtb = treeWithHypervisor(dir, '0x38600000 0x38800003 0x3ca06869 0x60a50a00',
      'send guest2 hello there; run hello')!;
    const s = await labos({ extraArgs: ['-dtb', dtb] });
    expect(s.status).toBe(0);
    expect(outputOf(s, 'send guest2 hello there')).toEqual(['send: 12 bytes to guest2']);
    expect(s.lines).toContain('[console] hi');
    expect(s.lines).toContain('[guest2] hi');
    const hello = outputOf(s, 'run hello').filter((l) => !l.startsWith('['));
    expect(hello).toEqual(['hello 1/5 from task 2', 'hello 2/5 from task 2', 'hello 3/5 from task 2',
      'hello 4/5 from task 2', 'hello 5/5 from task 2']);
  });
});
