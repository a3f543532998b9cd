// The headless `lab` command (npm run lab -- ...): `run` one guest
// deterministically, or a `session` of several guests on worker threads.
// Run through scripts/lab.mjs, which bundles it with esbuild first (the
// emulator runs about 2x slower through tsx).

import { EXIT, UsageError } from './exit-codes';
import { EXPERIMENT_USAGE, experimentCommand, mergeCommand } from './experiment';
import { RUN_USAGE, runCommand } from './run';
import { SESSION_USAGE, sessionCommand } from './session';

const USAGE = `Hypervisor Lab, headless.

${RUN_USAGE}

${SESSION_USAGE}

${EXPERIMENT_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'session':
      return sessionCommand(rest);
    case 'sweep':
    case 'experiment':
      return experimentCommand(rest);
    case 'merge':
      return mergeCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command "${command}" (use run, session, sweep or merge)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`lab: ${e.message}\nTry "npm run lab -- --help".`);
      process.exit(EXIT.usage);
    }
    console.error('lab: internal error:', e);
    process.exit(EXIT.failure);
  },
);
