import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, disassemble, ID_FP, ID_ILLEGAL, INSN_BY_ID, INSNS } from '../../../src/main/cpu/isa';

const interp = readFileSync(join(__dirname, '../../../src/main/cpu/interp.ts'), 'utf8');

/** Every `case N: ... // mnemonic` of the interpreter (several ids may share a line). */
function interpreterCases(): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of interp.split('\n')) {
    const m = /^\s*((?:case \d+: *)+).*?\/\/ (.+)$/.exec(line);
    if (!m) continue;
    const ids = [...m[1]!.matchAll(/case (\d+):/g)].map((g) => Number(g[1]));
    // The comment names the instructions, space-separated, up to an optional ':' remark.
    const names = m[2]!.split(':')[0]!.trim().split(/\s+/);
    ids.forEach((id, i) => {
      expect(out.has(id), `id ${id} has two cases`).toBe(false);
      out.set(id, names[i] ?? names[0] ?? '');
    });
  }
  return out;
}

describe('instruction table', () => {
  it('has unique ids and mnemonics', () => {
    expect(new Set(INSNS.map((i) => i.id)).size).toBe(INSNS.length);
    expect(new Set(INSNS.map((i) => i.mnem)).size).toBe(INSNS.length);
  });

  it('has exactly one interpreter case per instruction id, named after its mnemonic', () => {
    const cases = interpreterCases();
    for (const insn of INSNS) {
      expect(cases.has(insn.id), `${insn.mnem} (id ${insn.id}) has no case in interp.ts`).toBe(true);
      expect(cases.get(insn.id), `case ${insn.id}`).toBe(insn.mnem);
    }
    for (const id of cases.keys()) expect(INSN_BY_ID[id], `case ${id} is not in isa.ts`).toBeDefined();
  });
});

describe('decoder', () => {
  const cases: [number, string][] = [
    [0x38600005, 'addi'], [0x3c60dead, 'addis'], [0x7c642a14, 'add'], [0x7c642e14, 'add'], // addo
    [0x7c642a15, 'add'], [0x5483298e, 'rlwinm'], [0x7c60289e, 'isel'], [0x7c6008de, 'isel'],
    [0x80640008, 'lwz'], [0x94210010, 'stwu'], [0x7c0004ac, 'sync'], [0x4c000064, 'rfi'],
    [0x44000002, 'sc'], [0x44000022, 'sc'], [0x4e800020, 'bclr'], [0x4e800420, 'bcctr'], [0x48000000, 'b'],
    [0x7c0007a4, 'tlbwe'], [0x7c000764, 'tlbre'], [0x7c000724, 'tlbsx'], [0x7c000024, 'tlbilx'],
    [0x7c00007c, 'wait'], [0x7c00021c, 'ehpriv'], [0x4c0000cc, 'rfgi'], [0x7c6802a6, 'mfspr'], [0x7c7043a6, 'mtspr'],
  ];
  it.each(cases)('decodes 0x%s as %s', (word, mnem) => {
    expect(INSN_BY_ID[decode(word)]!.mnem).toBe(mnem);
  });

  it('sends every primary opcode 59 and 63 word to the FPU', () => {
    expect(decode(0xfc22182a)).toBe(ID_FP); // fadd
    expect(decode(0xec22182a)).toBe(ID_FP); // fadds
  });

  it('rejects what e500mc does not implement (string instructions, popcntb, lbarx, opcode 0, 4)', () => {
    for (const word of [0x7f440caa, 0x7f840daa, 0x7c6300f4, 0x7c600068, 0x00000000, 0x10000000, 0xf8000000]) {
      expect(decode(word), word.toString(16)).toBe(ID_ILLEGAL);
    }
  });
});

describe('disassembler', () => {
  const cases: [number, number, string][] = [
    [0x38600005, 0, 'addi r3,r0,5'],
    [0x7c642a15, 0, 'add. r3,r4,r5'],
    [0x7c642e14, 0, 'addo r3,r4,r5'],
    [0x80640008, 0, 'lwz r3,8(r4)'],
    [0x48000010, 0x100, 'b 0x110'],
    [0x4bfffff0, 0x100, 'b 0xf0'],
    [0x4182fff8, 0x50, 'bc 12,2,0x48'],
    [0x7c0007a4, 0, 'tlbwe'],
    [0x7c7043a6, 0, 'mtspr 272,r3'],
    [0x00000000, 0, '.long 0x0'],
  ];
  it.each(cases)('0x%s at 0x%s is %s', (word, pc, text) => {
    expect(disassemble(word, pc)).toBe(text);
  });
});
