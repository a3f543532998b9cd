// The block translator against the interpreter, the reference: every guest
// must produce the same console, retire exactly the same number of
// instructions and end in the same architected state with translation off,
// on (hot code) and eager (every instruction translated on first sight),
// natively and under the hypervisor (exits from inside translated code), with
// the WebAssembly back end (the default) and the JavaScript one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/shared/hw';
import { runElf, type RunOptions, type RunResult } from '../../src/main/guest/run';
import { BLOCK_MIN_RUN, BLOCK_TRIAL, DIRECT_BASE, HOT_BLOCK, type JitBlock, JitPage, LOOP_HEAT, planRegion, TRIED } from '../../src/main/cpu/jit';
import { Cpu } from '../../src/main/cpu/cpu';
import { execute } from '../../src/main/cpu/interp';
import { MAS, MSR } from '../../src/main/cpu/regs';
import { Bus } from '../../src/main/devices/bus';

const GUESTS = join(__dirname, '../../resources/guests');

function state(r: RunResult) {
  const c = r.machine.cpu;
  return {
    console: Buffer.from(r.console).toString('latin1'),
    reason: r.reason,
    insns: r.insns,
    gpr: [...c.gpr],
    cr: c.cr >>> 0,
    xer: c.xer >>> 0,
    lr: c.lr >>> 0,
    ctr: c.ctr >>> 0,
    msr: c.msr >>> 0,
    pc: c.pc >>> 0,
    ticks: c.timers.ticks,
    exits: r.stats.exits,
  };
}

const CASES: [string, string, RunOptions][] = [
  ['intmix', 'bench/intmix.elf', { bootargs: 'iterations=20' }],
  ['labOS bench', 'labos/labos.elf', { bootargs: 'run; run hello; bench; poweroff' }],
  ['labOS bench under booke-hv (2.06)', 'labos/labos.elf', { bootargs: 'bench; poweroff', model: 'booke-hv', hw: presetConfig('isa206') }],
  ['labOS under state-transfer', 'labos/labos.elf', { bootargs: 'run hello; bench tlb_miss; poweroff', model: 'state-transfer', hw: presetConfig('x86') }],
  ['sprcount with every SPR duplicated', 'hvtests/sprcount.elf', { model: 'booke-hv', hw: presetConfig('all') }],
  ['reflect under nothing duplicated', 'hvtests/reflect.elf', { model: 'booke-hv', hw: presetConfig('none') }],
  // Without hardware help the guest kernel's mfmsr and wrteei fault out of translated code into the hypervisor.
  ['labOS under trap-and-emulate', 'labos/labos.elf', { bootargs: 'run hello; bench null_syscall tlb_miss; poweroff', model: 'trap-and-emulate' }],
  ['labOS with the paravirtual page', 'labos/labos.elf', { bootargs: 'pv=on; run hello; bench; poweroff', model: 'trap-and-emulate' }],
  ...['alu', 'branch', 'loadstore', 'pagecross', 'smc', 'mmu', 'interrupts', 'atomic', 'rotate', 'compare', 'system', 'timers', 'fpu']
    .map((p): [string, string, RunOptions] => [p, `tests/${p}.elf`, { maxInsns: 3e8 }]),
];

describe('block translator equivalence', () => {
  for (const [name, path, opts] of CASES) {
    it(`${name}: identical with translation off, on and eager (both back ends)`, () => {
      const elf = new Uint8Array(readFileSync(join(GUESTS, path)));
      const interpreted = runElf(elf, { ...opts, jit: 'off' });
      const off = state(interpreted);
      expect(off.reason).toBe('reset');
      expect(interpreted.machine.cpu.jitInsns).toBe(0);
      expect(state(runElf(elf, { ...opts, jit: 'on' }))).toEqual(off);
      const eager = runElf(elf, { ...opts, jit: 'eager' });
      expect(state(eager)).toEqual(off);
      // Translation really ran: with every region translated at first sight, most instructions ran translated
      // (under trap-and-emulate somewhat fewer: every privileged instruction of the guest kernel leaves its block).
      const share = opts.model === 'trap-and-emulate' ? 0.4 : 0.5;
      expect(eager.machine.cpu.jitInsns, 'instructions run in translated code').toBeGreaterThan(off.insns * share);
      expect(eager.machine.cpu.jitBackend).toBe('wasm');
      const js = runElf(elf, { ...opts, jit: 'eager', translator: 'js' });
      expect(state(js)).toEqual(off);
      expect(js.machine.cpu.jitInsns, 'instructions run in translated JavaScript').toBeGreaterThan(off.insns * share);
    });
  }
});

