// Taking the live statistics and guests out of the app, in headless
// Chromium against web mode: the counters of one guest and of all guests as
// CSV and JSON, each chart as PNG and SVG, through the browser's downloads;
// a guest forked, saved as a snapshot file and started again from it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { builtRendererAvailable, chromiumPath, type LabPage, openLabPage } from '../support/browser';
import { missing } from '../support/tools';

const ready = !missing('chromium', !!chromiumPath()) && !missing('the built renderer (npm run build)', builtRendererAvailable());
const SLOW = { timeout: 30_000, interval: 200 };

describe.skipIf(!ready)('exporting statistics and charts (web mode)', () => {
  let lab: LabPage;
  let page: Page;

  beforeAll(async () => {
    lab = await openLabPage();
    page = lab.page;
  });
  afterAll(async () => {
    await lab?.close();
  });

  async function saved(testId: string): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: readFileSync(path) };
  }

  it('saves the counters as CSV and JSON, and the charts as PNG and SVG', async () => {
    await lab.addGuest({ name: 'exp', image: 'labos', model: 'booke-hv', bootargs: 'bench null_syscall' });
    await expect.poll(() => lab.screen('exp'), SLOW).toMatch(/bench null_syscall \d+/);
    await page.getByTestId('stats-tab-exits').click();
    const csv = await saved('stats-export-csv');
    expect(csv.name).toBe('all-guests-counters.csv');
    const [head, row] = csv.bytes.toString('utf8').trim().split('\n');
    expect(head!.startsWith('guest,image,model,insns,cycles,hv_cycles,exits,overhead,emulated_inst_exits,')).toBe(true);
    expect(head!.endsWith(',mips,exit_rate')).toBe(true);
    expect(row!.startsWith('exp,labos,booke-hv,')).toBe(true);
    expect(Number(row!.split(',')[6])).toBeGreaterThan(0);
    await page.getByTestId('stats-scope').selectOption({ label: 'exp' });
    const json = await saved('stats-export-json');
    expect(json.name).toBe('exp-counters.json');
    const parsed = JSON.parse(json.bytes.toString('utf8')) as { guests: { name: string; model: string; exits: number; counters: Record<string, { total: number }> }[] };
    expect(parsed.guests).toHaveLength(1);
    expect(parsed.guests[0]).toMatchObject({ name: 'exp', model: 'booke-hv' });
    expect(parsed.guests[0]!.counters.emulated_inst_exits!.total).toBeGreaterThan(0);
    const png = await saved('exit-rate-png');
    expect(png.name).toBe('exit-rate.png');
    expect(png.bytes.subarray(0, 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
    const svg = await saved('hv-share-svg');
    expect(svg.name).toBe('hv-share.svg');
    const text = svg.bytes.toString('utf8');
    expect(text).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(text).toContain('Time in the hypervisor');
    expect(text).toMatch(/<path d="M[\d.]+,[\d.]+L/);
    const rate = await saved('exit-rate-svg');
    expect(rate.bytes.toString('utf8')).toMatch(/<text [^>]*>[^<]+<\/text>/);
    expect(lab.errors).toEqual([]);
  }, 90_000);

  it('forks a guest, saves it as a snapshot file and starts a guest from that file', async () => {
    await lab.addGuest({ name: 'src', image: 'labos', model: 'booke-hv' });
    await expect.poll(() => lab.screen('src'), SLOW).toMatch(/labos>\s*$/m);
    await page.getByTestId('guest-fork-src').click();
    await page.getByTestId('guest-row-src-fork-1').waitFor();
    await lab.typeInto('src-fork-1', 'echo forked');
    await expect.poll(() => lab.screen('src-fork-1'), SLOW).toMatch(/^forked\s*$/m);
    // The fork continued from the prompt: it never printed the boot banner.
    expect(await lab.screen('src-fork-1')).not.toContain('labOS 1.0');
    const snap = await saved('guest-snapshot-src');
    expect(snap.name).toMatch(/^src-\d+\.snap$/);
    expect(snap.bytes.subarray(0, 8).toString('latin1')).toBe('HVLABSNP');
    await page.getByTestId('add-guest-toggle').click();
    await page.getByTestId('source-snapshot').check();
    await page.getByTestId('snapshot-file').setInputFiles({ name: snap.name, mimeType: 'application/octet-stream', buffer: snap.bytes });
    await page.getByTestId('guest-name').fill('from-file');
    await page.getByTestId('create-guest').click();
    await page.getByTestId('guest-row-from-file').waitFor();
    await lab.typeInto('from-file', 'echo restored');
    await expect.poll(() => lab.screen('from-file'), SLOW).toMatch(/^restored\s*$/m);
    expect(lab.errors).toEqual([]);
  }, 90_000);
});
