/* compare: cmpw/cmplw/cmpwi/cmplwi into several CR fields, CR logical ops,
 * mcrf, mcrxr, isel, mfcr/mtcrf/mfocrf/mtocrf.
 * Output format: see lib/optab.h. */
#include "tlib.h"
#include "optab.h"

extern const struct opent cmp_tab[], cmp_tab_end[];

int main(void)
{
	trap_init();
	section("compare");
	op_run_table(cmp_tab, cmp_tab_end);
	tests_done();
	return 0;
}
