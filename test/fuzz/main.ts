// npm run fuzz -- boundaries [--runs N] [--seed S] [--only NAME,...]
//   property-based fuzzing of every outside-input boundary (test/fuzz/boundaries.ts);
//   prints each boundary's seed, and on a failure the seed and path that replay it.
// npm run fuzz -- [options]
//   the random-instruction differential fuzzer against QEMU (test/differential/random/fuzz.ts).
import { BOUNDARIES } from './boundaries';

async function boundaries(argv: string[]): Promise<number> {
  let runs = 1000;
  let seed = (Math.random() * 0x7fffffff) >>> 0;
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[++i];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--runs') runs = Number(v);
    else if (k === '--seed') seed = Number(v);
    else if (k === '--only') only = v.split(',');
    else throw new Error(`unknown option ${k} (use --runs, --seed, --only)`);
    if ((k === '--runs' || k === '--seed') && (!Number.isSafeInteger(Number(v)) || Number(v) < 0)) throw new Error(`${k} must be a non-negative integer`);
  }
  const chosen = BOUNDARIES.filter((b) => only === null || only.includes(b.name));
  if (chosen.length === 0) throw new Error(`no such boundary; boundaries: ${BOUNDARIES.map((b) => b.name).join(', ')}`);
  let failures = 0;
  for (const b of chosen) {
    const started = Date.now();
    try {
      await b.run({ seed, numRuns: runs });
      console.log(`fuzz ${b.name}: ${runs} runs passed in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})`);
    } catch (e) {
      failures++;
      console.log(`fuzz ${b.name}: FAILED (seed ${seed}); replay with: npm run fuzz -- boundaries --only ${b.name} --seed ${seed} --runs ${runs}`);
      console.log(e instanceof Error ? e.message : String(e));
    }
  }
  return failures === 0 ? 0 : 1;
}

const argv = process.argv.slice(2);
if (argv[0] === 'boundaries') {
  boundaries(argv.slice(1)).then((code) => process.exit(code), (e: unknown) => {
    console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(64);
  });
} else {
  void import('../differential/random/fuzz');
}
