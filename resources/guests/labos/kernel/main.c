/*
 * labOS kernel entry (from head.S, on the idle task's stack, MMU set up,
 * external interrupts off).
 */
#include "kernel.h"
#include "pv.h"

uint64_t boot_tb;

static void banner(void)
{
	printk("labOS %s for e500mc (ppce500 board)\n", LABOS_VERSION);
	printk("cpu: PVR 0x%08x, time base %u Hz, tick %u Hz\n", mfspr(SPRN_PVR), boot.tb_freq, HZ);
	printk("memory: %u MB, %u MB mapped by the kernel, user image %u KB\n",
	       (uint32_t)(boot.ram_size >> 20), lowmem_size >> 20, user_image_size >> 10);
	if (!boot.has_hv) {
		printk("hypervisor: none\n");
	} else {
		char buf[200];
		uint32_t n = (uint32_t)sfmt(buf, sizeof(buf), "hypervisor: ePAPR, %d byte channel%s",
					    boot.nchan, boot.nchan == 1 ? "" : "s");
		for (int i = 0; i < boot.nchan; i++)
			n += (uint32_t)sfmt(buf + n, sizeof(buf) - n, "%s%s (handle %u)",
					    i ? ", " : ": ", boot.chan[i].label, boot.chan[i].handle);
		printk("%s\n", buf);
	}
	printk("console: ns16550 at CCSR+0x4500, MPIC source %d\n", UART_IRQ);
}

/*
 * Kernel options: leading "name=value" items of bootargs, before the shell's
 * commands (they never reach the shell, so a run prints the same with them).
 *   pv=on   use the hypervisor's paravirtual page when it offers one (pv.c)
 */
static void kernel_options(void)
{
	char *p = boot.bootargs;
	for (;;) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, "pv=on", 5) || (p[5] && p[5] != ';' && p[5] != ' '))
			break;
		boot.pv_requested = 1;
		p += 5;
	}
	if (p != boot.bootargs)
		memmove(boot.bootargs, p, strlen(p) + 1);
}

NORETURN void kmain(uint32_t dtb)
{
	boot_tb = read_tb();
	map_ccsr();
	uart_early_init();
	setup_vectors();
	sched_init();	/* SPRG3 -> idle's thread block before anything can trap */

	int fdt_ok = fdt_parse(dtb);
	kernel_options();
	if (!boot.ram_size)
		boot.ram_size = 64u << 20;	/* the boot mapping's size */
	if (!boot.tb_freq)
		boot.tb_freq = 400000000;	/* ppce500's */
	mm_init();
	banner();
	if (!fdt_ok)
		printk("warning: no usable device tree at 0x%08x; using defaults\n", dtb);

	hv_init();
	if (boot.pv_requested) {
		const char *why = pv_init();
		if (why)
			printk("hypervisor: paravirtual page %s\n", why);
		else
			printk("hypervisor: paravirtual page at 0x%08x, %u instructions patched\n", PV_EA, pv_patched);
	}
	mpic_init();
	mpic_enable_source(UART_IRQ, 5);
	hv_enable_interrupts();
	console_irq_init();
	time_init();
	if (!kthread_create("shell", shell_main, 0))
		panic("cannot create the shell");
	if (!boot.bootargs[0])
		printk("Type 'help' for the list of commands.\n");
	irq_enable();
	idle_loop();
}
