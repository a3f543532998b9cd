// Whether the bundled lab (scripts/bundle-lab.mjs) is newer than everything
// it is built from, so that `npm run lab` can skip esbuild (starting it and
// bundling cost about a quarter of a second of every invocation). Inputs: the
// sources under src/ (files and directories: a deleted or renamed file
// changes its directory's time), the bundler script, package.json and the
// TypeScript configurations at the root. No esbuild import here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time (ms) of a file or of anything under a directory; 0 if it does not exist. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  let t = st.mtimeMs;
  if (st.isDirectory()) for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

/**
 * True when every output exists and is newer than every input under `root`
 * (src/, scripts/bundle-lab.mjs, package.json, tsconfig*.json).
 */
export function bundleIsCurrent(root, outputs) {
  let oldestOutput = Infinity;
  for (const o of outputs) {
    try {
      oldestOutput = Math.min(oldestOutput, statSync(o).mtimeMs);
    } catch {
      return false;
    }
  }
  const configs = readdirSync(root).filter((n) => /^tsconfig.*\.json$/.test(n)).map((n) => join(root, n));
  const inputs = [join(root, 'src'), join(root, 'scripts', 'bundle-lab.mjs'), join(root, 'package.json'), ...configs];
  return inputs.every((i) => newest(i) < oldestOutput);
}
