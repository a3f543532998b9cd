// The interpreter's hot loop, by itself. Instructions are decoded once per
// physical page into [id, word] pairs (Cpu.fetchPage); the loop fetches from
// the current page until pc leaves it, dispatches on the id with a switch of
// literal cases (a jump table in V8), and counts an int32 budget down. The
// frequent instructions are handled inline; the rest (system, MMU, cache, FP,
// traps) go through executeRare(), after which the loop re-fetches its page
// because translation may have changed. A fault throws FAULT; the catch
// delivers the interrupt and the loop carries on.
//
// Case labels are the ids of isa.ts (test/unit/cpu/isa.test.ts checks that
// every id has exactly one case here, commented with its mnemonic).

import type { Cpu } from './cpu';
import { CheckStop, DEBUG_HALT, FAULT, FAULTED, WASM_INTERP_MADE, WASM_INTERP_NONE, WASM_INTERP_UNMADE } from './cpu';
import { loadSingle, storeSingle } from './fpu';
import { MASKS, mulhw, mulhwu } from './bits';
import { decode, ID_BREAKPOINT, INSNS } from './isa';
import { BLOCK_MIN_RUN, BLOCK_TRIAL, DIRECT_BASE, HOT_BLOCK, JIT_LIB, type JitPage, LOOP_HEAT } from './jit';
import { CORE_SLOT, PAGE_LINKS } from './memory';
import { ESR, IVOR, MSR } from './regs';
import { runWasmInterpreter } from './wasm-jit';

const EMPTY_PAGE = new Int32Array(2048);
/** A WebAssembly interpreter's run shorter than this that stops in front of an instruction it leaves here marks its first word: no run starts there again (JitPage.jsStarts). */
const SHORT_RUN = 8;
const EMPTY_HEAT = new Int32Array(1024);

function crField(v: number, so: number): number {
  return (v < 0 ? 8 : v > 0 ? 4 : 2) | so;
}

/**
 * Runs up to `budget` instructions (fewer if an interrupt may have become
 * pending, the core executes `wait`, or a rare instruction asks to stop).
 * Returns the number executed.
 */
