// CLI: runs the differential test programs on QEMU (twice with --twice, to
// check that their output is deterministic) and, when it exists, in the lab;
// prints timings and the first difference of any mismatch.
//   npx tsx test/differential/run-programs.ts [--twice] [--qemu-only] [--save DIR] [name...]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleText } from '../support/guest-run';
import { loadLab } from '../support/lab';
import { runOnQemu } from '../support/qemu';
import { diffConsoles } from './compare';
import { programElf, testPrograms } from './programs';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const twice = argv.includes('--twice');
  const qemuOnly = argv.includes('--qemu-only');
  const saveAt = argv.indexOf('--save');
  const saveDir = saveAt >= 0 ? argv[saveAt + 1] : undefined;
  const names = argv.filter((a, i) => !a.startsWith('--') && (saveAt < 0 || i !== saveAt + 1));
  const runElf = qemuOnly ? undefined : await loadLab();
  if (saveDir) mkdirSync(saveDir, { recursive: true });
  let failures = 0;
  let qemuTotal = 0;
  for (const p of testPrograms.filter((x) => names.length === 0 || names.includes(x.name))) {
    const t0 = Date.now();
    const q = await runOnQemu(programElf(p.name), { icount: p.icount, ramMb: p.ramMb, smp: p.smp, timeoutMs: 60_000 });
    const qms = Date.now() - t0;
    qemuTotal += qms;
    const text = consoleText(q.console);
    const file = p.label.replace(/ \((\d+) vCPUs\)$/, '-smp$1');
    const notes: string[] = [];
    if (q.timedOut || q.status !== 0) notes.push(`QEMU status ${q.status}${q.timedOut ? ' (timeout)' : ''}`);
    if (!text.endsWith('done\r\n')) notes.push('no "done" line');
    if (/UNEXPECTED|FATAL/.test(text)) notes.push('unexpected trap reported');
    if (saveDir) writeFileSync(join(saveDir, `${file}.qemu.txt`), q.console);
    if (twice) {
      const q2 = await runOnQemu(programElf(p.name), { icount: p.icount, ramMb: p.ramMb, smp: p.smp, timeoutMs: 60_000 });
      const d = diffConsoles(text, consoleText(q2.console), 2, ['qemu', 'qemu2']);
      if (d) notes.push(`QEMU not deterministic:\n${d.report}`);
    }
    let labInfo = '';
    if (runElf) {
      const t1 = Date.now();
      const lab = runElf(new Uint8Array(readFileSync(programElf(p.name))), { maxInsns: p.maxInsns, ramMb: p.ramMb, smp: p.smp });
      labInfo = ` lab ${Date.now() - t1} ms, ${lab.insns} insns, ${lab.reason}`;
      if (saveDir) writeFileSync(join(saveDir, `${file}.lab.txt`), lab.console);
      const d = diffConsoles(p.qemuDeparts ? p.qemuDeparts.rewrite(text) : text, consoleText(lab.console));
      if (d) notes.push(d.report);
    }
    if (notes.length) failures++;
    console.log(`${notes.length ? 'FAIL' : 'ok  '} ${p.label.padEnd(16)} ${String(q.console.length).padStart(7)} bytes, QEMU ${qms} ms${labInfo}`);
    for (const n of notes) console.log(`     ${n.replace(/\n/g, '\n     ')}`);
  }
  console.log(`QEMU total ${qemuTotal} ms${twice ? ' (first runs)' : ''}; ${failures} failing`);
  return failures ? 1 : 0;
}

main().then((c) => process.exit(c), (e: unknown) => {
  console.error(e);
  process.exit(2);
});
