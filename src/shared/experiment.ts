// Experiments: a workload run under many virtual-hardware configurations,
// each from one booted snapshot, with the results that make the trade-off
// measurable (die bits against exits and modeled overhead). This module is
// the pure part both sides use: the experiment file's schema (validated with
// errors that name the field), the configuration families it can generate,
// the guest figures read from a console, the equivalence check against the
// native run, and the CSV layout. The runner is src/main/experiment.

import { z } from 'zod';
import type { GuestModel } from './api';
import { applyHwPatch, type HwConfig, type HwConfigPatch, hwCost, type PresetId, presetConfig } from './hw';
import { LabFailure } from './result';
import { CONFIGURABLE_SPRS, sprByName } from './spr';
import { COUNTERS, type CounterId } from './stats';

const MODELS = ['native', 'booke-hv', 'state-transfer', 'trap-and-emulate'] as const;
const PRESET_IDS = ['isa206', 'none', 'all', 'x86'] as const;
const sprName = z.string().min(1).max(16).refine((n) => sprByName(n) !== undefined && CONFIGURABLE_SPRS.includes(sprByName(n)!), 'must be a configurable SPR of the catalog');
const patch = z.strictObject({
  strategies: z.record(z.string().max(16), z.enum(['duplicate', 'shared', 'transfer', 'trap'])).optional(),
  direct: z.record(z.string().max(16), z.boolean()).optional(),
  policy: z.strictObject({
    injection: z.enum(['entry', 'exit']).optional(),
    sharedSave: z.enum(['exit', 'switch']).optional(),
    hostPageKb: z.number().int().min(4).optional(),
  }).optional(),
});

const configurationItem = z.union([
  z.strictObject({ preset: z.enum(PRESET_IDS) }),
  z.strictObject({ name: z.string().min(1).max(64), base: z.enum(PRESET_IDS).optional(), patch }),
  z.strictObject({ family: z.literal('isa206-plus-each') }),
  z.strictObject({ family: z.literal('isa206-minus-each') }),
  z.strictObject({ family: z.literal('subsets'), of: z.array(sprName).min(1).max(8), base: z.enum(PRESET_IDS).optional() }),
  z.strictObject({ family: z.literal('transfer-vs-duplicate'), set: z.array(sprName).min(1).max(64), base: z.enum(PRESET_IDS).optional() }),
]);

export const EXPERIMENT_SCHEMA = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
  description: z.string().max(2000).optional(),
  workload: z.strictObject({
    /** A bundled image id or a path (relative to the experiment file). */
    image: z.string().min(1).max(255),
    bootargs: z.string().max(1024).optional(),
    ramMb: z.number().int().min(64).max(2048).multipleOf(64).optional(),
    /** Boot once per model until this appears on the console and snapshot there; every configuration continues from it. */
    snapshotAt: z.string().min(1).max(200).optional(),
    /** Typed on the console after the snapshot (or from the start without one). */
    input: z.string().max(4096).optional(),
    /** Console lines matching these regular expressions have their numbers masked before the equivalence check. */
    mask: z.array(z.string().max(200)).max(16).optional(),
  }),
  models: z.array(z.enum(MODELS)).min(1).max(3).refine((m) => !m.includes('native'), 'native is always run as the reference; list the hosted models'),
  configurations: z.array(configurationItem).min(1).max(64),
  repetitions: z.number().int().min(1).max(100).optional(),
  maxInsns: z.number().int().min(1000).max(1e11).optional(),
});

export type ExperimentSpec = z.infer<typeof EXPERIMENT_SCHEMA>;

/** The experiment file's JSON Schema (published as resources/experiments/experiment.schema.json; a test keeps the file current). */
export function experimentJsonSchema(): unknown {
  return {
    ...z.toJSONSchema(EXPERIMENT_SCHEMA, { unrepresentable: 'any' }),
    $id: 'https://hypervisor-lab.invalid/experiment.schema.json',
    title: 'Hypervisor Lab experiment (NAME.experiment.json)',
    description: 'A workload run under many virtual-hardware configurations; see docs/experiments.md. SPR names must be configurable SPRs of the lab\'s catalog.',
  };
}
export type ConfigurationItem = z.infer<typeof configurationItem>;

