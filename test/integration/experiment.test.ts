// Experiments (lab/experiment.ts) on a real worker pool: one boot per
// model to a snapshot, every configuration continuing from it; repeated
// runs give identical counters; the guest's figures and the equivalence
// with native are in every record; a cancelled experiment stops its
// workers; `lab experiment` writes the results files and prints the table.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ExperimentSpec, parseExperiment } from '../../src/shared/experiment';
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

  it('stops its workers when cancelled, and refuses a workload that cannot run', async () => {
    const controller = new AbortController();
    const run = runExperiment(SPEC, { baseDir: REPO, workers: 2, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toThrow(/cancelled/);
    await expect(runExperiment({ ...SPEC, workload: { image: 'nowhere.elf' } }, { baseDir: REPO })).rejects.toThrow(/workload\.image: "nowhere\.elf"/);
    await expect(runExperiment({ ...SPEC, workload: { image: 'labos', snapshotAt: 'never printed' } }, { baseDir: REPO, workers: 1 }))
      .rejects.toThrow(/"never printed" never appeared on the console/);
  }, 120_000);

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
