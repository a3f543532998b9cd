/* alu: integer arithmetic and logical instructions, every record (.) and
 * overflow (o) form, XER[SO,OV,CA] in and out, D-form immediates, rA=0 forms.
 * Output format: see lib/optab.h. */
#include "tlib.h"
#include "optab.h"

extern const struct opent alu_tab[], alu_tab_end[];

int main(void)
{
	trap_init();
	section("alu");
	op_run_table(alu_tab, alu_tab_end);
	tests_done();
	return 0;
}
