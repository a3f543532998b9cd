// End to end: the real web mode in headless Chromium. Opens the lab, changes
// the preset and a single strategy, and sees the die-bit cost follow; checks
// that the page refuses to load without the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { builtRendererAvailable, chromiumPath, launchBrowser, screenshot, startWebMode, type WebMode } from '../support/browser';
import { missing } from '../support/tools';

const ready = !missing('chromium', !!chromiumPath()) && !missing('the built renderer (npm run build)', builtRendererAvailable());

describe.skipIf(!ready)('hardware panel in the browser (web mode)', () => {
  let web: WebMode;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    web = await startWebMode();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1480, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  });
  afterAll(async () => {
    await browser?.close();
    await web?.stop();
  });

  it('refuses the page without the token', async () => {
    const res = await page.goto(web.url.replace(/\?token=.*/, ''));
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/needs the token/);
    // The browser's own follow-up requests (the icon) are refused too, possibly after the page loaded.
    await page.waitForLoadState('networkidle');
    errors.length = 0; // the refusals above are expected; count errors from here on
  });

  it('opens the lab with the 2.06 preset and its die-bit cost', async () => {
    await page.goto(web.url);
    await page.getByTestId('die-bits').waitFor();
    await expect.poll(() => page.getByTestId('die-bits').textContent()).toBe('320');
    expect(await page.getByTestId('preset-select').inputValue()).toBe('isa206');
    await screenshot(page, 'foundation-isa206');
  });

  it('changes the preset and sees the die-bit cost change', async () => {
    await page.getByTestId('preset-select').selectOption('all');
    await expect.poll(() => page.getByTestId('die-bits').textContent()).not.toBe('320');
    const all = Number((await page.getByTestId('die-bits').textContent())!.replace(/,/g, ''));
    expect(all).toBeGreaterThan(320);
    await page.getByTestId('preset-select').selectOption('none');
    await expect.poll(() => page.getByTestId('die-bits').textContent()).toBe('0');
    await screenshot(page, 'foundation-none');
  });

  it('switches one register and marks the configuration custom', async () => {
    await page.getByTestId('preset-select').selectOption('isa206');
    await expect.poll(() => page.getByTestId('die-bits').textContent()).toBe('320');
    await page.getByTestId('strategy-SPRG0-trap').click();
    await expect.poll(() => page.getByTestId('die-bits').textContent()).toBe('288');
    expect(await page.getByTestId('preset-select').inputValue()).toBe('custom');
    expect(await page.getByTestId('strategy-SPRG0-trap').getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'foundation-custom');
  });

  it('sets the hypervisor policy; the cost of an exit follows, and a preset leaves the policy alone', async () => {
    const shared = page.getByTestId('policy-shared').locator('select');
    await shared.scrollIntoViewIfNeeded();
    expect(await shared.inputValue()).toBe('exit');
    await expect.poll(() => page.getByTestId('exit-cycles').textContent()).toBe('712');
    await shared.selectOption('switch');
    // Shared registers no longer cost every exit: the bare round trip.
    await expect.poll(() => page.getByTestId('exit-cycles').textContent()).toBe('600');
    await page.getByTestId('policy-host-tlb').locator('select').selectOption('shared');
    await screenshot(page, 'foundation-policy');
    await page.getByTestId('preset-select').selectOption('isa206');
    await expect.poll(() => page.getByTestId('die-bits').textContent()).toBe('320');
    expect(await shared.inputValue()).toBe('switch');
    expect(await page.getByTestId('policy-host-tlb').locator('select').inputValue()).toBe('shared');
  });

  it('logged no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
