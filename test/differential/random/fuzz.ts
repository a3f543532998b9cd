// Random differential testing CLI (npm run fuzz -- [options]).
//   --count N     sequences per image (default 300)
//   --seed S      run seed (default: random; printed so a run can be replayed)
//   --length L    instructions per sequence (default 40)
//   --images K    images to run, seeds S, S+1, ... (default 1)
//   --only I,J    only these sequence indexes of the run (replay)
//   --qemu-only   compare QEMU with itself even when the lab is available
//   --list I      print the listing of sequence I and exit
//   --model M     run the lab side under this model (native, booke-hv, state-transfer, trap-and-emulate; default native)
//   --preset P    the virtual hardware under a hypervisor (isa206, none, all, x86; default isa206)
// Without the lab (src/main/guest/run.ts) every image runs twice on QEMU and
// the dumps must agree: that validates the generator (no undefined results).
import { writeFileSync } from 'node:fs';
import { GUEST_MODELS, type GuestModel } from '../../../src/shared/api';
import { isPresetId, presetConfig, type PresetId } from '../../../src/shared/hw';
import { qemuAvailable } from '../../support/qemu';
import { loadLab } from '../../support/lab';
import { listSequence } from './dump';
import { makeBatch, runBatch } from './run';

interface Args {
  count: number;
  seed: number;
  length: number;
  images: number;
  only?: number[];
  qemuOnly: boolean;
  list?: number;
  saveElf?: string;
  model: GuestModel;
  preset: PresetId;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { count: 300, seed: (Math.random() * 0x7fffffff) >>> 0, length: 40, images: 1, qemuOnly: false, model: 'native', preset: 'isa206' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    const num = (): number => {
      const x = Number(v());
      if (!Number.isInteger(x) || x < 0) throw new Error(`${k}: not a non-negative integer`);
      return x;
    };
    if (k === '--count') a.count = num();
    else if (k === '--seed') a.seed = num() >>> 0;
    else if (k === '--length') a.length = num();
    else if (k === '--images') a.images = num();
    else if (k === '--only') a.only = v().split(',').map((x) => Number(x));
    else if (k === '--qemu-only') a.qemuOnly = true;
    else if (k === '--list') a.list = num();
    else if (k === '--save-elf') a.saveElf = v();
    else if (k === '--model') {
      const m = v();
      const known = GUEST_MODELS.find((g) => g.id === m);
      if (!known) throw new Error(`--model: ${GUEST_MODELS.map((g) => g.id).join(', ')} (got ${m})`);
      a.model = known.id;
    } else if (k === '--preset') {
      const p = v();
      if (!isPresetId(p)) throw new Error(`--preset: isa206, none, all or x86 (got ${p})`);
      a.preset = p;
    }
    else if (k === '--help' || k === '-h') {
      console.log('usage: npm run fuzz -- [--count N] [--seed S] [--length L] [--images K] [--only I,J] [--qemu-only] [--list I] [--save-elf FILE] [--model M] [--preset P]');
      process.exit(0);
    } else throw new Error(`unknown option ${k}`);
  }
  return a;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list !== undefined) {
    const b = makeBatch({ seed: args.seed, count: 0, length: args.length, only: [args.list] });
    console.log(listSequence(b.seqs[0]!, args.seed, b.image.seqAddr[0], args.length));
    return 0;
  }
  if (!qemuAvailable()) {
    console.error('fuzz: qemu-system-ppc is not installed');
    return 2;
  }
  const lab = args.qemuOnly ? undefined : await loadLab();
  const hw = presetConfig(args.preset);
  const runElf: typeof lab = lab && args.model !== 'native' ? (elf, opts) => lab(elf, { ...opts, model: args.model, hw }) : lab;
  const where = args.model === 'native' ? 'the lab' : `the lab under ${args.model} (${args.preset})`;
  console.log(`fuzz: ${args.images} image(s) of ${args.only ? args.only.length : args.count} sequences, ` +
    `length ${args.length}, against ${runElf ? where : `a second QEMU run (${args.qemuOnly ? '--qemu-only' : 'lab not available'})`}`);
  let failed = 0;
  for (let k = 0; k < args.images; k++) {
    const seed = (args.seed + k) >>> 0;
    const batch = makeBatch({ seed, count: args.count, length: args.length, ...(args.only ? { only: args.only } : {}) });
    if (args.saveElf) writeFileSync(args.saveElf, batch.image.elf);
    const r = await runBatch(batch, seed, runElf);
    const ok = r.problems.length === 0 && r.comparison.failing.length === 0;
    console.log(`seed ${seed}: ${r.comparison.report.split('\n')[0]} (QEMU ${r.qemuMs} ms)` +
      `${r.problems.length ? `; ${r.problems.join('; ')}` : ''}`);
    if (!ok) {
      failed++;
      console.log(r.comparison.report.split('\n').slice(1).join('\n'));
    }
  }
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(2);
});
