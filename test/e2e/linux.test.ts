// Real guests in the app, through the real web mode in headless Chromium:
// the shipped Linux kernel and Debian's U-Boot are in the add-guest image
// list; Linux boots under booke-hv to its shell, answers typed commands and
// runs its benchmarks while the exit statistics fill; a kernel that panics
// is shown as crashed with the kernel's words. The screenshot of Linux
// beside its statistics goes to test-results/ (and to docs/linux.png with
// UPDATE_README_SCREENSHOT=1).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { builtRendererAvailable, chromiumPath, type LabPage, openLabPage, REPO, screenshot } from '../support/browser';
import { missing } from '../support/tools';

const ready = !missing('chromium', !!chromiumPath()) && !missing('the built renderer (npm run build)', builtRendererAvailable());
const SLOW = { timeout: 60_000, interval: 200 };
const UBOOT_INSTALLED = existsSync('/usr/lib/u-boot/qemu-ppce500/uboot.elf');

describe.skipIf(!ready)('real guests in the app (web mode)', () => {
  let lab: LabPage;
  let page: Page;
  const screen = (name: string) => lab.screen(name);
  const state = (name: string) => lab.state(name);

  beforeAll(async () => {
    lab = await openLabPage();
    page = lab.page;
  });
  afterAll(async () => {
    await lab?.close();
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
    await lab.addGuest({ name: 'linux', image: 'linux', model: 'booke-hv', bootargs: 'console=ttyS0 printk.time=0' });
    await expect.poll(() => screen('linux'), SLOW).toContain('Run /init as init process');
    await expect.poll(() => screen('linux'), SLOW).toMatch(/^#\s*$/m);
    await lab.typeInto('linux', 'uname -a');
    await expect.poll(() => screen('linux'), SLOW).toMatch(/Linux \(none\) 6\.1\.\d+ #1 .* ppc/);
    await lab.typeInto('linux', 'bench null_syscall getppid page_fault');
    await expect.poll(() => screen('linux'), SLOW).toMatch(/bench page_fault 256 \d+ \d+\.\d\d/);
    await expect.poll(async () => Number((await page.getByTestId('exit-total-emul_tlbwe').textContent())?.replace(/,/g, '')), SLOW).toBeGreaterThan(0);
    const path = await screenshot(page, 'linux-booke-hv');
    // Tests leave tracked files alone unless asked: UPDATE_README_SCREENSHOT=1 refreshes docs/linux.png.
    if (process.env.UPDATE_README_SCREENSHOT === '1') copyFileSync(path, join(REPO, 'docs/linux.png'));
  }, 120_000);

  it('starts a GDB stub from the guest row; GDB attaches, sees the vCPU, detaches, and the guest runs on', async () => {
    await page.getByTestId('guest-gdb-linux').click();
    const command = page.getByTestId('guest-gdb-command-linux');
    await expect.poll(() => command.innerText(), SLOW).toMatch(/gdb-multiarch resources\/guests\/linux\/vmlinux -ex 'target remote 127\.0\.0\.1:\d+'/);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await command.innerText())![1]);
    await screenshot(page, 'linux-gdb');
    if (spawnSync('gdb-multiarch', ['--version']).status !== 0) return;
    const gdb = spawnSync('gdb-multiarch', ['-batch', '-nx', '-ex', 'set architecture powerpc:common', '-ex', `target remote 127.0.0.1:${port}`,
      '-ex', 'info threads', '-ex', 'printf "msr=%08x\\n", $msr', '-ex', 'detach'], { encoding: 'utf8', timeout: 30_000 });
    expect(`${gdb.stdout}${gdb.stderr}`).toMatch(/Thread 1 \(vCPU 0\)/);
    expect(gdb.stdout).toMatch(/msr=[0-9a-f]{8}/);
    await lab.typeInto('linux', 'echo after-gdb');
    await expect.poll(() => screen('linux'), SLOW).toMatch(/^after-gdb\s*$/m);
  }, 120_000);

  it('boots the multiprocessor kernel with two vCPUs under booke-hv, shows the count in its row and each vCPU in the inspector', async () => {
    await lab.addGuest({ name: 'duo', image: 'linux-smp', model: 'booke-hv', smp: 2, bootargs: 'console=ttyS0 printk.time=0' });
    await expect.poll(() => page.getByTestId('guest-smp-duo').innerText(), SLOW).toBe('2 vCPUs');
    // Each vCPU's state in the row: both started by the kernel (running or waiting in its idle loop).
    await expect.poll(() => page.getByTestId('guest-vcpus-duo').innerText(), SLOW).toMatch(/^0:(run|wait)\s+1:(run|wait)$/);
    await expect.poll(() => screen('duo'), SLOW).toMatch(/^#\s*$/m);
    // Printed early in the boot: it may have scrolled off the visible rows by now.
    expect(await lab.findInScrollback('duo', 'smp: Brought up 1 node, 2 CPUs')).toMatch(/^\d+\/\d+$|^\d+\+$/);
    await lab.typeInto('duo', 'cat /proc/cpuinfo');
    await expect.poll(() => screen('duo'), SLOW).toMatch(/^processor\s*: 1\s*$/m);
    await page.getByTestId('guest-inspect-duo').click();
    await page.getByTestId('inspector').waitFor();
    await page.getByTestId('inspector-pause').click();
    const pir = () => page.getByTestId('insp-spr-PIR').locator('td').first().innerText();
    await expect.poll(pir, SLOW).toMatch(/^0+$|^0000_0000$/);
    await page.getByTestId('inspector-vcpu').selectOption('1');
    await expect.poll(pir, SLOW).toMatch(/^0+1$|^0000_0001$/);
    await screenshot(page, 'linux-smp-inspector');
    await page.getByTestId('inspector-continue').click();
    // The statistics by vCPU: both vCPUs exit under booke-hv.
    await page.getByTestId('stats-tab-vcpus').click();
    await page.getByTestId('stats-scope').selectOption({ label: 'duo' });
    for (const k of [0, 1]) {
      await expect.poll(async () => Number((await page.getByTestId(`vcpu-exits-${k}`).textContent())?.replace(/,/g, '')), SLOW).toBeGreaterThan(0);
    }
    await screenshot(page, 'linux-smp-vcpu-stats');
    await page.getByTestId('stats-tab-exits').click();
  }, 120_000);

  it('shows a kernel that panics as crashed, with the panic line', async () => {
    await lab.addGuest({ name: 'panic', image: 'linux', bootargs: 'console=ttyS0 printk.time=0 rdinit=/missing init=/missing' });
    await expect.poll(() => state('panic'), SLOW).toBe('crashed');
    await expect.poll(() => page.getByTestId('guest-row-panic').innerText(), SLOW).toMatch(/Kernel panic - not syncing/);
    await screenshot(page, 'linux-panic');
  }, 120_000);

  it.skipIf(!UBOOT_INSTALLED)('boots Debian\'s U-Boot to its prompt', async () => {
    await lab.addGuest({ name: 'uboot', image: 'u-boot' });
    await expect.poll(() => screen('uboot'), SLOW).toContain('Hit any key to stop autoboot');
    await lab.typeInto('uboot', '');
    await expect.poll(() => screen('uboot'), SLOW).toMatch(/^=>\s*$/m);
    await lab.typeInto('uboot', 'version');
    await expect.poll(() => screen('uboot'), SLOW).toContain('U-Boot 2023.01');
    expect(lab.errors).toEqual([]);
  }, 120_000);
});