/** Parses and validates an experiment file's text; the error names the field (workload.image, configurations.2.of.0 ...). */
export function parseExperiment(text: string, file = 'experiment'): ExperimentSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LabFailure('invalid-request', `${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = EXPERIMENT_SCHEMA.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.') || '(top level)';
    throw new LabFailure('invalid-request', `${file}: ${field}: ${issue.message}`, { field });
  }
  for (const pattern of r.data.workload.mask ?? []) {
    try {
      new RegExp(pattern);
    } catch {
      throw new LabFailure('invalid-request', `${file}: workload.mask: "${pattern}" is not a regular expression`, { field: 'workload.mask' });
    }
  }
  return r.data;
}

/** One configuration to run: a name and the whole virtual hardware. */
export interface NamedConfig {
  name: string;
  hw: HwConfig;
}

function withStrategies(base: PresetId, strategies: Record<string, 'duplicate' | 'shared' | 'transfer' | 'trap'>): HwConfig {
  return applyHwPatch(presetConfig(base), { strategies });
}

/** The configurations an experiment's list generates, in order, without duplicates (by name). */
export function expandConfigurations(items: readonly ConfigurationItem[]): NamedConfig[] {
  const out: NamedConfig[] = [];
  const seen = new Set<string>();
  const add = (name: string, hw: HwConfig) => {
    if (seen.has(name)) return;
    seen.add(name);
    out.push({ name, hw });
  };
  const isa206 = presetConfig('isa206');
  for (const item of items) {
    if ('preset' in item) add(item.preset, presetConfig(item.preset));
    else if ('patch' in item) add(item.name, applyHwPatch(presetConfig(item.base ?? 'isa206'), item.patch as HwConfigPatch));
    else if (item.family === 'isa206-plus-each') {
      add('isa206', isa206);
      for (const s of CONFIGURABLE_SPRS) {
        if (isa206.strategies[s.name] === 'duplicate' || !s.allowed.includes('duplicate')) continue;
        add(`isa206+${s.name}`, withStrategies('isa206', { [s.name]: 'duplicate' }));
      }
    } else if (item.family === 'isa206-minus-each') {
      add('isa206', isa206);
      for (const s of CONFIGURABLE_SPRS) {
        if (isa206.strategies[s.name] !== 'duplicate') continue;
        add(`isa206-${s.name}`, withStrategies('isa206', { [s.name]: 'trap' }));
      }
    } else if (item.family === 'subsets') {
      const names = item.of.map((n) => sprByName(n)!.name);
      const base = item.base ?? 'none';
      for (let mask = 0; mask < 1 << names.length; mask++) {
        const chosen = names.filter((_, i) => mask & (1 << i));
        const strategies = Object.fromEntries(names.map((n) => [n, chosen.includes(n) ? 'duplicate' : 'trap'] as const));
        add(`${base}${chosen.length ? `+${chosen.join('+')}` : ''}`, withStrategies(base, strategies));
      }
    } else {
      const names = item.set.map((n) => sprByName(n)!.name);
      const base = item.base ?? 'isa206';
      add(`${base}:dup(${names.join(',')})`, withStrategies(base, Object.fromEntries(names.map((n) => [n, 'duplicate'] as const))));
      add(`${base}:xfer(${names.join(',')})`, withStrategies(base, Object.fromEntries(names.map((n) => [n, 'transfer'] as const))));
    }
  }
  return out;
}

/** A guest's own benchmark rows ("bench NAME N TICKS PER-OP", labOS's and our Linux /init's format): per-op figures by name. */
export function benchFigures(console: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of console.matchAll(/^bench (\S+) \d+ \d+ ([\d.]+)\s*$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

/** The console with numbers masked on lines that carry timings (bench rows always; plus the experiment's patterns). */
export function maskConsole(console: string, patterns: readonly string[] = []): string[] {
  const res = [/^bench /, ...patterns.map((p) => new RegExp(p))];
  return console.replace(/\r/g, '').split('\n').map((line) => (res.some((r) => r.test(line)) ? line.replace(/\d+(\.\d+)?/g, '#') : line));
}

/** The first line where a run's console differs from the reference's (masked), or null when they are the same. */
export function firstDifference(reference: readonly string[], got: readonly string[]): { line: number; expected: string; got: string } | null {
  const n = Math.max(reference.length, got.length);
  for (let i = 0; i < n; i++) {
    if (reference[i] !== got[i]) return { line: i + 1, expected: reference[i] ?? '(end of output)', got: got[i] ?? '(end of output)' };
  }
  return null;
}

/** How far an experiment is. */
export interface ExperimentProgress {
  done: number;
  total: number;
  /** Estimated time to finish, from the pace so far (null until a job has finished). */
  etaMs: number | null;
  /** What just finished. */
  last: string;
}

/** A bundled example experiment (resources/experiments). */
export interface ExperimentExample {
  file: string;
  spec: ExperimentSpec;
}

/** One configuration's run (one repetition). */
export interface RunRecord {
  config: string;
  model: GuestModel;
  /** The configuration itself (so a result can be applied to a guest, or reproduced). */
  hw: HwConfig;
  repetition: number;
  dieBits: number;
  insns: number;
  /** Modeled guest cycles, and the hypervisor's share of them. */
  cycles: number;
  hvCycles: number;
  overhead: number;
  exits: number;
  counters: Partial<Record<CounterId, number>>;
  /** Trapped accesses (reads and writes) per SPR, for the SPRs the guest trapped on. */
  sprTraps: Record<string, number>;
  /** The guest's own benchmark figures (per-op ticks). */
  figures: Record<string, number>;
  /** How the guest ended. */
  reason: string;
  /** Null: the console equals native's (masked); else the first differing line. */
  difference: { line: number; expected: string; got: string } | null;
  hostMs: number;
}

export interface ExperimentResults {
  experiment: string;
  labVersion: string;
  imageSha256: string;
  costModel: unknown;
  startedAt: string;
  finishedAt: string;
  /** The hosted models and every configuration the file generates, in order (what shards and merges are checked against). */
  models: GuestModel[];
  configurations: string[];
  /** Present when this is one shard of a sweep: which configurations it ran (index i-1 modulo count). */
  shard?: { index: number; count: number };
  runs: RunRecord[];
}

/** "I/N" as given to --shard (1-based). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!(count >= 1 && index >= 1 && index <= count)) throw new LabFailure('invalid-request', `--shard must be I/N with 1 <= I <= N (got "${text}")`, { field: 'shard' });
  return { index, count };
}

/** The configurations (by position) shard index/count runs. */
export function inShard(position: number, shard: { index: number; count: number } | undefined): boolean {
  return shard === undefined || position % shard.count === shard.index - 1;
}

/** Runs in the order an unsharded sweep lists them: native first, then by model, configuration and repetition. */
export function canonicalOrder(runs: readonly RunRecord[], models: readonly GuestModel[], configurations: readonly string[]): RunRecord[] {
  const key = (r: RunRecord) => (r.model === 'native' ? [-1, -1, 0] : [models.indexOf(r.model), configurations.indexOf(r.config), r.repetition]);
  return [...runs].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  });
}

/**
 * Joins shard results into the results of the whole sweep. Every shard must
 * be of the same experiment, lab version, image and cost model, and the set
 * complete (each index once); the error names the shard (its label).
 */
export function mergeShards(shards: readonly { label: string; results: ExperimentResults }[]): ExperimentResults {
  if (shards.length === 0) throw new LabFailure('invalid-request', 'nothing to merge: no shard results found');
  const first = shards[0]!.results;
  const count = first.shard?.count;
  if (count === undefined) throw new LabFailure('invalid-request', `${shards[0]!.label} is not a shard (it has no shard field)`);
  const seen = new Map<number, string>();
  for (const { label, results: r } of shards) {
    const same = r.experiment === first.experiment && r.labVersion === first.labVersion && r.imageSha256 === first.imageSha256
      && JSON.stringify(r.costModel) === JSON.stringify(first.costModel) && JSON.stringify(r.configurations) === JSON.stringify(first.configurations)
      && JSON.stringify(r.models) === JSON.stringify(first.models);
    if (!same) throw new LabFailure('invalid-request', `${label} is not from the same sweep as ${shards[0]!.label} (experiment, lab version, image, cost model or configurations differ)`);
    if (r.shard?.count !== count) throw new LabFailure('invalid-request', `${label} is shard ${r.shard ? `${r.shard.index}/${r.shard.count}` : '(none)'}; the others are of ${count}`);
    if (seen.has(r.shard.index)) throw new LabFailure('invalid-request', `${label} and ${seen.get(r.shard.index)} are both shard ${r.shard.index}/${count}`);
    seen.set(r.shard.index, label);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new LabFailure('invalid-request', `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  const native = first.runs.filter((r) => r.model === 'native');
  const others = shards.flatMap((s) => s.results.runs.filter((r) => r.model !== 'native'));
  const { shard: _shard, ...rest } = first;
  return {
    ...rest,
    startedAt: shards.map((s) => s.results.startedAt).sort()[0]!,
    finishedAt: shards.map((s) => s.results.finishedAt).sort().at(-1)!,
    runs: canonicalOrder([...native, ...others], first.models, first.configurations),
  };
}

