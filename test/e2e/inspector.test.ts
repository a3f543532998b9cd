// The inspector in the app, through the real web mode in headless Chromium:
// a guest row's Inspect opens it beside the console; the user pauses the
// guest, steps one instruction and a block, sees the PC move in the
// disassembly, edits a register (and is told why a value outside its
// writable bits is refused), sets a breakpoint on an SPR write and one on an
// exit reason, continues to each, and lets the guest run on to its prompt
// while another guest kept running. The screenshot of the inspector beside
// the console goes to test-results/ (and to docs/inspector.png with
// UPDATE_README_SCREENSHOT=1).
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { builtRendererAvailable, chromiumPath, type LabPage, openLabPage, REPO, screenshot } from '../support/browser';
import { missing } from '../support/tools';

const ready = !missing('chromium', !!chromiumPath()) && !missing('the built renderer (npm run build)', builtRendererAvailable());
const SLOW = { timeout: 30_000, interval: 100 };

describe.skipIf(!ready)('the inspector in the app (web mode)', () => {
  let lab: LabPage;
  let page: Page;
  const status = () => page.getByTestId('inspector-status').textContent();
  const reg = async (name: string) => (await page.getByTestId(`reg-${name}`).textContent())?.trim() ?? '';

  beforeAll(async () => {
    lab = await openLabPage();
    page = lab.page;
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('pauses a guest, steps, edits a register, breaks on an SPR write and an exit, and continues', async () => {
    await lab.addGuest({ name: 'other', image: 'labos', model: 'native' });
    await lab.addGuest({ name: 'dbg', image: 'labos', model: 'booke-hv' });
    await expect.poll(() => lab.screen('dbg'), SLOW).toContain('labos>');
    await page.getByTestId('guest-inspect-dbg').click();
    await page.getByTestId('inspector').waitFor();
    await expect.poll(() => page.getByTestId('inspector-guest').inputValue()).not.toBe('');
    expect(await page.getByTestId('inspector-guest').locator('option:checked').textContent()).toBe('dbg');

    // Pause: the guest row and the inspector say where it stopped.
    await page.getByTestId('inspector-pause').click();
    await expect.poll(() => lab.state('dbg'), SLOW).toBe('paused');
    await expect.poll(status, SLOW).toMatch(/^paused at 0x[0-9a-f]{8}$/);
    await expect.poll(() => page.getByTestId('guest-stop-dbg').textContent()).toMatch(/paused at/);
    // The SPR view says where each guest value lives under ISA 2.06.
    await expect.poll(() => page.getByTestId('insp-spr-SRR0').getAttribute('data-home')).toBe('guest-copy');
    expect(await page.getByTestId('insp-spr-IVOR6').getAttribute('data-home')).toBe('shadow');
    expect(await page.getByTestId('insp-spr-SPRG4').getAttribute('data-home')).toBe('physical');

    // labOS waits (tickless) for input at its prompt; typed input reaches the paused guest's
    // UART, and its interrupt is taken at the next step.
    await lab.typeInto('dbg', 'help');
    // One instruction: the PC moves, and the disassembly follows it.
    const pc0 = await reg('pc');
    await page.getByTestId('inspector-step').click();
    await expect.poll(status, SLOW).toMatch(/^stepped to 0x/);
    await expect.poll(() => reg('pc'), SLOW).not.toBe(pc0);
    const pc1 = await reg('pc');
    await expect.poll(status).toBe(`stepped to 0x${pc1}`);
    expect(await page.getByTestId('reg-pc').getAttribute('class')).toContain('changed');
    await expect.poll(() => page.locator('[data-testid="inspector-memory"] tr.pc').count()).toBe(1);
    expect(await page.locator('[data-testid="inspector-memory"] tr.pc').getAttribute('data-testid')).toBe(`mem-${pc1}`);
    await page.getByTestId('inspector-step-block').click();
    await expect.poll(status, SLOW).toMatch(/^stepped to 0x/);
    // F11 steps one instruction while the inspector is shown.
    // (The keys are ignored while the previous action is still refreshing the view.)
    await expect.poll(() => page.getByTestId('inspector-step').isEnabled(), SLOW).toBe(true);
    const insnsBefore = await page.getByTestId('inspector').locator('.insns').textContent();
    await page.keyboard.press('F11');
    await expect.poll(() => page.getByTestId('inspector').locator('.insns').textContent(), SLOW).not.toBe(insnsBefore);

    // Edit r14 (and put it back): the value is written; an IVOR6 value outside its bits is refused with the reason.
    const r14 = await reg('r14');
    await page.getByTestId('reg-r14').click();
    await page.getByTestId('edit-r14').fill('0x1234abcd');
    await page.getByTestId('edit-r14').press('Enter');
    await expect.poll(() => reg('r14')).toBe('1234abcd');
    expect(await page.getByTestId('reg-r14').getAttribute('class')).toContain('changed');
    await page.getByTestId('reg-r14').click();
    await page.getByTestId('edit-r14').fill(`0x${r14}`);
    await page.getByTestId('edit-r14').press('Enter');
    await expect.poll(() => reg('r14')).toBe(r14);
    await page.getByTestId('spr-filter').fill('IVOR6');
    await page.getByTestId('reg-IVOR6').click();
    await page.getByTestId('edit-IVOR6').fill('0x1234');
    await page.getByTestId('edit-IVOR6').press('Enter');
    await expect.poll(() => page.locator('.toast, [role="alert"]').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/IVOR6 implements only the bits 0x0000fff0/)]));
    await page.getByTestId('spr-filter').fill('');

    // Breakpoints: the next write of SPRG1 (labOS's interrupt prologue saves r11 there), then the next MMIO exit.
    await page.getByTestId('inspector-tab-breaks').click();
    await page.getByTestId('break-spr').selectOption('SPRG1');
    await page.getByTestId('break-spr-access').selectOption('write');
    await page.getByTestId('break-spr-add').click();
    await page.getByTestId('inspector-continue').click();
    // The guest may be idle by now: a line typed on its console brings the next interrupt.
    await lab.typeInto('dbg', 'echo inspected');
    await expect.poll(status, SLOW).toMatch(/^in front of mtspr SPRG1 \(writing 0x[0-9a-f]{8}\) at 0x/);
    await page.getByTestId('inspector-tab-breaks').click();
    await page.getByRole('button', { name: 'Remove SPRG1' }).click();
    await page.getByTestId('break-exit').selectOption('mmio_exits');
    await page.getByTestId('break-exit-add').click();
    await page.getByTestId('inspector-continue').click();
    await expect.poll(status, SLOW).toMatch(/^after mmio_exits at 0x[0-9a-f]{8}; resumes at 0x/);
    await page.getByTestId('inspector-tab-tlb').click();
    await expect.poll(() => page.getByTestId('shadow-entry').count()).toBeGreaterThan(0);
    await page.getByTestId('translate-address').fill(`0x${pc1}`);
    await page.getByTestId('translate-go').click();
    await expect.poll(() => page.getByTestId('translation').textContent()).toMatch(/through TLB1\[\d+\]/);
    await page.getByTestId('inspector-tab-memory').click();
    // Give the inspector more of the centre column (the splitter's keyboard control) for the picture.
    const split = page.getByRole('separator', { name: 'Resize consoles and statistics' });
    for (let k = 0; k < 6; k++) await split.press('ArrowUp');
    await page.getByRole('button', { name: 'Dismiss' }).first().click().catch(() => {});
    const path = await screenshot(page, 'inspector');
    if (process.env.UPDATE_README_SCREENSHOT === '1') copyFileSync(path, join(REPO, 'docs/inspector.png'));

    // Clear the breakpoints and continue: the typed command runs; the other guest ran throughout.
    await page.getByTestId('inspector-tab-breaks').click();
    await page.getByRole('button', { name: 'Remove mmio_exits' }).click();
    await page.getByTestId('inspector-continue').click();
    await expect.poll(() => lab.state('dbg'), SLOW).toMatch(/running|idle/);
    await expect.poll(() => lab.screen('dbg'), SLOW).toMatch(/^inspected\s*$/m);
    expect(await lab.state('other')).toMatch(/running|idle/);
    expect(lab.errors).toEqual([]);
  }, 120_000);
});
