// The headless `lab` command, run as `npm run lab` runs it (the bundled CLI):
// exit statuses of `lab run`, and a `lab session` with multiplexed consoles,
// a script, JSON statistics and Ctrl-C.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COUNTERS } from '../../src/shared/stats';

interface Ran { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function lab(args: string[], opts: { onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<Ran> {
  const cli = process.env.LAB_CLI_SCRIPT;
  if (!cli) throw new Error('LAB_CLI_SCRIPT is not set (test/support/global-setup.ts bundles the CLI)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('lab run snapshots', () => {
  it('saves a snapshot at a console marker and continues from it, under the same or another configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-snap-'));
    const file = join(dir, 'labos.snap');
    const full = await lab(['run', 'labos', '--model', 'booke-hv', '--bootargs', 'run hello; poweroff', '--save-snapshot', file, '--snapshot-at', 'marker:labos> ', '--stats', 'json']);
    expect(full.code, full.stderr).toBe(0);
    const saved = /lab: snapshot saved to .*labos\.snap at \d+ instructions, after (\d+) console bytes/.exec(full.stderr);
    expect(saved, full.stderr).not.toBeNull();
    const resumed = await lab(['run', '--snapshot', file, '--stats', 'json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The console from the marker on, byte for byte; the counters at the end, the same.
    const cut = Number(saved![1]);
    expect(full.stdout.slice(0, cut)).toContain('labos> ');
    expect(resumed.stdout).toBe(full.stdout.slice(cut));
    const counters = (r: { stderr: string }) => (JSON.parse(r.stderr.slice(r.stderr.indexOf('{'))) as { guests: { counters: Record<string, number> }[] }).guests[0]!.counters;
    expect(counters(resumed)).toEqual(counters(full));
    const none = await lab(['run', 'labos', '--snapshot', file, '--preset', 'none']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(resumed.stdout);
    writeFileSync(join(dir, 'short.snap'), readFileSync(file).subarray(0, 200));
    const bad = await lab(['run', '--snapshot', join(dir, 'short.snap')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is truncated/);
    const other = await lab(['run', 'hello', '--snapshot', file]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/taken of image labos .*not hello/);
  });
});

describe('lab run', () => {
  it('exits 0 when the guest powers off, 3 at --max-insns, 2 for a bad image', async () => {
    const ok = await lab(['run', 'labos', '--bootargs', 'echo from-run; poweroff']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('labos> echo from-run\r\nfrom-run\r\n');
    const max = await lab(['run', 'intmix', '--max-insns', '100000']);
    expect(max.code).toBe(3);
    expect(max.stderr).toMatch(/stopped after 100000 instructions/);
    const bad = await lab(['run', 'package.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an ELF file/);
    const usage = await lab(['run']);
    expect(usage.code).toBe(64);
  });

  it('runs under the hypervisor with a chosen duplicated set and prints the exit statistics', async () => {
    const args = ['run', 'labos', '--bootargs', 'bench sprg_read; poweroff', '--model', 'booke-hv', '--preset', 'isa206'];
    const dup = await lab([...args, '--stats', 'json']);
    expect(dup.code).toBe(0);
    const trap = await lab([...args, '--trap', 'SPRG1', '--stats', 'json']);
    expect(trap.code).toBe(0);
    const sprg1 = (r: Ran) => (JSON.parse(r.stderr) as { guests: { spr: Record<string, { reads: number }> }[] }).guests[0]!.spr.SPRG1;
    expect(sprg1(dup)).toBeUndefined();
    expect(sprg1(trap)!.reads).toBeGreaterThanOrEqual(8000);
    const table = await lab([...args, '--trap', 'SPRG1', '--stats', 'table']);
    expect(table.stderr).toMatch(/^emulated_inst_exits\s+[\d,]+/m);
    expect(table.stdout).not.toMatch(/emulated_inst_exits/); // statistics never mix with the console
  });

  it('sets the hypervisor policy with --policy and refuses an unknown one', async () => {
    const tlbtouch = join(__dirname, '../../resources/guests/hvtests/tlbtouch.elf');
    const args = ['run', tlbtouch, '--bootargs', 'pages=256', '--model', 'booke-hv', '--stats', 'json'];
    const refills = (r: Ran) => (JSON.parse(r.stderr) as { guests: { counters: Record<string, number> }[] }).guests[0]!.counters.dtlb_virt_miss_exits!;
    const small = await lab(args);
    const huge = await lab([...args, '--policy', 'host-page=16384']);
    expect(small.code).toBe(0);
    expect(huge.stdout).toBe(small.stdout);
    expect(refills(small) - refills(huge)).toBeGreaterThanOrEqual(255);
    const bad = await lab(['run', 'labos', '--policy', 'injection=sometimes']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/Unknown injection policy "sometimes". Choices: entry, exit/);
  });

  it('refuses unknown SPRs, interrupts, presets and models, naming the valid ones', async () => {
    const spr = await lab(['run', 'labos', '--trap', 'SPRG42']);
    expect(spr.code).toBe(64);
    expect(spr.stderr).toMatch(/Unknown SPR "SPRG42". Configurable SPRs: .*SRR0/);
    const irq = await lab(['run', 'labos', '--direct', 'doorbell']);
    expect(irq.stderr).toMatch(/Unknown interrupt "doorbell". Interrupts: external, dsi/);
    const preset = await lab(['run', 'labos', '--preset', 'arm']);
    expect(preset.stderr).toMatch(/unknown preset "arm". Presets: isa206, none, all, x86/);
    const model = await lab(['run', 'labos', '--model', 'kvm']);
    expect(model.stderr).toMatch(/unknown model "kvm". Models: native, booke-hv, state-transfer/);
  });
});

describe('lab session', () => {
  it('multiplexes consoles, runs a script and prints JSON statistics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    const script = join(dir, 'demo.txt');
    writeFileSync(script, '# demo\nexpect a labos>\n@a echo scripted-line\nexpect a scripted-line\nexpect h Hello from an e500mc guest\nquit\n');
    const r = await lab(['session', '--guest', 'labos:name=a,model=native', '--guest', 'hello:name=h', '--script', script, '--stats', 'json']);
    expect(r.code).toBe(0);
    // The echo continues the prompt's line, unless the other guest's output came in between and ended that line.
    expect(r.stdout).toMatch(/^a +\| (labos> )?echo scripted-line$/m);
    expect(r.stdout).toMatch(/^h +\| Hello from an e500mc guest$/m);
    const json = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { guests: { name: string; counters: Record<string, number> }[] };
    expect(json.guests.map((g) => g.name)).toEqual(['a', 'h']);
    expect(Object.keys(json.guests[0]!.counters)).toEqual(COUNTERS.map((c) => c.id));
  });

  it('stops cleanly on Ctrl-C and prints the statistics table', async () => {
    let sent = false;
    const r = await lab(['session', '--guest', 'labos:name=solo,model=native'], {
      onStdout: (text, kill) => {
        if (!sent && /solo\| labos> /.test(text)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/Statistics after [\d.]+ s of host time/);
    expect(r.stdout).toMatch(/solo\s+labos\s+native/);
  });

  it('inspects a guest from a script: breakpoints, steps, registers, memory, TLB, edits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    const script = join(dir, 'inspect.txt');
    writeFileSync(script, [
      'break g spr IVOR6 write', 'step g 3', 'step g block', 'continue g', 'regs g', 'step g',
      'break g clear', 'break g exit mmio_exits', 'continue g', 'x g 0x0 8', 'tlb g', 'set g r31 0x1234', 'regs g',
      'break g clear', 'start g', 'expect g hello 5/5',
    ].join('\n'));
    const r = await lab(['session', '--guest', 'labos:name=g,model=booke-hv,start=no,bootargs=run hello; poweroff', '--script', script, '--stats', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^lab\| g: stepped to 0x[0-9a-f]{8} \(3 instructions\)$/m);
    expect(r.stdout).toMatch(/^lab\| g: in front of mtspr IVOR6 \(writing 0x000002b0\) at 0x[0-9a-f]{8} \(\d+ instructions\)$/m);
    expect(r.stdout).toMatch(/^lab\| SRR0 +\*?[0-9a-f]{8} +guest copy: hardware copy GSRR0$/m);
    expect(r.stdout).toMatch(/^lab\| IVOR6 +00000000 +hv shadow: /m);
    expect(r.stdout).toMatch(/^lab\| g: after mmio_exits at 0x[0-9a-f]{8}; resumes at 0x[0-9a-f]{8}/m);
    expect(r.stdout).toMatch(/^lab\| shadow entries in hardware \(LPID 1\): \d+$/m);
    expect(r.stdout).toMatch(/^lab\| +r7[ *][0-9a-f]{8} +r15[ *][0-9a-f]{8} +r23[ *][0-9a-f]{8} +r31\*00001234$/m);
    expect(r.stdout).toMatch(/^g +\| hello 5\/5 from task 2$/m);
  });

  it('refuses a bad --guest with a usage error', async () => {
    const r = await lab(['session', '--guest', 'labos:colour=blue']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/unknown key "colour"/);
  });
});
