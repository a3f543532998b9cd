// End-to-end support: start the real web mode (node out/main/web.js, as
// `npm run web` does after building) and drive it with Debian's Chromium
// through playwright-core. Screenshots go to test-results/.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const REPO = resolve(__dirname, '../..');
export const RESULTS = join(REPO, 'test-results');

export function chromiumPath(): string | undefined {
  for (const name of [process.env.CHROMIUM_PATH, 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!name) continue;
    if (name.startsWith('/') && existsSync(name)) return name;
    const r = spawnSync('which', [name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

export function builtRendererAvailable(): boolean {
  return existsSync(join(REPO, 'out/main/web.js')) && existsSync(join(REPO, 'out/renderer/index.html'));
}

export interface WebMode {
  url: string;
  port: number;
  token: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `node out/main/web.js` and waits for the URL it prints. */
export function startWebMode(env: Record<string, string> = {}): Promise<WebMode> {
  const child = spawn(process.execPath, [join(REPO, 'out/main/web.js'), '--port', '0'], {
    cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`web mode did not start:\n${out}`)), 20_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:(\d+)\/\?token=([\w-]+))/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolvePromise({
        url: m[1]!, port: Number(m[2]), token: m[3]!, process: child, output: () => out,
        stop: () => new Promise<void>((r) => {
          if (child.exitCode !== null) return r();
          child.once('exit', () => r());
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`web mode exited with ${code}:\n${out}`)));
  });
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found (install Debian\'s chromium package)');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The lab's page in headless Chromium against a fresh web mode, with the steps every browser test takes. */
export interface LabPage {
  page: Page;
  /** Page errors and console errors seen so far (a test expects none). */
  errors: string[];
  /** The visible rows of a guest's terminal. */
  screen(name: string): Promise<string>;
  /**
   * Searches a guest's whole scrollback with the console's search box and
   * closes it again: the match count it shows ("1/1", "3+"), or "no match".
   * For lines that may have scrolled off the visible rows by the time a
   * test looks.
   */
  findInScrollback(name: string, text: string): Promise<string>;
  /** A guest row's state (running, idle, crashed ...). */
  state(name: string): Promise<string | null>;
  addGuest(opts: { name: string; image?: string; bootargs?: string; model?: string; smp?: number; file?: { name: string; buffer: Buffer } }): Promise<void>;
  typeInto(name: string, text: string): Promise<void>;
  close(): Promise<void>;
}

export async function openLabPage(): Promise<LabPage> {
  const web = await startWebMode();
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1600, height: 960 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(web.url);
  await page.getByTestId('die-bits').waitFor();
  return {
    page,
    errors,
    screen: (name) => page.locator(`[data-testid="console-${name}"] .xterm-rows`).innerText(),
    state: (name) => page.getByTestId(`guest-row-${name}`).getAttribute('data-state'),
    async findInScrollback(name, text) {
      await page.getByTestId(`console-search-${name}`).click();
      const input = page.locator(`[data-testid="console-${name}"] input[type="search"]`);
      await input.fill(text);
      const count = page.locator(`[data-testid="console-${name}"] .count`);
      let shown = '';
      for (const deadline = Date.now() + 5000; !shown && Date.now() < deadline;) {
        shown = ((await count.textContent()) ?? '').trim();
        if (!shown) await page.waitForTimeout(50);
      }
      await input.press('Escape');
      return shown;
    },
    async addGuest(opts) {
      await page.getByTestId('add-guest-toggle').click();
      const form = page.getByTestId('add-guest-form');
      await form.waitFor();
      if (opts.file) {
        await page.getByTestId('source-file').check();
        await page.getByTestId('image-file').setInputFiles({ name: opts.file.name, mimeType: 'application/octet-stream', buffer: opts.file.buffer });
      } else {
        await page.getByTestId('image-select').selectOption(opts.image ?? 'labos');
      }
      if (opts.model) await page.getByTestId('model-select').selectOption(opts.model);
      if (opts.smp) await page.getByTestId('smp-select').selectOption(String(opts.smp));
      await page.getByTestId('guest-name').fill(opts.name);
      if (opts.bootargs) await page.getByTestId('guest-bootargs').fill(opts.bootargs);
      await page.getByTestId('create-guest').click();
      await page.getByTestId(`guest-row-${opts.name}`).waitFor();
      // The form closes once the guest exists.
      for (const deadline = Date.now() + 5000; (await form.count()) > 0;) {
        if (Date.now() > deadline) throw new Error('the add-guest form did not close');
        await page.waitForTimeout(50);
      }
    },
    async typeInto(name, text) {
      await page.locator(`[data-testid="console-${name}"] .xterm-screen`).click();
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    },
    async close() {
      await browser.close();
      await web.stop();
    },
  };
}
