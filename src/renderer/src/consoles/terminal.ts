// One guest's serial console: an xterm.js Terminal with the fit and search
// addons, fed by a ConsoleFeed (flow control) and sending typed keys to the
// guest's UART. The terminal is created once per guest and lives until the
// guest is removed: it renders into its own host element, which the console
// panes move between the tab view and the grid (appendChild), so switching
// tabs or layouts never re-creates a terminal or loses its scrollback.

import { FitAddon } from '@xterm/addon-fit';
import { type ISearchOptions, SearchAddon } from '@xterm/addon-search';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { LabApi } from '../../../shared/api';
import type { LabError } from '../../../shared/result';
import { terminalTheme } from '../util/theme';
import { ConsoleFeed } from './feed';

export const SCROLLBACK_LINES = 10_000;

export type ConsoleLabApi = Pick<LabApi, 'consoleSubscribe' | 'consoleUnsubscribe' | 'consoleAck' | 'consoleWrite'>;

export interface ConsoleTerminalEvents {
  /** The lab refused something (subscribe, ack). */
  error(e: LabError): void;
  /** Typing was refused (the guest is halted or crashed), or accepted again (null). */
  inputRefused(e: LabError | null): void;
  /** Search results changed (index -1 when there are too many to number). */
  searchResults(index: number, count: number): void;
}

export class ConsoleTerminal {
  readonly term: Terminal;
  readonly feed: ConsoleFeed;
  private readonly fitAddon = new FitAddon();
  private readonly searchAddon = new SearchAddon({ highlightLimit: 2000 });
  /** The element xterm renders into; moved between containers, never re-created. */
  readonly host: HTMLDivElement;
  private opened = false;
  private refused = false;
  private fitFrame = 0;

  constructor(private readonly api: ConsoleLabApi, readonly id: string, dark: boolean, private readonly events: ConsoleTerminalEvents) {
    this.host = document.createElement('div');
    this.host.className = 'term-host';
    this.host.dataset.guest = id;
    this.term = new Terminal({
      scrollback: SCROLLBACK_LINES,
      fontFamily: "ui-monospace, 'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: 12.5,
      lineHeight: 1.1,
      cursorBlink: false,
      // The search addon highlights matches with decorations, a proposed API.
      allowProposedApi: true,
      theme: terminalTheme(dark),
      // The guest's line discipline handles CR/LF; keep the bytes as they are.
      convertEol: false,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.loadAddon(this.searchAddon);
    this.searchAddon.onDidChangeResults((r) => this.events.searchResults(r.resultIndex, r.resultCount));
    this.feed = new ConsoleFeed(api, id, this.term, (e) => this.events.error(e));
    this.term.onData((data) => this.type(data));
  }

  /** Subscribes to the guest's console (writes the scrollback first). */
  open(): Promise<boolean> {
    return this.feed.open();
  }

  /** After a lost connection: start again from the lab's scrollback. */
  reopen(): Promise<boolean> {
    this.feed.detach();
    this.term.reset();
    return this.feed.open();
  }

  /** Puts the terminal into a container (the first time, xterm opens there). */
  attach(container: HTMLElement): void {
    if (this.host.parentElement !== container) container.appendChild(this.host);
    if (!this.opened) {
      this.term.open(this.host);
      this.opened = true;
    }
    this.scheduleFit();
  }

  /** Fits rows and columns to the container at the next frame (coalesced). */
  scheduleFit(): void {
    if (this.fitFrame) return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = 0;
      this.fit();
    });
  }

  fit(): void {
    // A hidden pane (another tab) has no size; it fits again when shown.
    if (!this.opened || this.host.offsetWidth === 0 || this.host.offsetHeight === 0) return;
    try {
      this.fitAddon.fit();
    } catch {
      // Not measurable yet (fonts loading); the next resize fits.
    }
  }

  focus(): void {
    this.term.focus();
  }

  setTheme(dark: boolean): void {
    this.term.options.theme = terminalTheme(dark);
  }

  hasSelection(): boolean {
    return this.term.hasSelection();
  }

  async copy(): Promise<boolean> {
    const text = this.term.getSelection();
    if (!text) return false;
    await navigator.clipboard.writeText(text);
    return true;
  }

  async paste(): Promise<void> {
    const text = await navigator.clipboard.readText();
    if (text) this.term.paste(text);
  }

  /** Clears the scrollback and the screen (the guest's output so far is gone from this window only). */
  clear(): void {
    this.term.clear();
    this.searchAddon.clearDecorations();
  }

  find(query: string, options: { backwards?: boolean; regex?: boolean; caseSensitive?: boolean; incremental?: boolean } = {}): boolean {
    if (!query) {
      this.searchAddon.clearDecorations();
      this.events.searchResults(-1, 0);
      return false;
    }
    const opts: ISearchOptions = {
      regex: options.regex ?? false,
      caseSensitive: options.caseSensitive ?? false,
      incremental: options.incremental ?? false,
      decorations: {
        matchBackground: '#6b5b00',
        matchOverviewRuler: '#d4b000',
        activeMatchBackground: '#b36b00',
        activeMatchColorOverviewRuler: '#ff9900',
      },
    };
    try {
      return options.backwards ? this.searchAddon.findPrevious(query, opts) : this.searchAddon.findNext(query, opts);
    } catch {
      // An invalid regular expression while typing.
      return false;
    }
  }

  endSearch(): void {
    this.searchAddon.clearDecorations();
    this.term.clearSelection();
  }

  /** The visible screen and scrollback as text (tests and copy-all). */
  text(): string {
    const b = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  private type(data: string): void {
    void this.api.consoleWrite({ id: this.id, data }).then((r) => {
      if (!r.ok) {
        this.refused = true;
        this.events.inputRefused(r.error);
      } else if (this.refused) {
        this.refused = false;
        this.events.inputRefused(null);
      }
    });
  }

  async dispose(): Promise<void> {
    if (this.fitFrame) cancelAnimationFrame(this.fitFrame);
    await this.feed.close();
    this.term.dispose();
    this.host.remove();
  }
}