describe('block trial', () => {
  const blocks = (r: RunResult) => r.machine.cpu.jitPages.flatMap((p) => (p === undefined ? [] : (p.blocks ?? []).filter((b): b is JitBlock => !!b)));

  it('drops the blocks that leave after a few instructions and keeps the ones that loop', () => {
    // memwalk's loop faults on a TLB miss at every pass, a few instructions into its block.
    const walk = runElf(new Uint8Array(readFileSync(join(GUESTS, 'bench/memwalk.elf'))), { bootargs: 'passes=4', jit: 'on' });
    for (const b of blocks(walk)) expect(b.calls < BLOCK_TRIAL || b.ran >= b.calls * BLOCK_MIN_RUN).toBe(true);
    // Its loop's blocks were translated (they ran more than 60 % of it before the trial existed), then dropped
    // (a loop's head is translated after JIT_THRESHOLD / LOOP_HEAT passes: about 16 % of this short run ran
    // translated before the trials ended).
    expect(walk.machine.cpu.jitBlocks).toBeGreaterThan(3);
    expect(walk.machine.cpu.jitInsns / walk.insns).toBeLessThan(0.25);
    // intmix's blocks run hundreds of instructions a call and all stay.
    const mix = runElf(new Uint8Array(readFileSync(join(GUESTS, 'bench/intmix.elf'))), { bootargs: 'iterations=30', jit: 'on' });
    const tried = blocks(mix).filter((b) => b.calls >= BLOCK_TRIAL);
    expect(tried.length).toBeGreaterThan(0);
    expect(mix.machine.cpu.jitInsns / mix.insns).toBeGreaterThan(0.8);
  });
});

