// V8 settings for the threads that run guests, made once per thread before
// the emulator's code is hot (warmUpInterpreter calls it).
//
// No on-stack replacement. The interpreter's loop (cpu/interp.ts `execute`)
// is called once per slice, a few milliseconds at most, so its optimised code
// takes over at the next call as soon as V8 has it. With OSR on, V8 also
// compiled an on-stack-replacement copy of the whole switch for the slice
// running at that moment: 450-480 ms of TurboFan on the 2-core machine, in
// front of every other function waiting to be optimised, for code used by
// one slice. A first Linux boot took 0.95-0.98 s with it and 0.87-0.90 s
// without (docs/performance.md). The price: a long loop in a function called
// once runs unoptimised to its end, so such loops must call a function per
// step that V8 can optimise (snapshot.ts scans RAM a page per call) or use
// native operations (copying an image into RAM swaps its bytes with Node's
// swap32, devices/bus.ts). Per-slice loops (the run loops) are not affected.
//
// Branch hints for WebAssembly (the branch-hinting proposal, experimental in
// Node 20's V8, shipped in V8 13.7). The translator's regions and the
// WebAssembly interpreter mark the slow paths of their loads, stores and
// calls out as unlikely (wasm-jit.ts Asm.ifLikely); TurboFan then lays them
// out of line and keeps their spills there instead of spilling live
// registers on the fast path.
// intmix 6 % faster, a first Linux boot 0.479 → 0.443 s (docs/performance.md).
// Without the flag the hints are ignored: nothing else changes.
//
// An ArrayBuffer detached at once, in worker threads. V8's optimised code
// for typed arrays assumes that no ArrayBuffer has ever been detached in the
// isolate (a "protector"); the first detach (a transfer in postMessage: a
// guest worker sends its console output that way, a pool worker its
// snapshots) invalidates every piece of optimised code that relied on it.
// A guest thread's first guest did that at its first console output, after
// the warm-up: the interpreter, the MMU's paths, the decoder and some twenty
// other functions were thrown away and compiled again during the boot (a
// session's first Linux guest 0.59-0.69 s; 0.46-0.61 s with the detach done
// first, docs/performance.md). Code compiled after a detach checks for
// detached buffers; a session worker's intmix is no slower for it
// (1,059-1,095 MIPS against 1,019-1,088). The main thread, which transfers
// nothing while it runs a guest (`lab run`), keeps the protector.

import { setFlagsFromString } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

let tuned = false;

/** Sets the flags (process-wide: no OSR, WebAssembly branch hints) and, in a worker thread, detaches a buffer; once per thread (later calls do nothing). */
export function tuneV8(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-use-osr');
  if (branchHintsNeedFlag(process.versions.v8)) setFlagsFromString('--experimental-wasm-branch-hinting');
  if (!isMainThread) detachOne();
}

/**
 * Whether this V8 reads branch hints only behind the experimental flag: it
 * shipped them in 13.7 (Electron's newer V8), where the flag may be gone and
 * setting it would only print an error.
 */
export function branchHintsNeedFlag(v8Version: string): boolean {
  const [major = 0, minor = 0] = v8Version.split('.').map(Number);
  return major < 13 || (major === 13 && minor < 7);
}

/** Detaches a buffer of no use (transferring it to a clone that is dropped). */
function detachOne(): void {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
}

