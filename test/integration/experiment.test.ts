// Experiments (lab/experiment.ts) on a real worker pool: one boot per
// model to a snapshot, every configuration continuing from it; repeated
// runs give identical counters; the guest's figures and the equivalence
// with native are in every record; a cancelled experiment stops its
// workers; `lab experiment` writes the results files and prints the table.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ExperimentResults, type ExperimentSpec, parseExperiment } from '../../src/shared/experiment';
import { presetConfig } from '../../src/shared/hw';
import { sprByName } from '../../src/shared/spr';
import { runExperiment, type ExperimentProgress } from '../../src/main/lab/experiment';

const REPO = join(__dirname, '..', '..');
const SPEC: ExperimentSpec = parseExperiment(JSON.stringify({
  name: 'small',
  workload: { image: 'labos', snapshotAt: 'labos> ', input: 'bench null_syscall tcr_read\npoweroff\n' },
  models: ['booke-hv', 'state-transfer'],
  configurations: [{ preset: 'none' }, { preset: 'isa206' }, { name: 'isa206+TCR', patch: { strategies: { TCR: 'duplicate' } } }],
  repetitions: 2,
}));

describe('experiments', () => {
  it('runs every configuration from one snapshot per model, deterministically, with figures and the equivalence check', async () => {
    const progress: ExperimentProgress[] = [];
    const r = await runExperiment(SPEC, { baseDir: REPO, workers: 2, onProgress: (p) => progress.push(p) });
    // 3 boots (native and the two models), the native reference, 2 models x 3 configurations x 2 repetitions.
    expect(progress.at(-1)).toMatchObject({ done: 16, total: 16 });
    expect(progress.map((p) => p.done)).toEqual([...Array(16).keys()].map((k) => k + 1));
    expect(r.runs).toHaveLength(13);
    expect(r.runs.every((x) => x.difference === null && x.reason === 'reset')).toBe(true);
    const get = (config: string, model = 'booke-hv', rep = 1) => r.runs.find((x) => x.config === config && x.model === model && x.repetition === rep)!;
    // Repetitions are identical but for host time.
    const { hostMs: _a, ...first } = get('isa206');
    const { hostMs: _b, ...second } = get('isa206', 'booke-hv', 2);
    expect(second).toEqual({ ...first, repetition: 2 });
    // The trade-off is measured: duplicating TCR costs 32 bits and saves the tcr_read traps.
    expect(get('isa206+TCR').dieBits).toBe(get('isa206').dieBits + 32);
    expect(get('isa206+TCR').exits).toBeLessThan(get('isa206').exits);
    expect(get('none').exits).toBeGreaterThan(get('isa206').exits);
    expect(get('isa206').figures.tcr_read).toBeGreaterThan(get('isa206+TCR').figures.tcr_read!);
    expect(get('native', 'native').figures.null_syscall).toBeGreaterThan(0);
    expect(get('isa206', 'state-transfer').counters.transfer_switches).toBeGreaterThan(0);
    expect(r.imageSha256).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  it('runs a model without virtualization hardware once, with no die bits, in the first shard only', async () => {
    const spec = parseExperiment(JSON.stringify({
      name: 'scale',
      workload: { image: 'labos', snapshotAt: 'labos> ', input: 'bench null_syscall sprg_read\npoweroff\n' },
      models: ['booke-hv', 'trap-and-emulate'],
      configurations: [{ preset: 'none' }, { preset: 'isa206' }, { preset: 'all' }],
    }));
    const whole = await runExperiment(spec, { baseDir: REPO, workers: 2 });
    const tae = whole.runs.filter((x) => x.model === 'trap-and-emulate');
    expect(tae).toHaveLength(1);
    expect(tae[0]).toMatchObject({ config: 'trap-and-emulate', dieBits: 0, difference: null, reason: 'reset' });
    // The far end of the scale: more exits than booke-hv with nothing duplicated.
    const none = whole.runs.find((x) => x.model === 'booke-hv' && x.config === 'none')!;
    expect(tae[0]!.exits).toBeGreaterThan(none.exits);
    expect(tae[0]!.counters.emul_mfmsr).toBeGreaterThan(0);
    const shards = await Promise.all([1, 2].map((index) => runExperiment(spec, { baseDir: REPO, workers: 1, shard: { index, count: 2 } })));
    expect(shards[0]!.runs.filter((x) => x.model === 'trap-and-emulate')).toHaveLength(1);
    expect(shards[1]!.runs.filter((x) => x.model === 'trap-and-emulate')).toHaveLength(0);
  }, 120_000);

  it('orders a family as expected: duplicating more never adds exits, and 2.06 traps none of its own set', async () => {
    const spec = parseExperiment(JSON.stringify({
      name: 'ordering',
      workload: { image: 'labos', snapshotAt: 'labos> ', input: 'bench null_syscall sprg_read sprg_write\npoweroff\n' },
      models: ['booke-hv'],
      configurations: [{ family: 'subsets', of: ['SRR0', 'SRR1', 'SPRG0', 'SPRG1'] }, { preset: 'isa206' }],
    }));
    const r = await runExperiment(spec, { baseDir: REPO, workers: 2 });
    const subsets = r.runs.filter((x) => x.config.startsWith('none'));
    expect(subsets).toHaveLength(16);
    const dupOf = (config: string) => new Set(config.split('+').slice(1));
    for (const a of subsets) {
      for (const b of subsets) {
        const da = dupOf(a.config);
        const db = dupOf(b.config);
        if ([...da].every((x) => db.has(x))) expect(b.exits, `${b.config} against ${a.config}`).toBeLessThanOrEqual(a.exits);
      }
    }
    const isa206 = r.runs.find((x) => x.config === 'isa206')!;
    const own = Object.entries(presetConfig('isa206').strategies).filter(([, st]) => st === 'duplicate').map(([n]) => n);
    for (const n of own) expect(isa206.sprTraps[n] ?? 0, n).toBe(0);
    expect(r.runs.find((x) => x.config === 'none')!.sprTraps.SPRG0).toBeGreaterThan(0);
  }, 120_000);

  it('the equivalence check catches a hypervisor that emulates one SPR wrongly', async () => {
    const spec = parseExperiment(JSON.stringify({
      name: 'broken',
      workload: { image: 'labos', snapshotAt: 'labos> ', input: 'run hello\npoweroff\n' },
      models: ['booke-hv'],
      configurations: [{ preset: 'none' }, { preset: 'isa206' }],
    }));
    // Under "none" SRR0 traps; a hypervisor that returns it with a bit flipped sends labOS's interrupt returns astray.
    const r = await runExperiment(spec, { baseDir: REPO, workers: 2, testCorrupt: { config: 'none', spr: sprByName('SRR0')!.num } });
    expect(r.runs.find((x) => x.config === 'isa206')!.difference).toBeNull();
    const broken = r.runs.find((x) => x.config === 'none')!;
    expect(broken.difference).not.toBeNull();
    expect(broken.difference!.line).toBeGreaterThan(0);
  }, 120_000);

  it('stops its workers when cancelled, and refuses a workload that cannot run', async () => {
    const controller = new AbortController();
    const run = runExperiment(SPEC, { baseDir: REPO, workers: 2, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toThrow(/cancelled/);
    await expect(runExperiment({ ...SPEC, workload: { image: 'nowhere.elf' } }, { baseDir: REPO })).rejects.toThrow(/workload\.image: "nowhere\.elf"/);
    await expect(runExperiment({ ...SPEC, workload: { image: 'labos', snapshotAt: 'never printed' } }, { baseDir: REPO, workers: 1 }))
      .rejects.toThrow(/"never printed" never appeared on the console/);
  }, 120_000);

  it('shards run as separate processes merge into exactly the whole sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-shards-'));
    const file = join(dir, 'sharded.experiment.json');
    writeFileSync(file, JSON.stringify({ ...SPEC, name: 'sharded', models: ['booke-hv'], repetitions: 1,
      configurations: [{ preset: 'none' }, { preset: 'isa206' }, { name: 'isa206+TCR', patch: { strategies: { TCR: 'duplicate' } } }, { preset: 'all' }, { preset: 'x86' }] }));
    const cli = process.env.LAB_CLI_SCRIPT!;
    const lab = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    const shards = join(dir, 'shards');
    const whole = join(dir, 'whole');
    const merged = join(dir, 'merged');
    for (const d of [shards, whole, merged]) mkdirSync(d);
    const runs = await Promise.all([
      lab(['sweep', file, '--shard', '1/2', '--jobs', '1', '--out', shards, '--quiet']),
      lab(['sweep', file, '--shard', '2/2', '--jobs', '1', '--out', shards, '--quiet']),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect((await lab(['sweep', file, '--jobs', '2', '--out', whole, '--quiet'])).code).toBe(0);
    // An incomplete set is refused, naming what is missing.
    const partial = await lab(['merge', join(shards, 'sharded.shard-1-of-2.results.json'), '--out', merged]);
    expect(partial.code).toBe(64);
    expect(partial.stderr).toMatch(/shard 2\/2 missing/);
    const m = await lab(['merge', shards, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ExperimentResults;
    const strip = (r: ExperimentResults) => r.runs.map(({ hostMs: _h, ...rest }) => rest);
    const a = read(join(merged, 'sharded.results.json'));
    const b = read(join(whole, 'sharded.results.json'));
    expect(a.shard).toBeUndefined();
    expect(strip(a)).toEqual(strip(b));
    expect(a.configurations).toEqual(b.configurations);
    const csv = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, -1).join(','));
    expect(csv(join(merged, 'sharded.results.csv'))).toEqual(csv(join(whole, 'sharded.results.csv')));
  }, 180_000);

  it('a crash in the middle of writing leaves the previous results file intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-crash-'));
    const target = join(dir, 'x.results.json');
    writeFileSync(target, '{"previous":true}\n');
    // A process that starts writing 400 MB of results through writeAtomically and is killed meanwhile.
    const script = join(dir, 'writer.cjs');
    writeFileSync(script, `require(${JSON.stringify(join(REPO, 'src/main/cli/atomic-write.ts'))}).writeAtomically(${JSON.stringify(target)}, Buffer.alloc(400 * 1024 * 1024, 120));`);
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', script], { stdio: 'ignore', cwd: REPO });
    // Wait until it has begun writing (its temporary file exists), then kill it.
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(readFileSync(target, 'utf8')).toBe('{"previous":true}\n');
  }, 60_000);

  it('lab experiment writes the results as JSON and CSV and prints the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-exp-'));
    const file = join(dir, 'tiny.experiment.json');
    writeFileSync(file, JSON.stringify({ ...SPEC, name: 'tiny', models: ['booke-hv'], repetitions: 1 }));
    const cli = process.env.LAB_CLI_SCRIPT!;
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'experiment', file, '--out', dir, '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d; });
      child.stderr.on('data', (d: Buffer) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\[1\/\d+\] /m);
    expect(r.stdout).toMatch(/^config +model +die bits +exits +exits\/M +overhead +same as native$/m);
    expect(r.stdout).toMatch(/^isa206\+TCR +booke-hv +352 /m);
    expect(existsSync(join(dir, 'tiny.results.json'))).toBe(true);
    const csv = readFileSync(join(dir, 'tiny.results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 1 + 3);
    expect(csv[0]!.startsWith('config,model,repetition,die_bits,exits,overhead,')).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'tiny.results.json'), 'utf8')) as { labVersion: string; runs: unknown[] };
    expect(json.runs).toHaveLength(4);
    const bad = join(dir, 'bad.experiment.json');
    writeFileSync(bad, JSON.stringify({ ...SPEC, configurations: [{ family: 'subsets', of: ['NOPE'] }] }));
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'experiment', bad], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d; });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/configurations\.0\.of\.0: must be a configurable SPR|configurations\.0/);
  }, 120_000);
});
