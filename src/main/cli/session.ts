// `lab session`: several guests at once, headless. Their consoles are
// multiplexed to stdout ("name| ..."), with flow control (a console is
// acknowledged once stdout has taken it, so a slow pipe holds the guests
// back instead of losing bytes). Lines on stdin go to the first guest, or to
// another with "@name text". At the end it prints the statistics table (or
// JSON). It ends when every guest has halted or crashed, after --duration,
// at a script's `quit`, or on Ctrl-C.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs, TextDecoder } from 'node:util';
import type { GuestInfo, LabEvent, LabMethodName } from '../../shared/api';
import type { Result } from '../../shared/result';
import { dispatch } from '../lab/dispatch';
import { type LabClient, LabSession } from '../lab/session';
import { ConsoleMux } from './console-mux';
import { EXIT, UsageError } from './exit-codes';
import { parseGuestSpec, type SessionGuestSpec, SpecError } from './guest-spec';
import { parseScript, ScriptError, type ScriptStep } from './script';
import { type GuestReport, statsJson, statsTable } from './stats-table';
import { memoryText, registersText, stopText, tlbText } from './inspect-text';
import type { Breakpoints, InspectorState, MemoryView, StopInfo, TlbView } from '../../shared/debug';

export const SESSION_USAGE = `Usage: lab session --guest SPEC [--guest SPEC ...] [--script FILE] [--duration SECONDS] [--stats table|json|none]
  SPEC is IMAGE[:KEY=VALUE,...]; IMAGE is a bundled image id or an ELF path; keys:
    name=N  model=native|booke-hv|state-transfer|trap-and-emulate  ram=MB  bootargs=TEXT
    preset=isa206|none|all|x86  dup=SPR,...  trap=SPR,...   (a per-guest hardware override)
    gdb=PORT  a GDB stub on 127.0.0.1:PORT (0: any free port); the guest waits for GDB
    start=no  created stopped at its entry, for a script's step/continue/start
  Consoles are multiplexed to stdout, one "name| " prefix per line. Lines typed on
  stdin go to the first guest, or to another with "@name text".
  --script FILE runs steps, one a line: "@NAME TEXT" (type a line), "expect NAME TEXT",
    "sleep SECONDS", "pause NAME", "start NAME", "reset NAME", "stats", "quit"; '#' comments;
    the inspector: "break NAME pc ADDR|exit REASON|spr SPR [read|write|any]|clear",
    "step NAME [N|block|exit|to ADDR]", "continue NAME", "regs NAME", "tlb NAME",
    "x NAME ADDR [BYTES]", "set NAME REGISTER VALUE" (vCPU 0).
  The session ends when every guest has halted or crashed, after --duration, at
  "quit" or on Ctrl-C; then the statistics are printed (--stats, default table).
  Exit status: 0; 2 bad image; 4 a guest crashed; 6 a script step failed; 130 Ctrl-C.`;

const EXPECT_TIMEOUT_MS = 30_000;
/** The mux lane of the lab's own messages (notices). */
const LAB_LANE = '@lab';
/** Console text kept per guest for `expect`. */
const EXPECT_WINDOW = 1 << 20;

type StatsFormat = 'table' | 'json' | 'none';
type EndReason = 'guests-stopped' | 'duration' | 'quit' | 'interrupted' | 'script-failed';

interface Options {
  specs: SessionGuestSpec[];
  script: ScriptStep[];
  durationMs: number | null;
  stats: StatsFormat;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      guest: { type: 'string', multiple: true },
      script: { type: 'string' },
      duration: { type: 'string' },
      stats: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  if (!values.guest?.length) throw new UsageError('lab session needs at least one --guest (e.g. --guest labos)');
  let specs: SessionGuestSpec[];
  let script: ScriptStep[] = [];
  try {
    specs = values.guest.map((g) => parseGuestSpec(g));
    if (values.script !== undefined) script = parseScript(readFileSync(values.script, 'utf8'), values.script);
  } catch (e) {
    if (e instanceof SpecError || e instanceof ScriptError) throw new UsageError(e.message);
    if (values.script !== undefined && e instanceof Error && 'code' in e) throw new UsageError(`cannot read ${values.script}: ${e.message}`);
    throw e;
  }
  let durationMs: number | null = null;
  if (values.duration !== undefined) {
    const s = Number(values.duration);
    if (!(s > 0)) throw new UsageError(`--duration must be a positive number of seconds (got "${values.duration}")`);
    durationMs = s * 1000;
  }
  const stats = (values.stats ?? 'table') as StatsFormat;
  if (!['table', 'json', 'none'].includes(stats)) throw new UsageError(`--stats must be table, json or none (got "${values.stats}")`);
  return { specs, script, durationMs, stats };
}

