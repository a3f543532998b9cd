// Real guests in the app, through the real web mode in headless Chromium:
// the shipped Linux kernel and Debian's U-Boot are in the add-guest image
// list; Linux boots under booke-hv to its shell, answers typed commands and
// runs its benchmarks while the exit statistics fill; a kernel that panics
// is shown as crashed with the kernel's words. The screenshot of Linux
// beside its statistics goes to test-results/ (and to docs/linux.png with
// UPDATE_README_SCREENSHOT=1).
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { builtRendererAvailable, chromiumPath, launchBrowser, REPO, screenshot, startWebMode, type WebMode } from '../support/browser';
import { missing } from '../support/tools';

const ready = !missing('chromium', !!chromiumPath()) && !missing('the built renderer (npm run build)', builtRendererAvailable());
const SLOW = { timeout: 60_000, interval: 200 };
const UBOOT_INSTALLED = existsSync('/usr/lib/u-boot/qemu-ppce500/uboot.elf');

describe.skipIf(!ready)('real guests in the app (web mode)', () => {
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const screen = (name: string) => page.locator(`[data-testid="console-${name}"] .xterm-rows`).innerText();
  const state = (name: string) => page.getByTestId(`guest-row-${name}`).getAttribute('data-state');

  async function addGuest(opts: { name: string; image: string; bootargs?: string; model?: string }): Promise<void> {
    await page.getByTestId('add-guest-toggle').click();
    const form = page.getByTestId('add-guest-form');
    await form.waitFor();
    await page.getByTestId('image-select').selectOption(opts.image);
    if (opts.model) await page.getByTestId('model-select').selectOption(opts.model);
    await page.getByTestId('guest-name').fill(opts.name);
    if (opts.bootargs) await page.getByTestId('guest-bootargs').fill(opts.bootargs);
    await page.getByTestId('create-guest').click();
    await page.getByTestId(`guest-row-${opts.name}`).waitFor();
    await expect.poll(() => form.count()).toBe(0);
  }

  async function typeInto(name: string, text: string): Promise<void> {
    await page.locator(`[data-testid="console-${name}"] .xterm-screen`).click();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  }

  beforeAll(async () => {
    web = await startWebMode();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1600, height: 960 } });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(web.url);
    await page.getByTestId('die-bits').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('lists Linux (and U-Boot where u-boot-qemu is installed) among the images', async () => {
    await page.getByTestId('add-guest-toggle').click();
    await page.getByTestId('add-guest-form').waitFor();
    const options = await page.getByTestId('image-select').locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(options).toContain('linux');
    if (UBOOT_INSTALLED) expect(options).toContain('u-boot');
    await page.getByTestId('add-guest-toggle').click();
    await expect.poll(() => page.getByTestId('add-guest-form').count()).toBe(0);
  });

  it('boots Linux under booke-hv to its shell; typed commands and the benchmarks run while the statistics fill', async () => {
    await addGuest({ name: 'linux', image: 'linux', model: 'booke-hv', bootargs: 'console=ttyS0 printk.time=0' });
    await expect.poll(() => screen('linux'), SLOW).toContain('Run /init as init process');
    await expect.poll(() => screen('linux'), SLOW).toMatch(/^#\s*$/m);
    await typeInto('linux', 'uname -a');
    await expect.poll(() => screen('linux'), SLOW).toMatch(/Linux \(none\) 6\.1\.\d+ #1 .* ppc/);
    await typeInto('linux', 'bench null_syscall getppid page_fault');
    await expect.poll(() => screen('linux'), SLOW).toMatch(/bench page_fault 256 \d+ \d+\.\d\d/);
    await expect.poll(async () => Number((await page.getByTestId('exit-total-emul_tlbwe').textContent())?.replace(/,/g, '')), SLOW).toBeGreaterThan(0);
    const path = await screenshot(page, 'linux-booke-hv');
    // Tests leave tracked files alone unless asked: UPDATE_README_SCREENSHOT=1 refreshes docs/linux.png.
    if (process.env.UPDATE_README_SCREENSHOT === '1') copyFileSync(path, join(REPO, 'docs/linux.png'));
  }, 120_000);

  it('shows a kernel that panics as crashed, with the panic line', async () => {
    await addGuest({ name: 'panic', image: 'linux', bootargs: 'console=ttyS0 printk.time=0 rdinit=/missing init=/missing' });
    await expect.poll(() => state('panic'), SLOW).toBe('crashed');
    await expect.poll(() => page.getByTestId('guest-row-panic').innerText(), SLOW).toMatch(/Kernel panic - not syncing/);
    await screenshot(page, 'linux-panic');
  }, 120_000);

  it.skipIf(!UBOOT_INSTALLED)('boots Debian\'s U-Boot to its prompt', async () => {
    await addGuest({ name: 'uboot', image: 'u-boot' });
    await expect.poll(() => screen('uboot'), SLOW).toContain('Hit any key to stop autoboot');
    await typeInto('uboot', '');
    await expect.poll(() => screen('uboot'), SLOW).toMatch(/^=>\s*$/m);
    await typeInto('uboot', 'version');
    await expect.poll(() => screen('uboot'), SLOW).toContain('U-Boot 2023.01');
    expect(errors).toEqual([]);
  }, 120_000);
});
