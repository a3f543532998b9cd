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
// NAME is a guest's name (see --guest name=...). The session keeps running
// after the last step until its guests stop, --duration passes or Ctrl-C.

export type ScriptStep =
  | { line: number; op: 'type'; guest: string; text: string }
  | { line: number; op: 'expect'; guest: string; text: string }
  | { line: number; op: 'sleep'; seconds: number }
  | { line: number; op: 'pause' | 'start' | 'reset'; guest: string }
  | { line: number; op: 'stats' }
  | { line: number; op: 'quit' };

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
      case 'stats':
      case 'quit':
        if (args.length) throw new ScriptError(`${where}: ${word} takes no arguments`);
        steps.push({ line, op: word });
        return;
      default:
        throw new ScriptError(`${where}: unknown step "${word}" (use @NAME TEXT, expect, sleep, pause, start, reset, stats, quit)`);
    }
  });
  return steps;
}
