// V8 settings for the threads that run guests, made once per process before
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

import { setFlagsFromString } from 'node:v8';

let tuned = false;

/** Sets the flags (process-wide; later calls do nothing). */
export function tuneV8(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-use-osr');
}
