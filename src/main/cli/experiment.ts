// `lab experiment FILE`: runs an experiment (NAME.experiment.json) on a
// pool of worker threads, with progress on stderr, a table of the results on
// stdout, and the results written as NAME.results.json and NAME.results.csv
// (atomically) into --out. Ctrl-C cancels: the workers stop, nothing is written.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ExperimentResults, parseExperiment, resultsCsv, type RunRecord } from '../../shared/experiment';
import { LabFailure } from '../../shared/result';
import { runExperiment } from '../lab/experiment';
import { writeAtomically } from './atomic-write';
import { EXIT, UsageError } from './exit-codes';

export const EXPERIMENT_USAGE = `Usage: lab experiment FILE.experiment.json [--workers N] [--out DIR] [--quiet]
  Runs the workload under every configuration the file lists or generates
  (presets, "isa206-plus-each", "isa206-minus-each", subsets of a few SPRs,
  transfer against duplicate), from one booted snapshot per model, on N worker
  threads (default: one per core), deterministically. Prints progress on
  stderr and a table on stdout: die bits, exits, exits per million
  instructions, modeled overhead, whether the guest's output equals native's.
  Writes NAME.results.json and NAME.results.csv into --out (default: the
  current directory). Examples: resources/experiments/. Exit status: 0; 2 the
  workload cannot run; 6 a configuration's output differs from native's;
  64 a bad experiment file; 130 Ctrl-C.`;

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
      workers: { type: 'string' },
      out: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(EXPERIMENT_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('lab experiment needs exactly one experiment file');
  const file = resolve(positionals[0]!);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) throw new UsageError(`--workers must be 1-64 (got "${values.workers}")`);
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
      signal: controller.signal,
      onProgress: (p) => {
        if (!values.quiet) process.stderr.write(`[${p.done}/${p.total}] ${p.last}${p.etaMs !== null && p.done < p.total ? `, about ${formatMs(p.etaMs)} left` : ''}\n`);
      },
    });
  } catch (e) {
    if (controller.signal.aborted) {
      console.error('lab experiment: cancelled; no results written');
      return EXIT.interrupted;
    }
    if (e instanceof LabFailure) {
      console.error(`lab experiment: ${e.message}`);
      return EXIT.badImage;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
  }
  const outDir = resolve(values.out ?? '.');
  const json = join(outDir, `${spec.name}.results.json`);
  const csv = join(outDir, `${spec.name}.results.csv`);
  writeAtomically(json, `${JSON.stringify(results, null, 2)}\n`);
  writeAtomically(csv, resultsCsv(results));
  process.stdout.write(resultsTable(results));
  const differing = results.runs.filter((r) => r.difference !== null);
  for (const d of differing) {
    console.error(`lab experiment: ${d.config} (${d.model}) differs from native at line ${d.difference!.line}: expected ${JSON.stringify(d.difference!.expected)}, got ${JSON.stringify(d.difference!.got)}`);
  }
  process.stderr.write(`lab experiment: ${results.runs.length} runs; results in ${json} and ${csv}\n`);
  return differing.length > 0 ? EXIT.script : EXIT.ok;
}
