// Experiments in the app, in headless Chromium against web mode: the bundled
// examples are offered; an experiment file opened from disk runs with
// progress; the Pareto chart, the sortable table, the per-register view and
// the side-by-side comparison show its results; results are saved and loaded
// again; a configuration from the chart starts a guest with it; a bundled
// sweep runs and its CSV is saved. The screenshot of that sweep goes to
// test-results/ (and docs/experiments.png with UPDATE_README_SCREENSHOT=1).
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { builtRendererAvailable, chromiumPath, type LabPage, openLabPage, REPO, screenshot } from '../support/browser';
import { missing } from '../support/tools';

const ready = !missing('chromium', !!chromiumPath()) && !missing('the built renderer (npm run build)', builtRendererAvailable());
const SLOW = { timeout: 90_000, interval: 250 };

const SPEC = {
  name: 'ui-demo',
  workload: { image: 'labos', snapshotAt: 'labos> ', input: 'bench null_syscall tcr_read sprg_read\npoweroff\n' },
  models: ['booke-hv'],
  configurations: [{ preset: 'none' }, { preset: 'isa206' }, { name: 'isa206+TCR', patch: { strategies: { TCR: 'duplicate' } } }, { preset: 'all' }],
};

describe.skipIf(!ready)('experiments in the app (web mode)', () => {
  let lab: LabPage;
  let page: Page;

  beforeAll(async () => {
    lab = await openLabPage();
    page = lab.page;
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('runs an experiment opened from a file and shows its trade-off', async () => {
    await page.getByTestId('stats-tab-experiments').click();
    await page.getByTestId('experiments').waitFor();
    await expect.poll(() => page.getByTestId('experiment-example').locator('option').allTextContents()).toEqual(expect.arrayContaining(['labos-syscalls', 'labos-fast-path']));
    await page.getByTestId('experiment-file').setInputFiles({ name: 'ui-demo.experiment.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SPEC)) });
    // A bad file is refused by the lab with the field named.
    await page.getByTestId('experiment-file').setInputFiles({ name: 'bad.experiment.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...SPEC, models: ['vmx'] })) });
    await page.getByTestId('experiment-run').click();
    await expect.poll(() => page.getByTestId('experiment-error').textContent()).toMatch(/models\.0/);
    await page.getByTestId('experiment-file').setInputFiles({ name: 'ui-demo.experiment.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(SPEC)) });
    await page.getByTestId('experiment-run').click();
    await expect.poll(() => page.getByTestId('experiment-progress').textContent(), SLOW).toMatch(/^\s*7\/7/);
    // Pareto: 'all' and 'none' are on the frontier; the chart names a point on hover.
    await expect.poll(() => page.locator('[data-testid="pareto-chart"] circle').count()).toBe(4);
    expect(await page.getByTestId('pareto-point-none').getAttribute('class')).toContain('on');
    await page.getByTestId('pareto-point-isa206+TCR').hover();
    await expect.poll(() => page.getByTestId('pareto-hover').textContent()).toMatch(/isa206\+TCR \(booke-hv\): 352 bits/);
    // The table sorts by any column.
    await page.getByTestId('sort-exits').click();
    const firstByExits = await page.locator('[data-testid="experiment-table"] tbody tr td:first-child').first().textContent();
    expect(firstByExits).toBe('native');
    await page.getByTestId('sort-exits').click();
    expect(await page.locator('[data-testid="experiment-table"] tbody tr td:first-child').first().textContent()).toBe('none');
    // Per register: the value of TCR's guest copy.
    await page.getByTestId('experiment-tab-marginal').click();
    await expect.poll(() => page.getByTestId('experiment-marginal').textContent()).toMatch(/duplicating TCR saves [\d,]+ exits per million instructions for 32 bits/);
    // Side by side: click two points.
    await page.getByTestId('pareto-point-isa206').click();
    await page.getByTestId('pareto-point-isa206+TCR').click();
    await page.getByTestId('experiment-tab-compare').click();
    await expect.poll(() => page.getByTestId('experiment-compare').textContent()).toMatch(/TCR\s*trap\s*duplicate/);
    // Save the results, load them again.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('results-json').click()]);
    expect(download.suggestedFilename()).toBe('ui-demo.results.json');
    const saved = readFileSync(await download.path());
    expect(JSON.parse(saved.toString('utf8')).runs).toHaveLength(5);
    await page.getByTestId('results-file').setInputFiles({ name: 'ui-demo.results.json', mimeType: 'application/json', buffer: saved });
    await expect.poll(() => page.locator('[data-testid="pareto-chart"] circle').count()).toBe(4);
    // A configuration from the chart starts a guest with it.
    await page.getByTestId('pareto-point-isa206+TCR').click();
    await page.getByTestId('experiment-run-guest').click();
    await page.getByTestId('guest-row-isa206-TCR').waitFor();
    await expect.poll(() => lab.screen('isa206-TCR'), SLOW).toContain('labos>');
    expect(lab.errors).toEqual([]);
  }, 180_000);

  it('runs a bundled sweep, shows its Pareto chart and saves the CSV (the README picture)', async () => {
    await page.getByTestId('stats-tab-experiments').click();
    await page.getByTestId('experiment-example').selectOption('labos-timers.experiment.json');
    await page.getByTestId('experiment-run').click();
    await expect.poll(() => page.getByTestId('experiment-progress').textContent(), SLOW).toMatch(/^\s*20\/20/);
    await expect.poll(() => page.locator('[data-testid="pareto-chart"] circle').count()).toBe(16);
    await page.getByTestId('pareto-point-isa206+timers').first().hover();
    await page.getByTestId('experiment-tab-compare').click();
    await page.getByTestId('compare-a').selectOption('isa206|booke-hv');
    await page.getByTestId('compare-b').selectOption('isa206+timers|booke-hv');
    await expect.poll(() => page.getByTestId('experiment-compare').textContent()).toMatch(/TCR\s*trap\s*duplicate/);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('results-csv').click()]);
    expect(csv.suggestedFilename()).toBe('labos-timers.results.csv');
    const rows = readFileSync(await csv.path(), 'utf8').trim().split('\n');
    expect(rows[0]!.startsWith('config,model,repetition,die_bits,exits,overhead,')).toBe(true);
    expect(rows).toHaveLength(1 + 1 + 16);
    const split = page.getByRole('separator', { name: 'Resize consoles and statistics' });
    for (let k = 0; k < 8; k++) await split.press('ArrowUp');
    await split.blur();
    const path = await screenshot(page, 'experiments');
    if (process.env.UPDATE_README_SCREENSHOT === '1') copyFileSync(path, join(REPO, 'docs/experiments.png'));
    expect(lab.errors).toEqual([]);
  }, 180_000);
});
