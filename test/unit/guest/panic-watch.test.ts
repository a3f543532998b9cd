// A Linux kernel panic on the console stops the guest as crashed, with the
// kernel's own line as the reason.
import { describe, expect, it } from 'vitest';
import { PanicWatch } from '../../../src/main/guest/panic-watch';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('PanicWatch', () => {
  it('reports the panic line once it is complete, however the output is cut', () => {
    const seen: string[] = [];
    const w = new PanicWatch((l) => seen.push(l));
    const text = '[    1.0] Run /init as init process\r\nKernel panic - not syncing: No working init found.  Try passing init= option to kernel.\r\nCPU: 0 PID: 1\r\n';
    for (const ch of text) w.feed(bytes(ch));
    expect(seen).toEqual(['Kernel panic - not syncing: No working init found.  Try passing init= option to kernel.']);
    w.feed(bytes('Kernel panic - not syncing: again\n'));
    expect(seen).toHaveLength(1);
  });

  it('ignores the words in the middle of a line and waits for the end of the line; a reset re-arms it', () => {
    const seen: string[] = [];
    const w = new PanicWatch((l) => seen.push(l));
    w.feed(bytes('# echo Kernel panic - not syncing: typed by a user\n'));
    w.feed(bytes('[ok] Kernel panic - not syncing: not a time stamp\n'));
    w.feed(bytes('Kernel panic - not syncing\n'));
    w.feed(bytes('Kernel panic - not syncing: Attempted to kill init!'));
    expect(seen).toEqual([]);
    w.feed(bytes(' exitcode=0x00000000\n'));
    expect(seen).toEqual(['Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000']);
    w.reset();
    w.feed(bytes('[   12.345678] Kernel panic - not syncing: VFS: Unable to mount root fs\n'));
    expect(seen[1]).toBe('Kernel panic - not syncing: VFS: Unable to mount root fs');
  });
});
