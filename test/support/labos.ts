// labOS's scripted session as the equivalence tests run it, and its console
// with what legitimately differs between runs masked.

/** Every shell command that prints something model-independent, the user programs that fault on purpose, two benchmarks. */
export const LABOS_SCRIPT = 'help; echo equivalence; ps; run; run hello; run sys; run mem; run align; run segv; run priv; bench sprg_read; bench tlb_miss; uptime; poweroff';

/**
 * labOS output with its timing figures masked (a benchmark row keeps its name
 * and whether it produced figures, so a row that failed under one model
 * shows), and without the banner lines naming the hypervisor and its
 * paravirtual page.
 */
export function labosStable(out: string): string {
  return out.split('\n')
    .filter((l) => !/^hypervisor: /.test(l) && !/^uptime /.test(l))
    .map((l) => l
      .replace(/^(bench \S+) \d+ \d+ \d+\.\d\d( ops\/s)?\r?$/, '$1 <figures>')
      .replace(/^(ps \d+ \S+ \S+) \d+ (\d+)\r?$/, '$1 <ticks> $2'))
    .join('\n');
}
