// The boundary fuzzer's fixed-seed sample (test/fuzz/boundaries.ts): every
// place outside input enters the lab, with a few hundred generated inputs each.
// `npm run fuzz -- boundaries --runs N` runs the long campaign.
import { describe, it } from 'vitest';
import { BOUNDARIES } from '../fuzz/boundaries';

const SEED = 20261205;
const RUNS: Record<string, number> = { http: 150, websocket: 60, ipc: 300, elf: 300, 'device-tree': 200, cli: 200 };

describe('boundaries under property-based fuzzing', () => {
  for (const b of BOUNDARIES) {
    it(`${b.name}: ${b.property}`, async () => {
      await b.run({ seed: SEED, numRuns: RUNS[b.name] ?? 100 });
    }, 120_000);
  }
});
