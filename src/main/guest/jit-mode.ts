// The block translator's mode for a guest whose caller names none: LAB_JIT
// in the environment, so that a whole test run (CI runs the integration and
// differential suites a second time this way) or a user's session can go
// through the interpreter alone, the reference, or translate everything at
// first sight. `on` (hot code, WebAssembly) when unset; `off`, `eager`, or
// `js` (hot code, the JavaScript back end). An explicit option (RunOptions.jit,
// `lab run --jit`) always wins. LAB_INTERP=js keeps the interpreter all
// JavaScript (no WebAssembly fast path, cpu/wasm-interp.ts), for A/B
// measurements, whoever chose the mode.

import { WASM_INTERP_NONE } from '../cpu/cpu';

export interface JitChoice {
  jit: 'on' | 'off' | 'eager';
  translator?: 'wasm' | 'js';
  /** The interpreter's frequent instructions in WebAssembly (cpu/wasm-interp.ts; with the translator on) or all in JavaScript. */
  interpreter?: 'wasm' | 'js';
}

const MODES: Readonly<Record<string, JitChoice>> = {
  on: { jit: 'on' },
  off: { jit: 'off' },
  eager: { jit: 'eager' },
  js: { jit: 'on', translator: 'js' },
};

/** The mode LAB_JIT names (throws, naming the variable, for a value it does not know). */
export function defaultJitChoice(env: NodeJS.ProcessEnv = process.env): JitChoice {
  const v = env.LAB_JIT;
  let m: JitChoice | undefined = MODES.on!;
  if (v !== undefined && v !== '') {
    m = MODES[v];
    if (m === undefined) throw new Error(`LAB_JIT must be on, off, eager or js (got "${v}")`);
  }
  const i = defaultInterpreter(env);
  return i === undefined ? m : { ...m, interpreter: i };
}

/** The interpreter LAB_INTERP names (`wasm`, the default, or `js`; for A/B measurements), which applies whoever chose the translator's mode. */
export function defaultInterpreter(env: NodeJS.ProcessEnv = process.env): 'wasm' | 'js' | undefined {
  const i = env.LAB_INTERP;
  if (i === undefined || i === '') return undefined;
  if (i !== 'wasm' && i !== 'js') throw new Error(`LAB_INTERP must be wasm or js (got "${i}")`);
  return i;
}

/** Sets a core's translator, and its interpreter's WebAssembly fast path, as the choice says. */
export function applyJitChoice(cpu: { jitEnabled: boolean; jitThreshold: number; jitBackend: 'wasm' | 'js'; wasmInterp: number }, c: JitChoice): void {
  cpu.jitEnabled = c.jit !== 'off';
  if (c.jit === 'eager') cpu.jitThreshold = 1;
  if (c.translator !== undefined) cpu.jitBackend = c.translator;
  if (c.interpreter === 'js') cpu.wasmInterp = WASM_INTERP_NONE;
}