describe('a page\'s translation state', () => {
  const block = (words: number[]): JitBlock => ({ len: words.length, fn: () => 0, words, sourceChars: 0, calls: 0, ran: 0, direct: -1 });

  it('marks an entry where nothing was translated, and a dropped block\'s words, as tried: run, never counted again', () => {
    const page = new JitPage();
    page.add(3, null);
    expect(page.hot[3]).toBe(TRIED);
    page.hot.set([900, 800, 700], 10);
    page.add(10, block([10, 11, 12]));
    page.add(12, block([12, 13])); // a block that starts inside the first
    expect([page.hot[10], page.hot[11], page.hot[12]]).toEqual([HOT_BLOCK, 800, HOT_BLOCK]);
    page.demote(10);
    expect(page.blocks![10]).toBeNull();
    // Its words: tried (the interpreter neither counts them nor looks for a block), but where the other block starts, that block.
    expect([page.hot[10], page.hot[11], page.hot[12]]).toEqual([TRIED, TRIED, HOT_BLOCK]);
    expect(page.blocks![12]).not.toBeNull();
    expect(page.covers(11)).toBe(true);
  });

  it('marks a block that passed its trial for the WebAssembly interpreter\'s direct call, only while it is installed', () => {
    const page = new JitPage();
    const direct = (words: number[], slot: number): JitBlock => ({ ...block(words), direct: slot });
    const a = direct([10, 11], 7);
    page.add(10, a);
    page.passed(10, a);
    expect(page.hot[10]).toBe(DIRECT_BASE - 7);
    expect(page.hot[10]).toBeLessThan(TRIED);
    // A JavaScript block, or one that reads the time base: no direct call.
    const js = block([20, 21]);
    page.add(20, js);
    page.passed(20, js);
    expect(page.hot[20]).toBe(HOT_BLOCK);
    // A block dropped during the call that ended its trial (a store over its own code) is not marked: its slot is free.
    const b = direct([30, 31], 8);
    page.add(30, b);
    page.invalidate(31, 31);
    page.passed(30, b);
    expect(page.hot[30]).toBe(0);
    // Dropping the page's translations takes the marks back.
    page.dispose();
    expect(page.hot[10]).toBe(0);
  });

  it('plans a region over the words that follow a word that ran in straight line, and leaves out paths that never ran', () => {
    // 0: addi; 1: addi; 2: beq +12 (to 5); 3: addi; 4: b -16 (to 0); 5: addi; 6: addi; 7: blr.
    const addi = (rt: number, v: number) => ((14 << 26) | (rt << 21) | (rt << 16) | (v & 0xFFFF)) | 0;
    const words = [addi(3, 1), addi(4, 1), ((16 << 26) | (12 << 21) | (2 << 16) | 12) | 0, addi(5, 1),
      ((18 << 26) | (-16 & 0x3FFFFFC)) | 0, addi(6, 1), addi(7, 1), ((19 << 26) | (20 << 21) | (16 << 1)) | 0];
    const ram32 = new Int32Array(1024);
    words.forEach((w, k) => { ram32[k] = w; });
    // Counts as the WebAssembly interpreter leaves them: where basic blocks start (the entry, the word after the
    // branch not taken), not the words in straight line after them. The branch's target (5) never ran.
    const seen = new Int32Array(1024);
    seen[0] = 100;
    seen[3] = 50;
    const lines = new Uint8Array(4096 / 64);
    const plan = planRegion(new Int32Array(2048), ram32, lines, 0, 0, null, seen)!;
    expect([...plan.region]).toEqual([0, 1, 2, 3, 4]);
    // The words it decoded are in the first 64-byte line of the page: marked in the code-line map, no other line.
    expect([...lines.keys()].filter((l) => lines[l] !== 0)).toEqual([0]);
    // Once the target has run, its block and the words after it are in too.
    seen[5] = 10;
    expect([...planRegion(new Int32Array(2048), ram32, lines, 0, 0, null, seen)!.region]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('lets the interpreter run a dropped block\'s loop without counting it', () => {
    // memwalk's loop block faults at almost every pass and is dropped after its trial; its words then stay tried.
    const walk = runElf(new Uint8Array(readFileSync(join(GUESTS, 'bench/memwalk.elf'))), { bootargs: 'passes=4', jit: 'on' });
    const tried = walk.machine.cpu.jitPages.flatMap((p) => (p === undefined ? [] : [...p.hot].filter((h) => h === TRIED)));
    expect(tried.length).toBeGreaterThan(3);
    // No word is left counting at the threshold inside a tried region (the interpreter's old per-pass covers() check).
    for (const p of walk.machine.cpu.jitPages) {
      if (p === undefined) continue;
      p.hot.forEach((h, w) => { if (h >= walk.machine.cpu.jitThreshold - 1) expect(p.covers(w)).toBe(false); });
    }
  });
});

describe('when a region is made', () => {
  /** A core running `passes` passes of a two-instruction loop (addi; bdnz) at 0x1000, with the threshold given; the regions made. */
  function loopRegions(passes: number, threshold: number): number {
    const bus = new Bus(1 << 20);
    const cpu = new Cpu(bus);
    cpu.spr[624] = MAS.TLBSEL; // TLB1 entry 0: 1 GB at 0
    cpu.spr[625] = MAS.V | (10 << MAS.TSIZE_SHIFT);
    cpu.spr[626] = 0;
    cpu.spr[627] = 0x3F;
    cpu.spr[944] = 0;
    cpu.tlbwe();
    const words = [
      0x3D200000 | (passes >>> 16), 0x61290000 | (passes & 0xFFFF), // lis r9; ori r9,r9
      0x7D2903A6, // mtctr r9
      0x396B0001, // loop: addi r11,r11,1
      0x4200FFFC, // bdnz loop
      0x48000000, // b .
    ];
    words.forEach((w, i) => bus.writeRam(0x1000 + i * 4, 4, w));
    cpu.pc = 0x1000;
    cpu.setMsr(MSR.ME);
    cpu.jitThreshold = threshold;
    for (let k = 0; k < 10_000 && cpu.pc !== 0x1014; k++) cpu.insns += execute(cpu, 64);
    expect(cpu.gpr[11]).toBe(passes);
    return cpu.jitBlocks;
  }

  it('counts an entry reached by a backward branch (a loop head) LOOP_HEAT times', () => {
    // The head is reached once by falling through (1), then by the loop's branch (LOOP_HEAT a pass).
    const passesToTranslate = Math.ceil((800 - 1) / LOOP_HEAT) + 1;
    expect(loopRegions(passesToTranslate - 1, 800)).toBe(0);
    expect(loopRegions(passesToTranslate + 1, 800)).toBe(1);
    // Straight-line code has no such weight: the same loop's body word after the head never starts a region of its own.
    expect(loopRegions(3 * passesToTranslate, 800)).toBe(1);
  });
});
