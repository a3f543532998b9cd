// The headless `lab` command (npm run lab -- ...): `run` one guest
// deterministically, or a `session` of several guests on worker threads.
// Run through scripts/lab.mjs, which bundles it with esbuild first (the
// emulator runs about 2x slower through tsx).

import { EXIT, UsageError } from './exit-codes';

// Each command's module is loaded when it runs: `lab run` does not pay for
// loading what a session or an experiment needs (the message schemas' zod
// alone took 40-50 ms of a fresh process's start).

async function usage(): Promise<string> {
  const [run, session, experiment] = await Promise.all([import('./run'), import('./session'), import('./experiment')]);
  return `Hypervisor Lab, headless.

${run.RUN_USAGE}

${session.SESSION_USAGE}

${experiment.EXPERIMENT_USAGE}`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return (await import('./run')).runCommand(rest);
    case 'session':
      return (await import('./session')).sessionCommand(rest);
    case 'sweep':
    case 'experiment':
      return (await import('./experiment')).experimentCommand(rest);
    case 'merge':
      return (await import('./experiment')).mergeCommand(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(await usage());
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