/** CSV with one row per run: the deterministic columns first (configuration, die bits, exits, overhead), host time last. */
export function resultsCsv(r: ExperimentResults): string {
  const figures = [...new Set(r.runs.flatMap((x) => Object.keys(x.figures)))].sort();
  const counters = COUNTERS.map((c) => c.id);
  const head = ['config', 'model', 'repetition', 'die_bits', 'exits', 'overhead', 'insns', 'cycles', 'hv_cycles', 'equivalent',
    ...counters, ...figures.map((f) => `bench_${f}`), 'reason', 'host_ms'];
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = r.runs.map((x) => [
    q(x.config), x.model, x.repetition, x.dieBits, x.exits, x.overhead.toFixed(6), x.insns, x.cycles, x.hvCycles, x.difference === null ? 'yes' : 'no',
    ...counters.map((c) => x.counters[c] ?? 0), ...figures.map((f) => x.figures[f] ?? ''), q(x.reason), x.hostMs.toFixed(1),
  ].join(','));
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

export function dieBits(hw: HwConfig): number {
  return hwCost(hw).dieBits;
}


/** One point per configuration and model (first repetition): die bits against modeled overhead. */
export interface ParetoPoint {
  config: string;
  model: GuestModel;
  dieBits: number;
  overhead: number;
  exitsPerMinsn: number;
  /** On the frontier: no other point has as few die bits and less overhead, or fewer die bits and as little. */
  frontier: boolean;
}

export function paretoPoints(runs: readonly RunRecord[]): ParetoPoint[] {
  const pts = runs.filter((r) => r.repetition === 1 && r.model !== 'native').map((r) => ({
    config: r.config, model: r.model, dieBits: r.dieBits, overhead: r.overhead,
    exitsPerMinsn: r.insns > 0 ? (r.exits / r.insns) * 1e6 : 0, frontier: false,
  }));
  for (const p of pts) {
    p.frontier = !pts.some((q) => q !== p && q.model === p.model && q.dieBits <= p.dieBits && q.overhead <= p.overhead
      && (q.dieBits < p.dieBits || q.overhead < p.overhead));
  }
  return pts;
}

/** What one register's guest copy is worth: exits per million instructions it saves (or costs), for its die bits. */
export interface MarginalValue {
  spr: string;
  model: GuestModel;
  /** 'add': duplicated on top of 2.06 (isa206+SPR); 'remove': taken away from it (isa206-SPR). */
  change: 'add' | 'remove';
  bits: number;
  exitsPerMinsnSaved: number;
  overheadSaved: number;
  text: string;
}

export function marginalValues(runs: readonly RunRecord[]): MarginalValue[] {
  const out: MarginalValue[] = [];
  const first = runs.filter((r) => r.repetition === 1);
  const rate = (r: RunRecord) => (r.insns > 0 ? (r.exits / r.insns) * 1e6 : 0);
  for (const r of first) {
    const m = /^isa206([+-])([A-Z0-9]+)$/.exec(r.config);
    if (!m) continue;
    const base = first.find((b) => b.config === 'isa206' && b.model === r.model);
    if (!base) continue;
    const add = m[1] === '+';
    const saved = add ? rate(base) - rate(r) : rate(r) - rate(base);
    const bits = Math.abs(r.dieBits - base.dieBits);
    const n = Math.round(saved).toLocaleString('en-US');
    out.push({
      spr: m[2]!, model: r.model, change: add ? 'add' : 'remove', bits, exitsPerMinsnSaved: saved,
      overheadSaved: add ? base.overhead - r.overhead : r.overhead - base.overhead,
      text: add ? `duplicating ${m[2]} saves ${n} exits per million instructions for ${bits} bits`
        : `the guest copy of ${m[2]} saves ${n} exits per million instructions for its ${bits} bits`,
    });
  }
  return out.sort((a, b) => b.exitsPerMinsnSaved / Math.max(1, b.bits) - a.exitsPerMinsnSaved / Math.max(1, a.bits));
}