/** Console text of one guest, for `expect`. */
class Transcript {
  private text = '';
  private from = 0;
  private readonly decoder = new TextDecoder();
  private waiters: (() => void)[] = [];

  add(bytes: Uint8Array): void {
    this.text += this.decoder.decode(bytes, { stream: true }).replace(/\r/g, '');
    if (this.text.length > EXPECT_WINDOW) {
      const cut = this.text.length - EXPECT_WINDOW;
      this.text = this.text.slice(cut);
      this.from = Math.max(0, this.from - cut);
    }
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves true once `needle` appears after the previous match, false after the timeout. */
  async expect(needle: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.text.indexOf(needle, this.from);
      if (at >= 0) {
        this.from = at + needle.length;
        return true;
      }
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
}

class HeadlessSession {
  private readonly session = new LabSession();
  private readonly mux = new ConsoleMux({ write: (text, done) => { process.stdout.write(text, () => done()); } });
  private readonly client: LabClient = { name: 'cli', send: (e) => this.onEvent(e) };
  private guests: GuestInfo[] = [];
  private readonly transcripts = new Map<string, Transcript>();
  private readonly started = performance.now();
  private end!: (reason: EndReason) => void;
  private readonly ended = new Promise<EndReason>((resolve) => { this.end = resolve; });
  private finished = false;

  constructor(private readonly opts: Options) {
    this.session.attach(this.client);
    this.mux.add(LAB_LANE, 'lab');
  }

  private call<M extends LabMethodName>(method: M, params: unknown): Promise<Result<unknown>> {
    return dispatch(this.session, this.client, method, params);
  }

  async run(): Promise<number> {
    const created = await this.createAll();
    if (created !== EXIT.ok) {
      await this.session.shutdown();
      return created;
    }
    const onSignal = () => this.end('interrupted');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // stdout closed under us (e.g. `| head`): stop, as on Ctrl-C.
    process.stdout.on('error', onSignal);
    const stdin = this.readStdin();
    const timer = this.opts.durationMs !== null ? setTimeout(() => this.end('duration'), this.opts.durationMs) : null;
    void this.runScript();
    this.checkAllStopped();

    const reason = await this.ended;
    this.finished = true;
    if (timer) clearTimeout(timer);
    stdin.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const snapshot = this.report();
    await this.session.shutdown();
    await snapshot;
    if (reason === 'interrupted') return EXIT.interrupted;
    if (reason === 'script-failed') return EXIT.script;
    return this.guests.some((g) => g.state === 'crashed') ? EXIT.checkstop : EXIT.ok;
  }

  private async createAll(): Promise<number> {
    const ids: string[] = [];
    for (const { gdbPort, autostart, ...spec } of this.opts.specs) {
      const r = await this.call('createGuest', { ...spec, start: false });
      if (!r.ok) {
        console.error(`lab session: ${r.error.message}`);
        return r.error.code === 'bad-image' ? EXIT.badImage : EXIT.usage;
      }
      const info = r.value as GuestInfo;
      if (autostart !== false) ids.push(info.id);
      if (gdbPort !== undefined) {
        try {
          const { port } = await this.session.startGdb(info.id, gdbPort, true);
          process.stderr.write(`lab: ${info.name} waits for GDB on 127.0.0.1:${port} (gdb-multiarch IMAGE.elf -ex 'target remote 127.0.0.1:${port}')\n`);
        } catch (e) {
          console.error(`lab session: ${e instanceof Error ? e.message : String(e)}`);
          return EXIT.usage;
        }
      }
      this.mux.add(info.id, info.name);
      this.transcripts.set(info.id, new Transcript());
    }
    for (const id of this.transcripts.keys()) {
      const sub = await this.call('consoleSubscribe', { id });
      if (sub.ok) this.output(id, Buffer.from((sub.value as { scrollback: string }).scrollback, 'base64'), false);
    }
    for (const id of ids) await this.call('startGuest', { id });
    this.guests = this.session.listGuests();
    return EXIT.ok;
  }

  private onEvent(e: LabEvent): void {
    switch (e.type) {
      case 'console':
        this.output(e.id, Buffer.from(e.data, 'base64'), true);
        break;
      case 'guests':
        this.guests = e.guests;
        this.checkAllStopped();
        break;
      case 'notice':
        if (e.level === 'error') this.warn(e.message);
        else if (!this.aboutStoppedGuest(e.id)) this.mux.push(LAB_LANE, Buffer.from(`${e.message}\n`));
        break;
      default:
        break;
    }
  }

  private output(id: string, bytes: Uint8Array, ack: boolean): void {
    // Once the session has ended, the statistics are the last thing on stdout.
    if (this.finished) return;
    this.transcripts.get(id)?.add(bytes);
    const n = bytes.length;
    this.mux.push(id, bytes, () => {
      if (!ack || this.finished) return;
      try {
        this.session.consoleAck(this.client, id, n);
      } catch {
        // The guest was removed meanwhile: nothing to acknowledge.
      }
    });
  }

  private checkAllStopped(): void {
    if (this.guests.length > 0 && this.guests.every((g) => g.state === 'halted' || g.state === 'crashed')) this.end('guests-stopped');
  }

  /** A message on stderr, after ending any partial console line on stdout. */
  private warn(message: string): void {
    this.mux.endLine();
    process.stderr.write(`lab: ${message}\n`);
  }

  /** A halt is already on the guest's console ("[lab] guest halted: ..."); its notice would repeat it. */
  private aboutStoppedGuest(id: string | undefined): boolean {
    const g = id === undefined ? undefined : this.guests.find((x) => x.id === id);
    return g !== undefined && (g.state === 'halted' || g.state === 'crashed');
  }

  private byName(name: string): GuestInfo | undefined {
    return this.guests.find((g) => g.name === name);
  }

  private readStdin(): { close(): void } {
    const rl = createInterface({ input: process.stdin, terminal: false });
    rl.on('line', (line) => {
      const m = /^@(\S+)\s?(.*)$/.exec(line);
      const target = m ? this.byName(m[1]!) : this.guests[0];
      if (!target) {
        this.warn(`no guest named "${m?.[1]}"; guests: ${this.guests.map((g) => g.name).join(', ')}`);
        return;
      }
      void this.call('consoleWrite', { id: target.id, data: `${m ? m[2] : line}\n` }).then((r) => {
        if (!r.ok) this.warn(r.error.message);
      });
    });
    return { close: () => rl.close() };
  }

  private async runScript(): Promise<void> {
    for (const step of this.opts.script) {
      if (this.finished) return;
      const fail = (message: string) => {
        this.warn(`script line ${step.line}: ${message}`);
        this.end('script-failed');
      };
      const guest = 'guest' in step ? this.byName(step.guest) : undefined;
      if ('guest' in step && !guest) return fail(`no guest named "${step.guest}"`);
      switch (step.op) {
        case 'type': {
          const r = await this.call('consoleWrite', { id: guest!.id, data: `${step.text}\n` });
          if (!r.ok) return fail(r.error.message);
          break;
        }
        case 'expect':
          if (!(await this.transcripts.get(guest!.id)!.expect(step.text, EXPECT_TIMEOUT_MS))) {
            return fail(`"${step.text}" did not appear on ${step.guest}'s console within ${EXPECT_TIMEOUT_MS / 1000} s`);
          }
          break;
        case 'sleep':
          await new Promise((r) => setTimeout(r, step.seconds * 1000));
          break;
        case 'pause':
        case 'start':
        case 'reset': {
          const method = step.op === 'pause' ? 'pauseGuest' : step.op === 'start' ? 'startGuest' : 'resetGuest';
          const r = await this.call(method, { id: guest!.id });
          if (!r.ok) return fail(r.error.message);
          break;
        }
        case 'break': {
          const now = await this.call('inspectGuest', { id: guest!.id });
          if (!now.ok) return fail(now.error.message);
          const b: Breakpoints = step.kind === 'clear' ? { pcs: [], exits: [], sprs: [] } : structuredClone((now.value as InspectorState).breakpoints);
          if (step.kind === 'pc') b.pcs.push(Number(step.value));
          else if (step.kind === 'exit') b.exits.push(step.value as never);
          else if (step.kind === 'spr') b.sprs.push({ name: step.value, access: step.access });
          const r = await this.call('setBreakpoints', { id: guest!.id, breakpoints: b });
          if (!r.ok) return fail(r.error.message);
          break;
        }
        case 'step': {
          const r = await this.call('debugGuest', {
            id: guest!.id, action: 'step', unit: step.unit, ...(step.unit === 'instruction' ? { count: step.count } : {}),
            ...(step.address !== undefined ? { address: step.address } : {}),
          });
          if (!r.ok) return fail(r.error.message);
          const stop = (r.value as { stop: StopInfo | null }).stop ?? await this.nextStop(guest!.id);
          if (!stop) return fail(`${step.guest} did not stop within ${EXPECT_TIMEOUT_MS / 1000} s`);
          this.say(stopText(step.guest, stop));
          break;
        }
        case 'continue': {
          const r = await this.call('debugGuest', { id: guest!.id, action: 'continue' });
          if (!r.ok) return fail(r.error.message);
          const stop = await this.nextStop(guest!.id);
          if (!stop) return fail(`${step.guest} did not stop within ${EXPECT_TIMEOUT_MS / 1000} s`);
          this.say(stopText(step.guest, stop));
          break;
        }
        case 'regs': {
          const r = await this.call('inspectGuest', { id: guest!.id });
          if (!r.ok) return fail(r.error.message);
          this.say(registersText(r.value as InspectorState));
          break;
        }
        case 'tlb': {
          const r = await this.call('inspectTlb', { id: guest!.id });
          if (!r.ok) return fail(r.error.message);
          this.say(tlbText(r.value as TlbView));
          break;
        }
        case 'x': {
          const r = await this.call('readGuestMemory', { id: guest!.id, address: step.address, length: step.length });
          if (!r.ok) return fail(r.error.message);
          this.say(memoryText(r.value as MemoryView));
          break;
        }
        case 'set': {
          const r = await this.call('writeRegister', { id: guest!.id, name: step.register, value: step.value });
          if (!r.ok) return fail(r.error.message);
          break;
        }
        case 'stats':
          this.mux.endLine();
          process.stdout.write(statsTable(this.reports(), performance.now() - this.started));
          break;
        case 'quit':
          this.end('quit');
          return;
      }
    }
  }

  /** Text from the lab (not a guest) on stdout, between console lines. */
  private say(text: string): void {
    this.mux.push(LAB_LANE, Buffer.from(text));
  }

  /** Waits for the guest's vCPU to stop (paused with a stop, or ended); null after the expect timeout. */
  private async nextStop(id: string): Promise<StopInfo | null> {
    const deadline = Date.now() + EXPECT_TIMEOUT_MS;
    for (;;) {
      const g = this.guests.find((x) => x.id === id);
      if (g?.state === 'paused' && g.stop) return g.stop;
      if (g?.state === 'halted' || g?.state === 'crashed') return { kind: 'ended', pc: 0, insns: 0, text: `the guest ${g.state}${g.reason ? `: ${g.reason}` : ''}` };
      if (Date.now() > deadline || this.finished) return null;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private reports(): GuestReport[] {
    const snapshot = this.session.sampleStats();
    const infos = this.session.listGuests();
    return infos.map((info) => ({
      info,
      sample: snapshot.guests.find((s) => s.id === info.id)!,
      raw: this.session.guestCounters(info.id),
    }));
  }

  /** Prints the final statistics; resolves when stdout has taken them. */
  private report(): Promise<void> {
    this.mux.endLine();
    const duration = performance.now() - this.started;
    this.guests = this.session.listGuests();
    const reports = this.reports();
    let text = '';
    if (this.opts.stats === 'table') text = `\n${statsTable(reports, duration)}`;
    else if (this.opts.stats === 'json') text = `${JSON.stringify(statsJson(reports, duration))}\n`;
    return new Promise((resolve) => process.stdout.write(text, () => resolve()));
  }
}

export async function sessionCommand(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts === null) {
    console.log(SESSION_USAGE);
    return EXIT.ok;
  }
  return new HeadlessSession(opts).run();
}
