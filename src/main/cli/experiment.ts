// `lab sweep FILE` (also `lab experiment`): runs an experiment
// (NAME.experiment.json) on a pool of worker threads, with progress on
// stderr, a table of the results on stdout, and the results written as
// NAME.results.json and NAME.results.csv (atomically) into --out; --shard I/N
// runs one deterministic slice, and `lab merge` joins the slices. Ctrl-C
// cancels: the workers stop, nothing is written.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ExperimentResults, mergeShards, parseExperiment, parseShard, resultsCsv, type RunRecord } from '../../shared/experiment';
import { LabFailure } from '../../shared/result';
import { runExperiment } from '../lab/experiment';
import { writeAtomically } from './atomic-write';
import { EXIT, UsageError } from './exit-codes';

export const EXPERIMENT_USAGE = `Usage: lab sweep FILE.experiment.json [--jobs N] [--out DIR] [--shard I/N] [--quiet]
       lab merge DIR|FILE... [--out DIR]
  (lab experiment is another name for lab sweep.)
  Runs the workload under every configuration the file lists or generates
  (presets, "isa206-plus-each", "isa206-minus-each", subsets of a few SPRs,
  transfer against duplicate), from one booted snapshot per model, on N worker
  threads (default: one per core), deterministically. Prints progress on
  stderr and a table on stdout: die bits, exits, exits per million
  instructions, modeled overhead, whether the guest's output equals native's.
  Writes NAME.results.json and NAME.results.csv into --out (default: the
  current directory). --shard I/N runs the configurations at positions I-1
  modulo N (and native) into NAME.shard-I-of-N.results.json; lab merge joins
  a complete set of shards (files, or directories holding them) into the
  results of the whole sweep. docs/experiments.md has batch-engine recipes.
  Examples: resources/experiments/. Exit status: 0; 2 the workload cannot
  run; 6 a configuration's output differs from native's; 64 a bad experiment
  file or shard set; 130 Ctrl-C.`;

function formatMs(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** The results as a table: one row a run, sorted by die bits then exits. */
export function resultsTable(r: ExperimentResults): string {
  const rows = [...r.runs].sort((a, b) => (a.model === 'native' ? -1 : b.model === 'native' ? 1 : a.dieBits - b.dieBits || a.exits - b.exits));
  const name = Math.max(6, ...rows.map((x) => x.config.length));
  const model = Math.max(5, ...rows.map((x) => x.model.length));
  const line = (x: RunRecord) => [
    x.config.padEnd(name), x.model.padEnd(model), String(x.dieBits).padStart(8), x.exits.toLocaleString('en-US').padStart(10),
    (x.insns > 0 ? (x.exits / x.insns) * 1e6 : 0).toFixed(0).padStart(9), `${(x.overhead * 100).toFixed(2)}%`.padStart(9),
    (x.difference === null ? 'yes' : `no (line ${x.difference.line})`).padStart(10),
  ].join('  ');
  const head = ['config'.padEnd(name), 'model'.padEnd(model), 'die bits', '     exits', 'exits/M', ' overhead', 'same as native'.padStart(10)].join('  ');
  return `${[head, ...rows.map(line)].join('\n')}\n`;
}

export async function experimentCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      jobs: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      shard: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(EXPERIMENT_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('lab sweep needs exactly one experiment file');
  const file = resolve(positionals[0]!);
  const jobsText = values.jobs ?? values.workers;
  const workers = jobsText === undefined ? undefined : Number(jobsText);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) throw new UsageError(`--jobs must be 1-64 (got "${jobsText}")`);
  let shard: { index: number; count: number } | undefined;
  try {
    shard = values.shard === undefined ? undefined : parseShard(values.shard);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let spec;
  try {
    spec = parseExperiment(text, positionals[0]!);
  } catch (e) {
    if (e instanceof LabFailure) throw new UsageError(e.message);
    throw e;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  let results: ExperimentResults;
  try {
    results = await runExperiment(spec, {
      baseDir: dirname(file),
      ...(workers !== undefined ? { workers } : {}),
      ...(shard ? { shard } : {}),
      signal: controller.signal,
      onProgress: (p) => {
        if (!values.quiet) process.stderr.write(`[${p.done}/${p.total}] ${p.last}${p.etaMs !== null && p.done < p.total ? `, about ${formatMs(p.etaMs)} left` : ''}\n`);
      },
    });
  } catch (e) {
    if (controller.signal.aborted) {
      console.error('lab sweep: cancelled; no results written');
      return EXIT.interrupted;
    }
    if (e instanceof LabFailure) {
      console.error(`lab sweep: ${e.message}`);
      return EXIT.badImage;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
  }
  const { json, csv } = writeResults(results, resolve(values.out ?? '.'));
  process.stdout.write(resultsTable(results));
  const differing = results.runs.filter((r) => r.difference !== null);
  for (const d of differing) {
    console.error(`lab sweep: ${d.config} (${d.model}) differs from native at line ${d.difference!.line}: expected ${JSON.stringify(d.difference!.expected)}, got ${JSON.stringify(d.difference!.got)}`);
  }
  process.stderr.write(`lab sweep: ${results.runs.length} runs; results in ${json} and ${csv}\n`);
  return differing.length > 0 ? EXIT.script : EXIT.ok;
}

/** Writes NAME[.shard-I-of-N].results.json and .csv into dir, atomically; returns their paths. */
function writeResults(results: ExperimentResults, dir: string): { json: string; csv: string } {
  const base = results.shard ? `${results.experiment}.shard-${results.shard.index}-of-${results.shard.count}` : results.experiment;
  const json = join(dir, `${base}.results.json`);
  const csv = join(dir, `${base}.results.csv`);
  writeAtomically(json, `${JSON.stringify(results, null, 2)}\n`);
  writeAtomically(csv, resultsCsv(results));
  return { json, csv };
}

export const MERGE_USAGE = EXPERIMENT_USAGE;

/** `lab merge DIR|FILE... [--out DIR]`: joins shard results into the whole sweep's. */
export function mergeCommand(argv: string[]): number {
  const { values, positionals } = parseArgs({ args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    console.log(MERGE_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('lab merge needs shard result files or directories holding them');
  const files: string[] = [];
  for (const p of positionals) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or directory`);
    if (statSync(p).isDirectory()) files.push(...readdirSync(p).filter((f) => /\.shard-\d+-of-\d+\.results\.json$/.test(f)).sort().map((f) => join(p, f)));
    else files.push(p);
  }
  let merged: ExperimentResults;
  try {
    merged = mergeShards(files.map((f) => {
      try {
        return { label: f, results: JSON.parse(readFileSync(f, 'utf8')) as ExperimentResults };
      } catch (e) {
        throw new LabFailure('invalid-request', `${f} is not a results file: ${e instanceof Error ? e.message : String(e)}`);
      }
    }));
  } catch (e) {
    if (e instanceof LabFailure) throw new UsageError(e.message);
    throw e;
  }
  const { json, csv } = writeResults(merged, resolve(values.out ?? '.'));
  process.stdout.write(resultsTable(merged));
  process.stderr.write(`lab merge: ${files.length} shards, ${merged.runs.length} runs; results in ${json} and ${csv}\n`);
  return EXIT.ok;
}
