// `lab session --script FILE`: a list of steps run once every guest exists.
// One step a line; blank lines and lines starting with '#' are ignored.
//
//   @NAME TEXT          type TEXT and Enter on NAME's console
//   expect NAME TEXT    wait until NAME's console shows TEXT (after what the
//                       previous expect on NAME matched); fails after 30 s
//   sleep SECONDS       wait
//   pause NAME | start NAME | reset NAME
//   stats               print the statistics table now
//   quit                end the session
//
// The inspector (NAME's vCPU 0; the guest must be paused, or created with
// start=no, for step/set):
//   break NAME pc ADDR | exit REASON | spr SPR [read|write|any] | clear
//   step NAME [N | block | exit | to ADDR]
//   continue NAME       run until the next breakpoint, watch or step end (30 s at most)
//   regs NAME | tlb NAME | x NAME ADDR [BYTES] | set NAME REGISTER VALUE
//
// NAME is a guest's name (see --guest name=...). The session keeps running
// after the last step until its guests stop, --duration passes or Ctrl-C.

export type ScriptStep =
  | { line: number; op: 'type'; guest: string; text: string }
  | { line: number; op: 'expect'; guest: string; text: string }
  | { line: number; op: 'sleep'; seconds: number }
  | { line: number; op: 'pause' | 'start' | 'reset'; guest: string }
  | { line: number; op: 'stats' }
  | { line: number; op: 'quit' }
  | { line: number; op: 'break'; guest: string; kind: 'pc' | 'exit' | 'spr' | 'clear'; value: string; access: 'read' | 'write' | 'any' }
  | { line: number; op: 'step'; guest: string; unit: 'instruction' | 'block' | 'exit' | 'address'; count: number; address?: number }
  | { line: number; op: 'continue' | 'regs' | 'tlb'; guest: string }
  | { line: number; op: 'x'; guest: string; address: number; length: number }
  | { line: number; op: 'set'; guest: string; register: string; value: number };

/** A number as a script writes it: decimal, or hexadecimal with 0x. */
function num(text: string | undefined): number {
  if (text === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number.NaN;
  return Number(text);
}

export class ScriptError extends Error {}

export function parseScript(source: string, file = 'script'): ScriptStep[] {
  const steps: ScriptStep[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (!text || text.startsWith('#')) return;
    const where = `${file}:${line}`;
    if (text.startsWith('@')) {
      const m = /^@(\S+)(?:\s(.*))?$/.exec(text);
      if (!m) throw new ScriptError(`${where}: @ needs a guest name right after it (@NAME TEXT)`);
      steps.push({ line, op: 'type', guest: m[1]!, text: m[2] ?? '' });
      return;
    }
    const [word, ...args] = text.split(/\s+/);
    const arg = text.slice(word!.length).trim();
    switch (word) {
      case 'expect': {
        const m = /^(\S+)\s+(.+)$/.exec(arg);
        if (!m) throw new ScriptError(`${where}: expect needs a guest name and a text`);
        steps.push({ line, op: 'expect', guest: m[1]!, text: m[2]! });
        return;
      }
      case 'sleep': {
        const seconds = Number(arg);
        if (!(seconds >= 0) || args.length !== 1) throw new ScriptError(`${where}: sleep needs a number of seconds`);
        steps.push({ line, op: 'sleep', seconds });
        return;
      }
      case 'pause':
      case 'start':
      case 'reset':
        if (args.length !== 1) throw new ScriptError(`${where}: ${word} needs one guest name`);
        steps.push({ line, op: word, guest: args[0]! });
        return;
      case 'break': {
        const [guest, kind, value, access] = args;
        if (!guest || !kind) throw new ScriptError(`${where}: break needs a guest name and pc ADDR, exit REASON, spr SPR [read|write|any] or clear`);
        if (kind === 'clear') {
          steps.push({ line, op: 'break', guest, kind, value: '', access: 'any' });
          return;
        }
        if ((kind !== 'pc' && kind !== 'exit' && kind !== 'spr') || !value) throw new ScriptError(`${where}: break ${kind}: use pc ADDR, exit REASON, spr SPR [read|write|any] or clear`);
        if (kind === 'pc' && Number.isNaN(num(value))) throw new ScriptError(`${where}: break pc needs an address (0x...)`);
        if (access !== undefined && access !== 'read' && access !== 'write' && access !== 'any') throw new ScriptError(`${where}: an SPR watch is read, write or any`);
        steps.push({ line, op: 'break', guest, kind, value, access: access ?? 'any' });
        return;
      }
      case 'step': {
        const [guest, what, target] = args;
        if (!guest) throw new ScriptError(`${where}: step needs a guest name`);
        if (what === undefined) steps.push({ line, op: 'step', guest, unit: 'instruction', count: 1 });
        else if (what === 'block' || what === 'exit') steps.push({ line, op: 'step', guest, unit: what, count: 1 });
        else if (what === 'to' && !Number.isNaN(num(target))) steps.push({ line, op: 'step', guest, unit: 'address', count: 1, address: num(target) });
        else if (Number.isInteger(num(what)) && num(what) > 0) steps.push({ line, op: 'step', guest, unit: 'instruction', count: num(what) });
        else throw new ScriptError(`${where}: step NAME [N | block | exit | to ADDR]`);
        return;
      }
      case 'continue':
      case 'regs':
      case 'tlb':
        if (args.length !== 1) throw new ScriptError(`${where}: ${word} needs one guest name`);
        steps.push({ line, op: word, guest: args[0]! });
        return;
      case 'x': {
        const [guest, addr, len] = args;
        const address = num(addr);
        const length = len === undefined ? 32 : num(len);
        if (!guest || Number.isNaN(address) || !(length >= 1)) throw new ScriptError(`${where}: x NAME ADDR [BYTES]`);
        steps.push({ line, op: 'x', guest, address, length });
        return;
      }
      case 'set': {
        const [guest, register, value] = args;
        const v = value?.startsWith('-') ? -num(value.slice(1)) : num(value);
        if (!guest || !register || Number.isNaN(v)) throw new ScriptError(`${where}: set NAME REGISTER VALUE`);
        steps.push({ line, op: 'set', guest, register, value: v });
        return;
      }
      case 'stats':
      case 'quit':
        if (args.length) throw new ScriptError(`${where}: ${word} takes no arguments`);
        steps.push({ line, op: word });
        return;
      default:
        throw new ScriptError(`${where}: unknown step "${word}" (use @NAME TEXT, expect, sleep, pause, start, reset, stats, quit, break, step, continue, regs, tlb, x, set)`);
    }
  });
  return steps;
}