export function execute(cpu: Cpu, budget: number): number {
  const r = cpu.gpr;
  const rTag = cpu.rTag;
  const rVal = cpu.rVal;
  const wTag = cpu.wTag;
  const wVal = cpu.wVal;
  const ram32 = cpu.ram32;
  const ram16 = cpu.ram16;
  const ram8 = cpu.ram8;
  /** Translation-mode key of data accesses; changes only through rare paths and interrupts. */
  let dKey = cpu.dKey;
  let pc = cpu.pc | 0;
  let n = budget | 0;
  let code: Int32Array = EMPTY_PAGE;
  let codeVpage = -1;
  /**
   * cpu.fetchEpoch when the page was fetched: an instruction that may change
   * translation (an SPR write, the rare ones) refetches the page only if the
   * epoch moved (the soft TLB was flushed or an entry dropped, MSR[IS/PR/GS]
   * changed), or a debugger asked to stop.
   */
  let epoch = 0;
  /** Translated blocks of the current code page (null: device memory or translation off). */
  let jit: JitPage | null = null;
  /** Its heat counts and block marks (jit.hot), or a page of zeros. */
  let heat: Int32Array = EMPTY_HEAT;
  let codeBase = 0;
  /** Address of the translated block running (-1: none), for faults inside it. */
  let blockPc = -1;
  /**
   * The address after the last instruction interpreted (kept across slices):
   * reaching it is falling through. A word inside a region already
   * translated starts a region of its own only when entered otherwise (a
   * branch, a block's exit, an interrupt's return), not when the
   * interpreter steps through the region at a slice's end.
   */
  let seqPc = cpu.seqPc;
  /** Heat at which an entry is translated (set between slices, never during one). */
  const threshold = cpu.jitThreshold;
  /** The WebAssembly interpreter: WASM_INTERP_MADE, UNMADE (made at its first use) or NONE. */
  let wasmInterp = cpu.wasmInterp;
  /** The WebAssembly interpreter stopped in front of the next word: this loop runs it. */
  let jsNext = false;
  /** Instructions it ran in this slice (cpu.wasmInterpInsns, a double, is added to once). */
  let wasmRan = 0;
  /**
   * The WebAssembly interpreter may run (made, or to be made at its first use): there is one, and no debugger
   * breakpoints are armed (it reads words from RAM, not the decoded page that holds them).
   */
  let wasmOn = wasmInterp !== WASM_INTERP_NONE && cpu.codeBreaks === null;
  /** It may run on the current code page (its heat counts are in the core's arena), and the page's jsStarts marks. */
  let wasmPage = false;
  let jsStarts: Uint8Array | null = null;
  if (cpu.coreSlots !== null) cpu.coreSlots[CORE_SLOT.THRESHOLD] = threshold; // the WebAssembly interpreter's, for the slice
  cpu.sliceStart = budget;

  outer: while (n > 0) {
    try {
      while (n > 0) {
        // Counted before the fetch so that an instruction that faults (even on
        // its fetch) uses its slot: a guest stuck in a fault loop still ends the slice.
        n--;
        if (pc >>> 12 !== codeVpage) {
          code = cpu.fetchPage(pc);
          codeVpage = pc >>> 12;
          jit = cpu.fetchJit;
          heat = jit !== null ? jit.hot : EMPTY_HEAT;
          codeBase = cpu.fetchBase;
          epoch = cpu.fetchEpoch;
          wasmPage = wasmOn && jit !== null && jit.heatAddr >= 0 && !jit.jsOnly;
          jsStarts = jit !== null ? jit.jsStarts : null;
          if (wasmPage) {
            // The page's link, for the WebAssembly interpreter to come back to it by itself.
            const links = cpu.pageLinks!;
            const link = (codeVpage & (PAGE_LINKS - 1)) * 4;
            links[link] = codeVpage;
            links[link + 1] = epoch;
            links[link + 2] = codeBase;
            links[link + 3] = jit!.heatAddr;
          }
        }
        const w = (pc & 0xFFF) >>> 1;
        if (jit !== null) {
          // One load tells the usual case (a word without a block: count its heat) from a block's entry
          // (HOT_BLOCK) and a word tried before, which runs without counting (TRIED).
          const wi = w >>> 1;
          const h = heat[wi]!;
          if (h === HOT_BLOCK || h <= DIRECT_BASE) {
            const blk = jit.blocks![wi];
            // With an interrupt check due (set by an exit the interpreter just took), interpret up to the
            // next taken branch, where the interpreter looks at it: a block would run its loops first.
            if (blk && n >= blk.len - 1 && cpu.irqPoll === 0) {
              blockPc = pc;
              pc = blk.fn(cpu, r, rTag, rVal, wTag, wVal, ram32, ram16, ram8, dKey, pc, n + 1, JIT_LIB);
              blockPc = -1;
              const faulted = (pc & 3) !== 0;
              const ran = faulted ? cpu.jitBase + cpu.jitK : cpu.jitRan;
              blk.ran += ran;
              if (++blk.calls === BLOCK_TRIAL) {
                if (blk.ran < BLOCK_TRIAL * BLOCK_MIN_RUN && threshold > 1) jit.demote(wi);
                else jit.passed(wi, blk);
              }
              if (faulted) {
                // A data access in the block faulted (recorded, not thrown).
                n -= ran;
                pc = cpu.takeFault(cpu.curPc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              n -= ran - 1;
              cpu.jitInsns += ran;
              if (cpu.irqPoll !== 0) break outer;
              continue;
            }
          } else if (h >= 0) {
            const hotter = h + ((pc >>> 0) < ((seqPc - 4) >>> 0) ? LOOP_HEAT : 1);
            // Below the threshold the count goes on; at it, an entry (not a word merely stepped through
            // inside a region) is translated. A word stepped through keeps its count just below.
            if (hotter < threshold) heat[wi] = hotter;
            else if (pc !== seqPc || !jit.covers(wi)) {
              const t0 = performance.now();
              const made = cpu.translateRegion(code, codeBase, wi, heat);
              cpu.jitMs += performance.now() - t0;
              if (made !== null) {
                cpu.jitBlocks++;
                cpu.jitSourceChars += made.sourceChars;
              }
              jit.add(wi, made);
              n++; // nothing executed: give the slot back
              continue;
            }
          }
          seqPc = (pc + 4) | 0;
          // From here the WebAssembly interpreter runs what it can (wasm-interp.ts), counting the heat of the
          // words after this one itself, into pages this loop left links to and through blocks that passed
          // their trial: up to a page without a link, another block's entry, a count reaching the threshold, or
          // an instruction it leaves to this loop (which then runs it: jsNext).
          if (!wasmPage) {
            // The JavaScript interpreter alone here (LAB_INTERP=js, the JavaScript back end, a debugger's
            // breakpoints, a page whose heat is not in the arena).
          } else if (jsNext) jsNext = false;
          else if ((jsStarts === null || jsStarts[wi] === 0) && cpu.irqPoll === 0) {
            if (wasmInterp === WASM_INTERP_UNMADE) {
              wasmInterp = cpu.makeWasmInterpreter();
              wasmOn = wasmPage = wasmInterp === WASM_INTERP_MADE;
            }
            if (wasmOn) {
              const s = cpu.coreSlots!;
              s[CORE_SLOT.CODE] = codeBase;
              s[CORE_SLOT.HEAT] = jit.heatAddr;
              blockPc = pc;
              const next = runWasmInterpreter(cpu, cpu.wasmInterpFn!, pc, n + 1, dKey);
              blockPc = -1;
              const faulted = (next & 3) !== 0;
              const ran = faulted ? cpu.jitBase + cpu.jitK : cpu.jitRan;
              const stopped = !faulted && s[CORE_SLOT.STOP] === 1;
              // What ran in the blocks it called itself is the translator's.
              const inRegions = s[CORE_SLOT.JIT_RAN]!;
              cpu.jitInsns += inRegions;
              // A run that cost more than it saved (entering and leaving the WebAssembly costs about a region
              // call): a short one that stopped in front of an instruction left here (code dense with SPR
              // accesses and TLB writes: a TLB miss handler), or nothing at all. Runs no longer start at this
              // word (and, after enough such words, on this page).
              if (stopped && ran < SHORT_RUN) {
                jsStarts = jit.noWasmStart(wi);
                wasmPage = !jit.jsOnly;
                // A page now JavaScript's alone: the WebAssembly interpreter's links to it go (all of them: a new epoch).
                if (!wasmPage) cpu.fetchEpoch++;
              }
              if (faulted) {
                // A data access faulted (recorded): the instructions before it ran, it used its slot.
                n -= ran;
                wasmRan += ran - inRegions;
                pc = cpu.takeFault(cpu.curPc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (ran > 0) {
                n -= ran - 1;
                wasmRan += ran - inRegions;
                pc = next;
                seqPc = s[CORE_SLOT.SEQ]!;
                // Stopped in front of an instruction it leaves to this loop: that one here.
                jsNext = stopped;
                // Where this loop would have ended the slice for an interrupt check (after a taken branch, a
                // rare instruction, a slow store, a block). Elsewhere, with one due, it carries on here, running
                // neither blocks nor the WebAssembly up to the next such point, as it would have.
                if (s[CORE_SLOT.STOP] === 2) break outer;
                continue;
              }
              // Nothing ran (stopped at once, so marked above): this word is the loop's.
            }
          }
        }
        let id = code[w]!;
        const word = code[w + 1]!;
        if (id === 0) {
          // Not decoded yet, or overwritten since: decode the word in memory now.
          const fresh = cpu.refetchWord(pc, code, w, codeBase);
          id = decode(fresh);
          if (cpu.codeBreaks !== null && codeBase >= 0 && cpu.codeBreaks.has(codeBase + (w << 1))) id = ID_BREAKPOINT;
          code[w] = id;
          n++;
          jsNext = true; // this loop runs it (the WebAssembly interpreter left it here, or was not asked)
          continue;
        }
        switch (id) {
          case 9: { // addi
            const ra = (word >>> 16) & 31;
            r[(word >>> 21) & 31] = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            pc = (pc + 4) | 0;
            break;
          }
          case 10: { // addis
            const ra = (word >>> 16) & 31;
            r[(word >>> 21) & 31] = ((ra ? r[ra]! : 0) + (word << 16)) | 0;
            pc = (pc + 4) | 0;
            break;
          }
          case 7: case 8: { // addic addic.
            const a = r[(word >>> 16) & 31]!;
            const imm = (word << 16) >> 16;
            const res = (a + imm) | 0;
            cpu.ca = (a >>> 0) + (imm >>> 0) > 0xFFFFFFFF ? 1 : 0;
            r[(word >>> 21) & 31] = res;
            if (id === 8) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 4: { // subfic
            const a = r[(word >>> 16) & 31]!;
            const imm = (word << 16) >> 16;
            r[(word >>> 21) & 31] = (imm - a) | 0;
            cpu.ca = (imm >>> 0) >= (a >>> 0) ? 1 : 0;
            pc = (pc + 4) | 0;
            break;
          }
          case 3: // mulli
            r[(word >>> 21) & 31] = Math.imul(r[(word >>> 16) & 31]!, (word << 16) >> 16);
            pc = (pc + 4) | 0;
            break;
          case 17: // ori
            r[(word >>> 16) & 31] = r[(word >>> 21) & 31]! | (word & 0xFFFF);
            pc = (pc + 4) | 0;
            break;
          case 18: // oris
            r[(word >>> 16) & 31] = r[(word >>> 21) & 31]! | (word << 16);
            pc = (pc + 4) | 0;
            break;
          case 19: // xori
            r[(word >>> 16) & 31] = r[(word >>> 21) & 31]! ^ (word & 0xFFFF);
            pc = (pc + 4) | 0;
            break;
          case 20: // xoris
            r[(word >>> 16) & 31] = r[(word >>> 21) & 31]! ^ (word << 16);
            pc = (pc + 4) | 0;
            break;
          case 21: { // andi.
            const res = r[(word >>> 21) & 31]! & (word & 0xFFFF);
            r[(word >>> 16) & 31] = res;
            cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 22: { // andis.
            const res = r[(word >>> 21) & 31]! & (word << 16);
            r[(word >>> 16) & 31] = res;
            cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 6: { // cmpi
            const a = r[(word >>> 16) & 31]!;
            const b = (word << 16) >> 16;
            const sh = (7 - ((word >>> 23) & 7)) * 4;
            const c = (a < b ? 8 : a > b ? 4 : 2) | cpu.so;
            cpu.cr = (cpu.cr & ~(15 << sh)) | (c << sh);
            pc = (pc + 4) | 0;
            break;
          }
          case 5: { // cmpli
            const a = r[(word >>> 16) & 31]! >>> 0;
            const b = word & 0xFFFF;
            const sh = (7 - ((word >>> 23) & 7)) * 4;
            const c = (a < b ? 8 : a > b ? 4 : 2) | cpu.so;
            cpu.cr = (cpu.cr & ~(15 << sh)) | (c << sh);
            pc = (pc + 4) | 0;
            break;
          }
          case 65: { // cmp
            const a = r[(word >>> 16) & 31]!;
            const b = r[(word >>> 11) & 31]!;
            const sh = (7 - ((word >>> 23) & 7)) * 4;
            const c = (a < b ? 8 : a > b ? 4 : 2) | cpu.so;
            cpu.cr = (cpu.cr & ~(15 << sh)) | (c << sh);
            pc = (pc + 4) | 0;
            break;
          }
          case 78: { // cmpl
            const a = r[(word >>> 16) & 31]! >>> 0;
            const b = r[(word >>> 11) & 31]! >>> 0;
            const sh = (7 - ((word >>> 23) & 7)) * 4;
            const c = (a < b ? 8 : a > b ? 4 : 2) | cpu.so;
            cpu.cr = (cpu.cr & ~(15 << sh)) | (c << sh);
            pc = (pc + 4) | 0;
            break;
          }
          case 15: { // rlwinm
            const v = r[(word >>> 21) & 31]!;
            const sh = (word >>> 11) & 31;
            const res = ((v << sh) | (v >>> (32 - sh))) & MASKS[((word >>> 6) & 31) * 32 + ((word >>> 1) & 31)]!;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 14: { // rlwimi
            const v = r[(word >>> 21) & 31]!;
            const sh = (word >>> 11) & 31;
            const m = MASKS[((word >>> 6) & 31) * 32 + ((word >>> 1) & 31)]!;
            const ra = (word >>> 16) & 31;
            const res = (((v << sh) | (v >>> (32 - sh))) & m) | (r[ra]! & ~m);
            r[ra] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 16: { // rlwnm
            const v = r[(word >>> 21) & 31]!;
            const sh = r[(word >>> 11) & 31]! & 31;
            const res = ((v << sh) | (v >>> (32 - sh))) & MASKS[((word >>> 6) & 31) * 32 + ((word >>> 1) & 31)]!;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 13: { // b
            const disp = ((word & 0x03FFFFFC) << 6) >> 6;
            if (word & 1) cpu.lr = (pc + 4) | 0;
            pc = word & 2 ? disp : (pc + disp) | 0;
            if (cpu.irqPoll !== 0) break outer;
            break;
          }
          case 11: { // bc
            const bo = (word >>> 21) & 31;
            if (!(bo & 4)) cpu.ctr = (cpu.ctr - 1) | 0;
            const ctrOk = (bo & 4) !== 0 || ((cpu.ctr !== 0) !== ((bo & 2) !== 0));
            const condOk = (bo & 16) !== 0 || ((cpu.cr >>> (31 - ((word >>> 16) & 31))) & 1) === ((bo >>> 3) & 1);
            if (word & 1) cpu.lr = (pc + 4) | 0;
            if (ctrOk && condOk) {
              const disp = (word << 16) >> 16 & ~3;
              pc = word & 2 ? disp : (pc + disp) | 0;
              if (cpu.irqPoll !== 0) break outer;
            } else {
              pc = (pc + 4) | 0;
            }
            break;
          }
          case 49: { // bclr
            const bo = (word >>> 21) & 31;
            if (!(bo & 4)) cpu.ctr = (cpu.ctr - 1) | 0;
            const ctrOk = (bo & 4) !== 0 || ((cpu.ctr !== 0) !== ((bo & 2) !== 0));
            const condOk = (bo & 16) !== 0 || ((cpu.cr >>> (31 - ((word >>> 16) & 31))) & 1) === ((bo >>> 3) & 1);
            const target = cpu.lr & ~3;
            if (word & 1) cpu.lr = (pc + 4) | 0;
            if (ctrOk && condOk) {
              pc = target;
              if (cpu.irqPoll !== 0) break outer;
            } else {
              pc = (pc + 4) | 0;
            }
            break;
          }
          case 64: { // bcctr
            const bo = (word >>> 21) & 31;
            if (!(bo & 4)) cpu.illegal();
            const condOk = (bo & 16) !== 0 || ((cpu.cr >>> (31 - ((word >>> 16) & 31))) & 1) === ((bo >>> 3) & 1);
            if (word & 1) cpu.lr = (pc + 4) | 0;
            if (condOk) {
              pc = cpu.ctr & ~3;
              if (cpu.irqPoll !== 0) break outer;
            } else {
              pc = (pc + 4) | 0;
            }
            break;
          }
          // ---- loads and stores: the soft-TLB fast path inlined ----
          case 23: { // lwz
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            const ea = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF003) | dKey)) v = ram32[(rVal[idx]! + ea) >> 2]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 4, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            pc = (pc + 4) | 0;
            break;
          }
          case 24: { // lwzu
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            if (ra === 0 || ra === rt) cpu.illegal();
            const ea = (r[ra]! + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF003) | dKey)) v = ram32[(rVal[idx]! + ea) >> 2]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 4, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            r[ra] = ea;
            pc = (pc + 4) | 0;
            break;
          }
          case 25: { // lbz
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            const ea = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF000) | dKey)) v = ram8[(rVal[idx]! + ea) ^ 3]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 1, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            pc = (pc + 4) | 0;
            break;
          }
          case 26: { // lbzu
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            if (ra === 0 || ra === rt) cpu.illegal();
            const ea = (r[ra]! + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF000) | dKey)) v = ram8[(rVal[idx]! + ea) ^ 3]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 1, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            r[ra] = ea;
            pc = (pc + 4) | 0;
            break;
          }
          case 31: { // lhz
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            const ea = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF001) | dKey)) v = ram16[((rVal[idx]! + ea) ^ 2) >> 1]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 2, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            pc = (pc + 4) | 0;
            break;
          }
          case 32: { // lhzu
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            if (ra === 0 || ra === rt) cpu.illegal();
            const ea = (r[ra]! + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF001) | dKey)) v = ram16[((rVal[idx]! + ea) ^ 2) >> 1]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 2, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            r[ra] = ea;
            pc = (pc + 4) | 0;
            break;
          }
          case 33: { // lha
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            const ea = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF001) | dKey)) v = ram16[((rVal[idx]! + ea) ^ 2) >> 1]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 2, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = (v << 16) >> 16;
            pc = (pc + 4) | 0;
            break;
          }
          case 34: { // lhau
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            if (ra === 0 || ra === rt) cpu.illegal();
            const ea = (r[ra]! + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF001) | dKey)) v = ram16[((rVal[idx]! + ea) ^ 2) >> 1]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 2, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = (v << 16) >> 16;
            r[ra] = ea;
            pc = (pc + 4) | 0;
            break;
          }
          case 27: { // stw
            const ra = (word >>> 16) & 31;
            const ea = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF003) | dKey)) ram32[(wVal[idx]! + ea) >> 2] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 4, pc, v);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 28: { // stwu
            const ra = (word >>> 16) & 31;
            if (ra === 0) cpu.illegal();
            const ea = (r[ra]! + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF003) | dKey)) ram32[(wVal[idx]! + ea) >> 2] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 4, pc, v);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                r[ra] = ea;
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            r[ra] = ea;
            pc = (pc + 4) | 0;
            break;
          }
          case 29: { // stb
            const ra = (word >>> 16) & 31;
            const ea = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF000) | dKey)) ram8[(wVal[idx]! + ea) ^ 3] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 1, pc, v & 0xFF);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 30: { // stbu
            const ra = (word >>> 16) & 31;
            if (ra === 0) cpu.illegal();
            const ea = (r[ra]! + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF000) | dKey)) ram8[(wVal[idx]! + ea) ^ 3] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 1, pc, v & 0xFF);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                r[ra] = ea;
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            r[ra] = ea;
            pc = (pc + 4) | 0;
            break;
          }
          case 35: { // sth
            const ra = (word >>> 16) & 31;
            const ea = ((ra ? r[ra]! : 0) + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF001) | dKey)) ram16[((wVal[idx]! + ea) ^ 2) >> 1] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 2, pc, v & 0xFFFF);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 36: { // sthu
            const ra = (word >>> 16) & 31;
            if (ra === 0) cpu.illegal();
            const ea = (r[ra]! + ((word << 16) >> 16)) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF001) | dKey)) ram16[((wVal[idx]! + ea) ^ 2) >> 1] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 2, pc, v & 0xFFFF);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                r[ra] = ea;
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            r[ra] = ea;
            pc = (pc + 4) | 0;
            break;
          }
          case 74: { // lwzx
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF003) | dKey)) v = ram32[(rVal[idx]! + ea) >> 2]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 4, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            pc = (pc + 4) | 0;
            break;
          }
          case 87: { // lbzx
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF000) | dKey)) v = ram8[(rVal[idx]! + ea) ^ 3]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 1, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            pc = (pc + 4) | 0;
            break;
          }
          case 113: { // lhzx
            const ra = (word >>> 16) & 31;
            const rt = (word >>> 21) & 31;
            const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            let v: number;
            if (rTag[idx] === ((ea & 0xFFFFF001) | dKey)) v = ram16[((rVal[idx]! + ea) ^ 2) >> 1]!;
            else {
              cpu.sliceLeft = n;
              v = cpu.loadSlowAt(ea, 2, pc);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after a device access's exit
            }
            r[rt] = v;
            pc = (pc + 4) | 0;
            break;
          }
          case 97: { // stwx
            const ra = (word >>> 16) & 31;
            const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF003) | dKey)) ram32[(wVal[idx]! + ea) >> 2] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 4, pc, v);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 103: { // stbx
            const ra = (word >>> 16) & 31;
            const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF000) | dKey)) ram8[(wVal[idx]! + ea) ^ 3] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 1, pc, v & 0xFF);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 122: { // sthx
            const ra = (word >>> 16) & 31;
            const ea = ((ra ? r[ra]! : 0) + r[(word >>> 11) & 31]!) | 0;
            const page = ea >>> 12;
            const idx = page & 1023;
            const v = r[(word >>> 21) & 31]!;
            if (wTag[idx] === ((ea & 0xFFFFF001) | dKey)) ram16[((wVal[idx]! + ea) ^ 2) >> 1] = v;
            else {
              cpu.sliceLeft = n;
              cpu.storeSlowAt(ea, 2, pc, v & 0xFFFF);
              if (cpu.faultPending) {
                pc = cpu.takeFault(pc);
                codeVpage = -1;
                dKey = cpu.dKey;
                continue;
              }
              // A device store may raise an interrupt (or stop the machine): end the slice right after it.
              if (cpu.irqPoll !== 0) {
                pc = (pc + 4) | 0;
                break outer;
              }
            }
            pc = (pc + 4) | 0;
            break;
          }
          // ---- X-form integer ----
          case 110: { // add
            const a = r[(word >>> 16) & 31]!;
            const b = r[(word >>> 11) & 31]!;
            const res = (a + b) | 0;
            if (word & 0x400) { const ov = ((a ^ res) & (b ^ res)) < 0 ? 1 : 0; cpu.ov = ov; cpu.so |= ov; }
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 79: { // subf
            const a = r[(word >>> 16) & 31]!;
            const b = r[(word >>> 11) & 31]!;
            const res = (b - a) | 0;
            if (word & 0x400) { const ov = ((a ^ b) & (b ^ res)) < 0 ? 1 : 0; cpu.ov = ov; cpu.so |= ov; }
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 88: { // neg
            const a = r[(word >>> 16) & 31]!;
            const res = (-a) | 0;
            if (word & 0x400) { const ov = a === -0x80000000 ? 1 : 0; cpu.ov = ov; cpu.so |= ov; }
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 106: { // mullw
            const a = r[(word >>> 16) & 31]!;
            const b = r[(word >>> 11) & 31]!;
            const res = Math.imul(a, b);
            if (word & 0x400) { const ov = mulhw(a, b) !== (res >> 31) ? 1 : 0; cpu.ov = ov; cpu.so |= ov; }
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 84: { // mulhw
            const res = mulhw(r[(word >>> 16) & 31]!, r[(word >>> 11) & 31]!);
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 69: { // mulhwu
            const res = mulhwu(r[(word >>> 16) & 31]!, r[(word >>> 11) & 31]!);
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 131: { // divw
            const a = r[(word >>> 16) & 31]!;
            const b = r[(word >>> 11) & 31]!;
            const bad = b === 0 || (a === -0x80000000 && b === -1);
            const res = bad ? 0 : (a / b) | 0;
            if (word & 0x400) { const ov = bad ? 1 : 0; cpu.ov = ov; cpu.so |= ov; }
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 126: { // divwu
            const a = r[(word >>> 16) & 31]! >>> 0;
            const b = r[(word >>> 11) & 31]! >>> 0;
            const res = b === 0 ? 0 : (a / b) | 0;
            if (word & 0x400) { const ov = b === 0 ? 1 : 0; cpu.ov = ov; cpu.so |= ov; }
            r[(word >>> 21) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 77: { // and
            const res = r[(word >>> 21) & 31]! & r[(word >>> 11) & 31]!;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 125: { // or
            const res = r[(word >>> 21) & 31]! | r[(word >>> 11) & 31]!;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 116: { // xor
            const res = r[(word >>> 21) & 31]! ^ r[(word >>> 11) & 31]!;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 82: { // andc
            const res = r[(word >>> 21) & 31]! & ~r[(word >>> 11) & 31]!;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 90: { // nor
            const res = ~(r[(word >>> 21) & 31]! | r[(word >>> 11) & 31]!);
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 75: { // slw
            const sh = r[(word >>> 11) & 31]! & 0x3F;
            const res = sh & 0x20 ? 0 : r[(word >>> 21) & 31]! << sh;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 135: { // srw
            const sh = r[(word >>> 11) & 31]! & 0x3F;
            const res = sh & 0x20 ? 0 : (r[(word >>> 21) & 31]! >>> sh) | 0;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 149: { // srawi
            const v = r[(word >>> 21) & 31]!;
            const sh = (word >>> 11) & 31;
            const res = v >> sh;
            cpu.ca = v < 0 && sh !== 0 && (v & ((1 << sh) - 1)) !== 0 ? 1 : 0;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 148: { // sraw
            const v = r[(word >>> 21) & 31]!;
            const sh = r[(word >>> 11) & 31]! & 0x3F;
            let res: number;
            if (sh & 0x20) {
              res = v >> 31;
              cpu.ca = v < 0 ? 1 : 0;
            } else {
              res = v >> sh;
              cpu.ca = v < 0 && sh !== 0 && (v & ((1 << sh) - 1)) !== 0 ? 1 : 0;
            }
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 76: { // cntlzw
            const res = Math.clz32(r[(word >>> 21) & 31]!);
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 155: { // extsb
            const res = (r[(word >>> 21) & 31]! << 24) >> 24;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 153: { // extsh
            const res = (r[(word >>> 21) & 31]! << 16) >> 16;
            r[(word >>> 16) & 31] = res;
            if (word & 1) cpu.cr = (cpu.cr & 0x0FFFFFFF) | (crField(res, cpu.so) << 28);
            pc = (pc + 4) | 0;
            break;
          }
          case 70: { // isel
            const ra = (word >>> 16) & 31;
            const bc = (word >>> 6) & 31;
            r[(word >>> 21) & 31] = (cpu.cr >>> (31 - bc)) & 1 ? (ra ? r[ra]! : 0) : r[(word >>> 11) & 31]!;
            pc = (pc + 4) | 0;
            break;
          }
          case 118: { // mfspr
            const n10 = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
            if (n10 === 8) r[(word >>> 21) & 31] = cpu.lr;
            else if (n10 === 9) r[(word >>> 21) & 31] = cpu.ctr;
            else if (privilegedFromUser(cpu, n10)) {
              // A deprivileged kernel's every SPR access: delivered without a throw.
              pc = refusePrivileged(cpu, n, pc);
              codeVpage = -1;
              dKey = cpu.dKey;
              continue;
            } else {
              cpu.sliceLeft = n;
              r[(word >>> 21) & 31] = cpu.mfspr(n10, pc);
              if (cpu.stopRequested) codeVpage = -1; // a debugger stops after the access's exit
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 128: { // mtspr
            const n10 = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
            if (n10 === 8) cpu.lr = r[(word >>> 21) & 31]!;
            else if (n10 === 9) cpu.ctr = r[(word >>> 21) & 31]!;
            else if (privilegedFromUser(cpu, n10)) {
              pc = refusePrivileged(cpu, n, pc);
              codeVpage = -1;
              dKey = cpu.dKey;
              continue;
            } else {
              cpu.sliceLeft = n;
              cpu.mtspr(n10, r[(word >>> 21) & 31]!, pc);
              if (cpu.fetchEpoch !== epoch || cpu.stopRequested) codeVpage = -1;
              dKey = cpu.dKey;
              pc = (pc + 4) | 0;
              if (cpu.irqPoll !== 0) break outer;
              break;
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 71: { // mfcr
            const fxm = (word >>> 12) & 0xFF;
            if (word & 0x00100000) {
              // mfocrf: the selected field, the rest zero.
              let m = 0;
              for (let f = 0; f < 8; f++) if (fxm & (0x80 >>> f)) m |= 0xF0000000 >>> (f * 4);
              r[(word >>> 21) & 31] = cpu.cr & m;
            } else {
              r[(word >>> 21) & 31] = cpu.cr;
            }
            pc = (pc + 4) | 0;
            break;
          }
          case 94: { // mtcrf
            const fxm = (word >>> 12) & 0xFF;
            let m = 0;
            for (let f = 0; f < 8; f++) if (fxm & (0x80 >>> f)) m |= 0xF0000000 >>> (f * 4);
            cpu.cr = (cpu.cr & ~m) | (r[(word >>> 21) & 31]! & m);
            pc = (pc + 4) | 0;
            break;
          }
          case ID_BREAKPOINT:
            // A debugger's breakpoint: stop in front of the instruction, its slot unused.
            n++;
            cpu.breakHit = true;
            break outer;
          default: {
            cpu.sliceLeft = n;
            const next = executeRare(cpu, id, word, pc);
            if (cpu.fetchEpoch !== epoch || cpu.stopRequested) codeVpage = -1;
            if (next === FAULTED) {
              codeVpage = -1;
              pc = deliverRecorded(cpu, n, pc);
              dKey = cpu.dKey;
              continue;
            }
            pc = next;
            dKey = cpu.dKey;
            if (cpu.waiting || cpu.irqPoll !== 0 || cpu.stopped !== null) break outer;
            break;
          }
        }
      }
    } catch (e) {
      // A throw out of a block the WebAssembly interpreter called (its jitBase is counted already): no call is
      // in progress any more.
      if (cpu.coreSlots !== null) cpu.coreSlots[CORE_SLOT.OUTER] = 0;
      if (e === DEBUG_HALT) {
        // A debugger's watch stopped in front of the instruction: it has not
        // happened, and gives its slot back (in a block, the ones before it ran).
        if (blockPc !== -1) {
          n -= cpu.jitBase + cpu.jitK;
          pc = cpu.curPc;
          blockPc = -1;
        }
        n++;
        cpu.breakHit = true;
        break outer;
      }
      if (e !== FAULT) {
        cpu.pc = pc;
        cpu.sliceLeft = n;
        cpu.seqPc = seqPc;
        cpu.wasmInterpInsns += wasmRan;
        throw e;
      }
      if (blockPc !== -1) {
        // A fault inside a translated block (or a run of the WebAssembly interpreter, or a block it called):
        // the instructions before the faulting one completed, and it used its slot, as in the interpreter
        // (the block's first slot was taken at the top of the loop).
        n -= cpu.jitBase + cpu.jitK;
        pc = cpu.curPc;
        blockPc = -1;
      }
      cpu.sliceLeft = n;
      pc = cpu.deliverFault(pc);
      codeVpage = -1;
      dKey = cpu.dKey;
    }
  }
  cpu.pc = pc;
  cpu.sliceLeft = n;
  cpu.seqPc = seqPc;
  cpu.wasmInterpInsns += wasmRan;
  return budget - n;
}

/**
 * Delivers a fault the instruction at pc recorded instead of throwing
 * (cpu.privilegedRecorded), as the catch in execute() delivers a thrown one;
 * the new pc.
 */
function deliverRecorded(cpu: Cpu, n: number, pc: number): number {
  cpu.sliceLeft = n;
  return cpu.deliverFault(pc);
}

/** The privileged-instruction program interrupt for the instruction at pc, recorded and delivered; the new pc. */
function refusePrivileged(cpu: Cpu, n: number, pc: number): number {
  cpu.privilegedRecorded();
  return deliverRecorded(cpu, n, pc);
}

/** mfspr/mtspr of a privileged SPR (bit 4 of its number) from user mode, no debugger watching SPRs. */
function privilegedFromUser(cpu: Cpu, n10: number): boolean {
  return (n10 & 0x10) !== 0 && (cpu.msr & MSR.PR) !== 0 && cpu.sprWatch === null;
}

/** Instructions that are privileged whatever their operands (executeRare refuses them from user mode up front). */
const PRIVILEGED_ID: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const i of INSNS) if (i.priv) t[i.id] = 1;
  return t;
})();

/** Carry out of a + b + c (unsigned). */
function carry3(a: number, b: number, c: number): number {
  return (a >>> 0) + (b >>> 0) + c > 0xFFFFFFFF ? 1 : 0;
}

/** The less frequent instructions. Returns the next pc. */
function executeRare(cpu: Cpu, id: number, word: number, pc: number): number {
  cpu.curPc = pc;
  const r = cpu.gpr;
  const rt = (word >>> 21) & 31;
  const ra = (word >>> 16) & 31;
  const rb = (word >>> 11) & 31;
  const next = (pc + 4) | 0;
  const base = ra ? r[ra]! : 0;
  const supervisor = (cpu.msr & MSR.PR) === 0;
  if (!supervisor && PRIVILEGED_ID[id] === 1) return cpu.privilegedRecorded();
  switch (id) {
    case 1: // illegal
      return cpu.illegal();
    case 2: { // twi
      if (trapCondition(rt, r[ra]!, (word << 16) >> 16)) cpu.fault(IVOR.PROGRAM, ESR.PTR, 0);
      return next;
    }
    case 66: { // tw
      if (trapCondition(rt, r[ra]!, r[rb]!)) cpu.fault(IVOR.PROGRAM, ESR.PTR, 0);
      return next;
    }
    case 12: { // sc
      const lev = (word >>> 5) & 0x7F;
      if (lev === 1) {
        if (cpu.hooks !== null && cpu.msr & MSR.GS) return cpu.hooks.hypercall(cpu, pc);
        return cpu.interrupt(IVOR.HV_SYSCALL, next, 0, 0);
      }
      return cpu.interrupt(IVOR.SYSCALL, next, 0, 0);
    }
    // ---- XO-form arithmetic with carries ----
    case 68: { // addc
      const a = r[ra]!; const b = r[rb]!;
      const res = (a + b) | 0;
      cpu.ca = carry3(a, b, 0);
      if (word & 0x400) setOv(cpu, ((a ^ res) & (b ^ res)) < 0);
      return finishArith(cpu, word, rt, res, next);
    }
    case 93: { // adde
      const a = r[ra]!; const b = r[rb]!;
      const res = (a + b + cpu.ca) | 0;
      const c = carry3(a, b, cpu.ca);
      if (word & 0x400) setOv(cpu, ((a ^ res) & (b ^ res)) < 0);
      cpu.ca = c;
      return finishArith(cpu, word, rt, res, next);
    }
    case 105: { // addme
      const a = r[ra]!;
      const res = (a + cpu.ca - 1) | 0;
      const c = carry3(a, -1, cpu.ca);
      if (word & 0x400) setOv(cpu, ((a ^ res) & (-1 ^ res)) < 0);
      cpu.ca = c;
      return finishArith(cpu, word, rt, res, next);
    }
    case 101: { // addze
      const a = r[ra]!;
      const res = (a + cpu.ca) | 0;
      const c = carry3(a, 0, cpu.ca);
      if (word & 0x400) setOv(cpu, ((a ^ res) & res) < 0);
      cpu.ca = c;
      return finishArith(cpu, word, rt, res, next);
    }
    case 67: { // subfc
      const a = r[ra]!; const b = r[rb]!;
      const res = (b - a) | 0;
      cpu.ca = carry3(~a, b, 1);
      if (word & 0x400) setOv(cpu, ((a ^ b) & (b ^ res)) < 0);
      return finishArith(cpu, word, rt, res, next);
    }
    case 92: { // subfe
      const a = r[ra]!; const b = r[rb]!;
      const res = (~a + b + cpu.ca) | 0;
      const c = carry3(~a, b, cpu.ca);
      if (word & 0x400) setOv(cpu, ((~a ^ res) & (b ^ res)) < 0);
      cpu.ca = c;
      return finishArith(cpu, word, rt, res, next);
    }
    case 104: { // subfme
      const a = r[ra]!;
      const res = (~a + cpu.ca - 1) | 0;
      const c = carry3(~a, -1, cpu.ca);
      if (word & 0x400) setOv(cpu, ((~a ^ res) & (-1 ^ res)) < 0);
      cpu.ca = c;
      return finishArith(cpu, word, rt, res, next);
    }
    case 100: { // subfze
      const a = r[ra]!;
      const res = (~a + cpu.ca) | 0;
      const c = carry3(~a, 0, cpu.ca);
      if (word & 0x400) setOv(cpu, ((~a ^ res) & res) < 0);
      cpu.ca = c;
      return finishArith(cpu, word, rt, res, next);
    }
    // ---- logical ----
    case 114: return finishLogic(cpu, word, ra, ~(r[rt]! ^ r[rb]!), next); // eqv
    case 123: return finishLogic(cpu, word, ra, r[rt]! | ~r[rb]!, next); // orc
    case 130: return finishLogic(cpu, word, ra, ~(r[rt]! & r[rb]!), next); // nand
    // ---- condition register ----
    case 48: { // mcrf
      const v = (cpu.cr >>> ((7 - (ra >> 2)) * 4)) & 15;
      const sh = (7 - (rt >> 2)) * 4;
      cpu.cr = (cpu.cr & ~(15 << sh)) | (v << sh);
      return next;
    }
    case 50: case 56: case 58: case 59: case 60: case 61: case 62: case 63: { // crnor crandc crxor crnand crand creqv crorc cror
      const a = (cpu.cr >>> (31 - ra)) & 1;
      const b = (cpu.cr >>> (31 - rb)) & 1;
      let v: number;
      switch (id) {
        case 60: v = a & b; break;
        case 56: v = a & (b ^ 1); break;
        case 58: v = a ^ b; break;
        case 59: v = (a & b) ^ 1; break;
        case 50: v = (a | b) ^ 1; break;
        case 61: v = (a ^ b) ^ 1; break;
        case 62: v = a | (b ^ 1); break;
        default: v = a | b; break;
      }
      const bit = 1 << (31 - rt);
      cpu.cr = v ? cpu.cr | bit : cpu.cr & ~bit;
      return next;
    }
    case 132: { // mcrxr
      const sh = (7 - (rt >> 2)) * 4;
      const v = (cpu.so << 3) | (cpu.ov << 2) | (cpu.ca << 1);
      cpu.cr = (cpu.cr & ~(15 << sh)) | (v << sh);
      cpu.so = cpu.ov = cpu.ca = 0;
      return next;
    }
    // ---- loads and stores: update and indexed forms ----
    case 81: case 89: case 115: case 121: { // lwzux lbzux lhzux lhaux
      if (ra === 0 || ra === rt) cpu.illegal();
      const ea = (r[ra]! + r[rb]!) | 0;
      r[rt] = id === 81 ? cpu.ld32(ea) : id === 89 ? cpu.ld8(ea) : id === 115 ? cpu.ld16(ea) : (cpu.ld16(ea) << 16) >> 16;
      r[ra] = ea;
      return next;
    }
    case 119: // lhax
      r[rt] = (cpu.ld16((base + r[rb]!) | 0) << 16) >> 16;
      return next;
    case 99: case 109: case 124: { // stwux stbux sthux
      if (ra === 0) cpu.illegal();
      const ea = (r[ra]! + r[rb]!) | 0;
      if (id === 99) cpu.st32(ea, r[rt]!);
      else if (id === 109) cpu.st8(ea, r[rt]! & 0xFF);
      else cpu.st16(ea, r[rt]! & 0xFFFF);
      r[ra] = ea;
      return next;
    }
    case 133: // lwbrx
      r[rt] = bswap32(cpu.ld32((base + r[rb]!) | 0));
      return next;
    case 147: { // lhbrx
      const v = cpu.ld16((base + r[rb]!) | 0);
      r[rt] = ((v & 0xFF) << 8) | (v >>> 8);
      return next;
    }
    case 141: // stwbrx
      cpu.st32((base + r[rb]!) | 0, bswap32(r[rt]!));
      return next;
    case 152: { // sthbrx
      const v = r[rt]!;
      cpu.st16((base + r[rb]!) | 0, ((v & 0xFF) << 8) | ((v >>> 8) & 0xFF));
      return next;
    }
    case 37: { // lmw
      let ea = (base + ((word << 16) >> 16)) | 0;
      for (let k = rt; k < 32; k++) {
        const v = cpu.ld32(ea);
        if (k !== ra || k === 31) r[k] = v;
        ea = (ea + 4) | 0;
      }
      return next;
    }
    case 38: { // stmw
      let ea = (base + ((word << 16) >> 16)) | 0;
      for (let k = rt; k < 32; k++) {
        cpu.st32(ea, r[k]!);
        ea = (ea + 4) | 0;
      }
      return next;
    }
    case 72: { // lwarx
      const ea = (base + r[rb]!) | 0;
      if (ea & 3) cpu.fault(IVOR.ALIGNMENT, 0, ea);
      const v = cpu.ld32(ea);
      r[rt] = v;
      cpu.resAddr = ea;
      cpu.resValue = v;
      return next;
    }
    case 96: { // stwcx.
      const ea = (base + r[rb]!) | 0;
      let ok = 0;
      if (cpu.resAddr === ea) {
        if (cpu.ld32(ea) === cpu.resValue) {
          cpu.st32(ea, r[rt]!);
          ok = 2;
        }
      }
      cpu.resAddr = -1;
      cpu.cr = (cpu.cr & 0x0FFFFFFF) | ((ok | cpu.so) << 28);
      return next;
    }
    // ---- floating point ----
    case 47: // fp
      cpu.fp(word);
      return next;
    case 39: case 40: case 134: case 137: { // lfs lfsu lfsx lfsux
      cpu.fpCheck();
      const update = id === 40 || id === 137;
      if (update && ra === 0) cpu.illegal();
      const ea = id <= 40 ? (base + ((word << 16) >> 16)) | 0 : (base + r[rb]!) | 0;
      loadSingle(cpu.fpu, rt, cpu.ld32(ea));
      if (update) r[ra] = ea;
      return next;
    }
    case 41: case 42: case 139: case 140: { // lfd lfdu lfdx lfdux
      cpu.fpCheck();
      const update = id === 42 || id === 140;
      if (update && ra === 0) cpu.illegal();
      const ea = id <= 42 ? (base + ((word << 16) >> 16)) | 0 : (base + r[rb]!) | 0;
      const hi = cpu.ld32(ea);
      const lo = cpu.ld32((ea + 4) | 0);
      cpu.fpu.w[rt * 2 + 1] = hi;
      cpu.fpu.w[rt * 2] = lo;
      if (update) r[ra] = ea;
      return next;
    }
    case 43: case 44: case 142: case 143: { // stfs stfsu stfsx stfsux
      cpu.fpCheck();
      const update = id === 44 || id === 143;
      if (update && ra === 0) cpu.illegal();
      const ea = id <= 44 ? (base + ((word << 16) >> 16)) | 0 : (base + r[rb]!) | 0;
      cpu.st32(ea, storeSingle(cpu.fpu, rt));
      if (update) r[ra] = ea;
      return next;
    }
    case 45: case 46: case 144: case 145: { // stfd stfdu stfdx stfdux
      cpu.fpCheck();
      const update = id === 46 || id === 145;
      if (update && ra === 0) cpu.illegal();
      const ea = id <= 46 ? (base + ((word << 16) >> 16)) | 0 : (base + r[rb]!) | 0;
      cpu.store64(ea, cpu.fpu.w[rt * 2 + 1]!, cpu.fpu.w[rt * 2]!);
      if (update) r[ra] = ea;
      return next;
    }
    case 158: // stfiwx
      cpu.fpCheck();
      cpu.st32((base + r[rb]!) | 0, cpu.fpu.w[rt * 2]!);
      return next;
    // ---- system ----
    case 85: // mfmsr
      r[rt] = cpu.msr;
      return next;
    case 95: // mtmsr
      cpu.writeMsr(r[rt]!);
      return next;
    case 91: // wrtee
      cpu.writeMsr((cpu.msr & ~MSR.EE) | (r[rt]! & MSR.EE));
      return next;
    case 98: // wrteei
      cpu.writeMsr((cpu.msr & ~MSR.EE) | (word & MSR.EE));
      return next;
    case 53: case 54: case 51: case 52: case 55: // rfi rfci rfmci rfdi rfgi
      // In guest state rfi runs without an exit when SRR0/1 have guest copies;
      // the others are hypervisor-privileged.
      if (cpu.msr & MSR.GS && (id !== 53 || cpu.rfiTraps)) return hvPrivileged(cpu, id, word, pc);
      return cpu.returnFromInterrupt(id, pc);
    case 120: { // mftb
      const n10 = ((word >>> 16) & 0x1F) | ((word >>> 6) & 0x3E0);
      if (n10 !== 268 && n10 !== 269) cpu.illegal();
      r[rt] = cpu.readSpr(n10);
      return next;
    }
    case 83: // wait: not hypervisor-privileged; in guest state too the core just waits for an interrupt
      cpu.waiting = true;
      return next;
    case 57: case 138: case 150: // isync sync mbar
      return next;
    case 136: // tlbsync
      if (cpu.msr & MSR.GS) return hvPrivileged(cpu, id, word, pc);
      return next;
    case 156: case 154: case 151: case 146: case 73: { // tlbwe tlbre tlbsx tlbivax tlbilx
      // Guest TLB management is the hypervisor's (EPCR[DGTMI]; e500mc has no LRAT).
      if (cpu.msr & MSR.GS) return hvPrivileged(cpu, id, word, pc);
      if (id === 156) {
        if (cpu.tlb1SizeUnsupported()) cpu.illegal();
        cpu.tlbwe();
      } else if (id === 154) cpu.tlbre();
      else if (id === 151) cpu.tlbsx((base + r[rb]!) | 0);
      else if (id === 146) cpu.tlbivaxBroadcast((base + r[rb]!) | 0);
      else cpu.tlbilx(rt & 3, (base + r[rb]!) | 0);
      return next;
    }
    case 102: case 107: // msgsnd msgclr
      if (cpu.msr & MSR.GS) return hvPrivileged(cpu, id, word, pc);
      cpu.doorbell(id === 102, r[rb]!);
      return next;
    case 111: // ehpriv: a hypervisor privilege interrupt in any state
      if (cpu.hooks !== null && cpu.msr & MSR.GS) return cpu.hooks.privileged(cpu, id, word, pc);
      return cpu.hvPrivilege();
    case 117: case 127: // mfpmr mtpmr: QEMU's e500mc has no performance monitor registers
      return cpu.illegal();
    // ---- cache management ----
    case 159: { // dcbz: zero the 64-byte cache line
      const ea = ((base + r[rb]!) | 0) & ~63;
      cpu.zeroLine(ea, 64);
      return next;
    }
    case 86: case 80: case 157: // dcbf dcbst icbi: translate (may fault), no other effect
      cpu.ld8((base + r[rb]!) | 0);
      return next;
    case 129: // dcbi
      cpu.ld8((base + r[rb]!) | 0);
      return next;
    case 108: case 112: case 160: case 161: // dcbtst dcbt dcba icbt: hints, never fault
      return next;
    case 162: case 163: case 164: // dcbtls dcbtstls icbtls: no cache locking here: L1CSR0[CUL]
      if (!supervisor && !(cpu.msr & MSR.UCLE)) cpu.privileged();
      if (cpu.hooks !== null && cpu.msr & MSR.GS) return cpu.hooks.privileged(cpu, id, word, pc);
      cpu.spr[1010] = cpu.spr[1010]! | 0x400;
      return next;
    case 165: case 166: // icblc dcblc
      if (!supervisor && !(cpu.msr & MSR.UCLE)) cpu.privileged();
      return next;
    default:
      throw new CheckStop(`instruction id ${id} (word 0x${(word >>> 0).toString(16)}) has no implementation`);
  }
}

/** A hypervisor-privileged instruction in guest state: the hypervisor's hooks, or the hypervisor privilege interrupt. */
function hvPrivileged(cpu: Cpu, id: number, word: number, pc: number): number {
  if (cpu.hooks !== null) return cpu.hooks.privileged(cpu, id, word, pc);
  return cpu.hvPrivilege();
}

function setOv(cpu: Cpu, ov: boolean): void {
  cpu.ov = ov ? 1 : 0;
  cpu.so |= cpu.ov;
}

function finishArith(cpu: Cpu, word: number, rt: number, res: number, next: number): number {
  cpu.gpr[rt] = res;
  if (word & 1) cpu.setCr0(res);
  return next;
}

function finishLogic(cpu: Cpu, word: number, ra: number, res: number, next: number): number {
  cpu.gpr[ra] = res;
  if (word & 1) cpu.setCr0(res);
  return next;
}

function bswap32(v: number): number {
  return ((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >>> 8) & 0xFF00) | ((v >>> 24) & 0xFF);
}

/** tw/twi condition: TO bits lt, gt, eq, ltu, gtu. */
function trapCondition(to: number, a: number, b: number): boolean {
  if (to & 16 && a < b) return true;
  if (to & 8 && a > b) return true;
  if (to & 4 && a === b) return true;
  if (to & 2 && a >>> 0 < b >>> 0) return true;
  if (to & 1 && a >>> 0 > b >>> 0) return true;
  return false;
}
