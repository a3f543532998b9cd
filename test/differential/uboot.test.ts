// Debian's U-Boot for QEMU's ppce500 (package u-boot-qemu), in the lab and on
// QEMU, driven the same way: wait for the autoboot countdown, stop it, then
// type commands at the prompt, each after the previous prompt appears (U-Boot
// drops what arrives while it boots, on QEMU too). The lab side is a
// `lab session` script, as a user would write it. The two consoles must be
// equal byte for byte.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConsoleStep, converseOnQemu, qemuAvailable } from '../support/qemu';
import { missing } from '../support/tools';

const UBOOT = '/usr/lib/u-boot/qemu-ppce500/uboot.elf';
const PROMPT = '=>';

/** The commands typed at the prompt (`date` is left out: QEMU's clock is the host's, the lab's is virtual time). */
const COMMANDS = [
  'version',
  'bdinfo',
  'pci',
  'pci display.l 00.00.00 0 40', // the host bridge's configuration space
  'md.l e0008c00 80', // the PCI controller's address-translation windows as U-Boot set them
  // The MPIC: revision, feature and configuration, global timers, MSI, a
  // source's registers, core 0's private block (reading IACK acknowledges).
  'md.l e0040000 8', 'md.l e0041000 10', 'md.l e00410f0 14', 'md.l e0041600 60', 'md.l e0043800 4',
  'md.l e0050000 10', 'md.l e0060000 40',
  'md.l e0003000 8', // the I2C controller
  'md.l e0005000 8', // the local bus controller (not implemented on QEMU: zeros)
  'md.l e00e0000 30', // global utilities: PVR, SVR, reset control
  'md.l e00ff000 8', // GPIO
  'md.b f00000 40', // the start of U-Boot's own image as QEMU's loader placed it
  'fdt addr $fdtcontroladdr',
  'fdt print /chosen bootargs', 'fdt print /chosen qemu,boot-kernel', 'fdt print /cpus',
  'coninfo',
];

const STEPS: ConsoleStep[] = [
  { expect: 'Hit any key to stop autoboot', type: '\n' },
  ...COMMANDS.map((c) => ({ expect: PROMPT, type: `${c}\n` })),
];

/** The same steps as a `lab session` script for a guest named uboot. */
function sessionScript(): string {
  const lines: string[] = [];
  for (const s of STEPS) lines.push(`expect uboot ${s.expect}`, `@uboot ${s.type.replace(/\n$/, '')}`);
  lines.push(`expect uboot ${PROMPT}`, 'quit');
  return `${lines.join('\n')}\n`;
}

function labSession(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = process.env.LAB_CLI_SCRIPT;
  if (!cli) throw new Error('LAB_CLI_SCRIPT is not set (test/support/global-setup.ts bundles the CLI)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'session', '--guest', `${UBOOT}:name=uboot,model=native`, '--script', script, '--stats', 'none'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Console text up to the final prompt, line endings normalised (the session
 * prints LF). One byte depends on host timing, on QEMU as in the lab: U-Boot
 * ends the countdown with "\b\b\b 0" when the key was already waiting as the
 * countdown started, and with "\b\b\b 0 " when it arrived during it; that
 * line's trailing blank is dropped.
 */
function upToLastPrompt(text: string): string {
  const t = text.replace(/\r/g, '').replace(/^(Hit any key to stop autoboot:.*?) +$/m, '$1');
  return t.slice(0, t.lastIndexOf(PROMPT) + PROMPT.length);
}

const available = qemuAvailable() && existsSync(UBOOT);
describe.skipIf(missing('qemu-system-ppc and u-boot-qemu', available))('U-Boot: the lab against QEMU', () => {
  it('boots to the prompt and answers the same commands with the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-uboot-'));
    try {
      const script = join(dir, 'uboot.script');
      writeFileSync(script, sessionScript());
      const onQemu = converseOnQemu(UBOOT, STEPS, PROMPT, { timeoutMs: 60_000 });
      const lab = await labSession(script);
      expect(lab.code, lab.stderr).toBe(0);
      // No diagnostics: every register U-Boot touches is one the board has.
      expect(lab.stderr).toBe('');
      const labConsole = upToLastPrompt(lab.stdout.split('\n').map((l) => l.replace(/^uboot\| /, '')).join('\n'));
      const qemuConsole = upToLastPrompt((await onQemu).console.toString('latin1'));
      expect(labConsole).toContain('Core:  12 devices, 10 uclasses, devicetree: board');
      expect(labConsole).toContain('00.00.00   0x1957     0x0030     Processor');
      expect(labConsole.split('\n')).toEqual(qemuConsole.split('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
