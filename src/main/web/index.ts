// `npm run web`: the lab in a browser. Builds nothing itself (the npm script
// builds first); serves out/renderer on 127.0.0.1 and prints the URL with its
// token. Ctrl-C stops it.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabSession } from '../lab/session';
import { startWebServer } from './server';

function parsePort(argv: string[]): number {
  const i = argv.indexOf('--port');
  const raw = i >= 0 ? argv[i + 1] : process.env.LAB_PORT;
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`lab web: invalid port "${raw}"`);
    process.exit(2);
  }
  return port;
}

async function main(): Promise<void> {
  const rendererDir = [resolve(__dirname, '../renderer'), resolve(process.cwd(), 'out/renderer')]
    .find((d) => existsSync(join(d, 'index.html')));
  if (!rendererDir) {
    console.error('lab web: the renderer is not built; run "npm run build" (or "npm run web", which builds first)');
    process.exit(1);
  }
  const session = new LabSession({ spareThread: true });
  const server = await startWebServer({ session, rendererDir, port: parsePort(process.argv.slice(2)) });
  console.log('Hypervisor Lab is serving on 127.0.0.1 only. Open this URL (it carries the access token):');
  console.log(`  ${server.url}`);
  const stop = () => {
    console.log('\nStopping Hypervisor Lab.');
    void session.shutdown().finally(() => server.close().finally(() => process.exit(0)));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`lab web: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
