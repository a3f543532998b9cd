// Experiment files (src/shared/experiment.ts): the schema's errors name the
// field, the configuration families generate what they promise, guest
// figures and the masked equivalence check read consoles as intended, and
// the CSV puts the deterministic columns first.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  experimentJsonSchema, mergeShards, parseShard, type RunRecord,
  benchFigures, expandConfigurations, firstDifference, maskConsole, parseExperiment, resultsCsv, type ExperimentResults,
} from '../../../src/shared/experiment';
import { hwCost, presetConfig } from '../../../src/shared/hw';
import { CONFIGURABLE_SPRS } from '../../../src/shared/spr';

const ok = {
  name: 'demo',
  workload: { image: 'labos', snapshotAt: 'labos> ', input: 'bench\npoweroff\n' },
  models: ['booke-hv'],
  configurations: [{ preset: 'isa206' }],
};

describe('experiment files', () => {
  it('accepts a well-formed experiment and names the field of a bad one', () => {
    expect(parseExperiment(JSON.stringify(ok)).name).toBe('demo');
    const bad = (patch: object) => () => parseExperiment(JSON.stringify({ ...ok, ...patch }), 'x.experiment.json');
    expect(bad({ name: 'a b' })).toThrow(/x\.experiment\.json: name: letters, digits/);
    expect(bad({ models: ['native'] })).toThrow(/models: native is always run as the reference/);
    expect(bad({ models: ['vmx'] })).toThrow(/models\.0: /);
    expect(bad({ configurations: [{ preset: 'arm' }] })).toThrow(/configurations\.0/);
    expect(bad({ configurations: [{ family: 'subsets', of: ['FOO'] }] })).toThrow(/configurations\.0/);
    expect(bad({ workload: { image: 'labos', mask: ['('] } })).toThrow(/workload\.mask: "\(" is not a regular expression/);
    expect(bad({ surprise: 1 })).toThrow(/Unrecognized key/);
    expect(() => parseExperiment('{', 'x.json')).toThrow(/x\.json is not valid JSON/);
  });

  it('publishes its JSON Schema, and every bundled example is valid', () => {
    const dir = join(__dirname, '..', '..', '..', 'resources', 'experiments');
    expect(JSON.parse(readFileSync(join(dir, 'experiment.schema.json'), 'utf8'))).toEqual(experimentJsonSchema());
    const examples = readdirSync(dir).filter((f) => f.endsWith('.experiment.json'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const f of examples) expect(() => parseExperiment(readFileSync(join(dir, f), 'utf8'), f), f).not.toThrow();
  });

  it('splits configurations into shards and merges complete, consistent sets only', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'x', '1/2/3']) expect(() => parseShard(bad), bad).toThrow(/--shard must be I\/N/);
    const run = (config: string, model: 'native' | 'booke-hv'): RunRecord => ({
      config, model, hw: presetConfig('isa206'), repetition: 1, dieBits: 0, insns: 1, cycles: 1, hvCycles: 0, overhead: 0, exits: config.length,
      counters: {}, sprTraps: {}, figures: {}, reason: 'reset', difference: null, hostMs: 1,
    });
    const shard = (index: number, configs: string[]) => ({
      label: `s${index}`,
      results: { experiment: 'e', labVersion: '0.1.0', imageSha256: 'h', costModel: {}, startedAt: `t${index}`, finishedAt: `u${index}`, models: ['booke-hv' as const],
        configurations: ['a', 'bb', 'ccc'], shard: { index, count: 2 }, runs: [run('native', 'native'), ...configs.map((c) => run(c, 'booke-hv'))] },
    });
    const merged = mergeShards([shard(2, ['bb']), shard(1, ['a', 'ccc'])]);
    expect(merged.runs.map((r) => r.config)).toEqual(['native', 'a', 'bb', 'ccc']);
    expect(merged.shard).toBeUndefined();
    expect(() => mergeShards([shard(1, ['a', 'ccc'])])).toThrow(/shard 2\/2 missing/);
    expect(() => mergeShards([shard(1, ['a']), shard(1, ['a'])])).toThrow(/s1 and s1 are both shard 1\/2/);
    const other = shard(2, ['bb']);
    other.results.imageSha256 = 'other';
    expect(() => mergeShards([shard(1, ['a']), other])).toThrow(/s2 is not from the same sweep as s1/);
  });

  it('generates the configuration families', () => {
    const plus = expandConfigurations([{ family: 'isa206-plus-each' }]);
    const isa206 = presetConfig('isa206');
    const notDup = CONFIGURABLE_SPRS.filter((s) => isa206.strategies[s.name] !== 'duplicate' && s.allowed.includes('duplicate'));
    expect(plus).toHaveLength(1 + notDup.length);
    const tcr = plus.find((c) => c.name === 'isa206+TCR')!;
    expect(tcr.hw.strategies.TCR).toBe('duplicate');
    expect(hwCost(tcr.hw).dieBits).toBe(hwCost(isa206).dieBits + 32);
    const minus = expandConfigurations([{ family: 'isa206-minus-each' }]);
    expect(minus.find((c) => c.name === 'isa206-SRR0')!.hw.strategies.SRR0).toBe('trap');
    const subsets = expandConfigurations([{ family: 'subsets', of: ['SRR0', 'srr1', 'ESR'] }]);
    expect(subsets.map((c) => c.name)).toEqual(['none', 'none+SRR0', 'none+SRR1', 'none+SRR0+SRR1', 'none+ESR', 'none+SRR0+ESR', 'none+SRR1+ESR', 'none+SRR0+SRR1+ESR']);
    expect(subsets[5]!.hw.strategies).toMatchObject({ SRR0: 'duplicate', SRR1: 'trap', ESR: 'duplicate' });
    const tvd = expandConfigurations([{ family: 'transfer-vs-duplicate', set: ['SPRG0', 'SPRG1'] }]);
    expect(tvd.map((c) => c.name)).toEqual(['isa206:dup(SPRG0,SPRG1)', 'isa206:xfer(SPRG0,SPRG1)']);
    expect(tvd[1]!.hw.strategies.SPRG1).toBe('transfer');
    // Duplicates by name appear once.
    expect(expandConfigurations([{ preset: 'isa206' }, { family: 'isa206-minus-each' }]).filter((c) => c.name === 'isa206')).toHaveLength(1);
  });

  it('reads the guest\'s benchmark rows and masks timings before comparing consoles', () => {
    const a = 'labos> bench\r\nbench null_syscall 2000 105206 52.60\r\nbench sprg_read 8000 3606 0.45\r\nlabos> poweroff\r\n';
    expect(benchFigures(a.replace(/^labos> /m, ''))).toEqual({ null_syscall: 52.6, sprg_read: 0.45 });
    const b = a.replace('105206 52.60', '99999 49.99');
    expect(firstDifference(maskConsole(a), maskConsole(b))).toBeNull();
    const c = a.replace('poweroff', 'reboot');
    expect(firstDifference(maskConsole(a), maskConsole(c))).toEqual({ line: 4, expected: 'labos> poweroff', got: 'labos> reboot' });
    expect(firstDifference(maskConsole('x\ny'), maskConsole('x'))).toEqual({ line: 2, expected: 'y', got: '(end of output)' });
    expect(firstDifference(maskConsole('took 12 ms'), maskConsole('took 13 ms'))).not.toBeNull();
    expect(firstDifference(maskConsole('took 12 ms', ['^took']), maskConsole('took 13 ms', ['^took']))).toBeNull();
  });

  it('writes CSV with the deterministic columns first and host time last', () => {
    const r: ExperimentResults = {
      experiment: 'demo', labVersion: '0.1.0', imageSha256: 'x', costModel: {}, startedAt: '', finishedAt: '', models: ['booke-hv'], configurations: ['a,b'],
      runs: [{ config: 'a,b', model: 'booke-hv', hw: presetConfig('isa206'), repetition: 1, dieBits: 320, insns: 10, cycles: 20, hvCycles: 5, overhead: 0.25, exits: 3,
        counters: { mmio_exits: 3 }, sprTraps: {}, figures: { null_syscall: 52.6 }, reason: 'reset', difference: null, hostMs: 12.34 }],
    };
    const [head, row] = resultsCsv(r).trim().split('\n');
    expect(head!.split(',').slice(0, 6)).toEqual(['config', 'model', 'repetition', 'die_bits', 'exits', 'overhead']);
    expect(head!.split(',').at(-1)).toBe('host_ms');
    expect(row!.startsWith('"a,b",booke-hv,1,320,3,0.250000,')).toBe(true);
    expect(row!.endsWith(',52.6,reset,12.3')).toBe(true);
  });
});
