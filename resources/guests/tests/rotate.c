/* rotate: rlwinm/rlwnm/rlwimi over swept SH/MB/ME (wrapping masks too),
 * slw/srw/sraw/srawi with every shift amount incl. >= 32 and XER[CA].
 * Output format: see lib/optab.h. */
#include "tlib.h"
#include "optab.h"

extern const struct opent rot_tab[], rot_tab_end[];

int main(void)
{
	trap_init();
	section("rotate");
	op_run_table(rot_tab, rot_tab_end);
	tests_done();
	return 0;
}
