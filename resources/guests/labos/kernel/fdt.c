/*
 * Flattened device tree reader.  labOS reads the tree once at boot and copies
 * out what it needs, so nothing refers to the tree afterwards:
 *
 *   /memory reg                         RAM size (first range)
 *   /cpus/<cpu> timebase-frequency      TB/DEC frequency (400 MHz on ppce500)
 *   /cpus/<cpu> d-cache-line-size       dcbz granule for zeroing pages
 *   /cpus/<cpu> reg, cpu-release-addr   every CPU and its ePAPR spin-table entry
 *   /chosen bootargs                    non-empty: scripted (non-interactive) run
 *   /hypervisor                         compatible "epapr,hypervisor-1": the
 *                                       hcall-instructions and, among its
 *                                       children, "epapr,hv-byte-channel"
 *                                       nodes (hv-handle, label; a node whose status is not "okay" is skipped)
 *
 * The format is the ePAPR / devicetree.org one: a header, a structure block
 * of big-endian tokens and a strings block for property names.
 */
#include "kernel.h"

#define FDT_MAGIC	0xd00dfeed
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9
#define MAX_DEPTH	8

struct boot_info boot;

struct fdt_state {
	const uint8_t *strct, *strings;
	uint32_t strct_size, strings_size;
	uint32_t root_addr_cells, root_size_cells;
	const char *path[MAX_DEPTH];	/* node names (without unit address match) */
	int cpu_done;			/* took the first cpu's properties */
	uint32_t cpu_reg;		/* the cpu node being read */
	uint64_t cpu_release;
	/* the hypervisor child being read */
	int chan_is_bytechan, chan_has_handle, chan_disabled;
	struct byte_channel chan;
	int hv_compatible;
};

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* "memory@0" matches "memory". */
static int node_is(const char *node, const char *base)
{
	size_t n = strlen(base);
	return node && strncmp(node, base, n) == 0 && (node[n] == 0 || node[n] == '@');
}

/* Is str one of the NUL-separated strings in a stringlist property? */
static int stringlist_has(const char *list, uint32_t len, const char *str)
{
	uint32_t i = 0;
	while (i < len) {
		const char *s = list + i;
		size_t n = strlen(s);
		if (strcmp(s, str) == 0)
			return 1;
		i += (uint32_t)n + 1;
	}
	return 0;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < cells; i++)
		v = (v << 32) | be32(p + 4 * i);
	return v;
}

static void property(struct fdt_state *s, int depth, const char *name, const uint8_t *val,
		     uint32_t len)
{
	const char *node = s->path[depth];
	const char *parent = depth >= 2 ? s->path[depth - 1] : 0;

	if (depth == 1) {
		if (!strcmp(name, "#address-cells") && len == 4)
			s->root_addr_cells = be32(val);
		else if (!strcmp(name, "#size-cells") && len == 4)
			s->root_size_cells = be32(val);
		return;
	}
	if (depth == 2 && node_is(node, "memory") && !strcmp(name, "reg")) {
		uint32_t cells = s->root_addr_cells + s->root_size_cells;
		if (len >= 4 * cells && cells <= 4)
			boot.ram_size = read_cells(val + 4 * s->root_addr_cells, s->root_size_cells);
		return;
	}
	if (depth == 2 && node_is(node, "chosen") && !strcmp(name, "bootargs")) {
		uint32_t n = len < sizeof(boot.bootargs) ? len : sizeof(boot.bootargs) - 1;
		memcpy(boot.bootargs, val, n);
		boot.bootargs[n] = 0;
		return;
	}
	if (depth == 2 && node_is(node, "cpus") && !strcmp(name, "timebase-frequency") &&
	    !boot.tb_freq) {
		boot.tb_freq = (uint32_t)read_cells(val, len >= 8 ? 2 : 1);
		return;
	}
	if (depth == 3 && node_is(parent, "cpus")) {
		if (!strcmp(name, "reg") && len == 4)
			s->cpu_reg = be32(val);
		else if (!strcmp(name, "cpu-release-addr") && len == 8)
			s->cpu_release = read_cells(val, 2);
	}
	if (depth == 3 && node_is(parent, "cpus") && !s->cpu_done) {
		if (!strcmp(name, "timebase-frequency") && len >= 4)
			boot.tb_freq = (uint32_t)read_cells(val, len >= 8 ? 2 : 1);
		else if (!strcmp(name, "d-cache-line-size") && len == 4)
			boot.dcache_line = be32(val);
		return;
	}
	if (depth == 2 && node_is(node, "hypervisor")) {
		if (!strcmp(name, "compatible"))
			s->hv_compatible = stringlist_has((const char *)val, len, "epapr,hypervisor-1");
		else if (!strcmp(name, "hcall-instructions") && len >= 4 && len <= 16 && !(len & 3)) {
			boot.hcall_ninsns = (int)(len / 4);
			for (int i = 0; i < boot.hcall_ninsns; i++)
				boot.hcall_insns[i] = be32(val + 4 * i);
		}
		return;
	}
	if (depth == 3 && node_is(parent, "hypervisor")) {
		if (!strcmp(name, "compatible"))
			s->chan_is_bytechan = stringlist_has((const char *)val, len,
							     "epapr,hv-byte-channel");
		else if (!strcmp(name, "status"))
			/* A node the tree marks unusable is not a channel. */
			s->chan_disabled = strcmp((const char *)val, "okay") && strcmp((const char *)val, "ok");
		else if (!strcmp(name, "hv-handle") && len == 4) {
			s->chan.handle = be32(val);
			s->chan_has_handle = 1;
		} else if (!strcmp(name, "interrupts") && len >= 4) {
			/* Receive first, then transmit (ePAPR binding); the
			 * MPIC's specifier is <source sense>. */
			s->chan.rx_irq = be32(val);
			s->chan.has_irq = 1;
		} else if (!strcmp(name, "label") && len > 0) {
			uint32_t n = len < sizeof(s->chan.label) ? len : sizeof(s->chan.label) - 1;
			memcpy(s->chan.label, val, n);
			s->chan.label[n] = 0;
		}
	}
}

static void end_node(struct fdt_state *s, int depth)
{
	if (depth == 3 && node_is(s->path[2], "cpus")) {
		s->cpu_done = 1;
		if (boot.ncpus < MAX_CPUS) {
			boot.cpu_reg[boot.ncpus] = s->cpu_reg;
			boot.cpu_release[boot.ncpus] = s->cpu_release;
			boot.ncpus++;
		}
		s->cpu_reg = 0;
		s->cpu_release = 0;
	}
	if (depth == 3 && node_is(s->path[2], "hypervisor")) {
		if (s->chan_is_bytechan && s->chan_has_handle && !s->chan_disabled && boot.nchan < MAX_CHANNELS) {
			if (!s->chan.label[0])
				sfmt(s->chan.label, sizeof(s->chan.label), "chan%u", s->chan.handle);
			boot.chan[boot.nchan++] = s->chan;
		}
		memset(&s->chan, 0, sizeof(s->chan));
		s->chan_is_bytechan = s->chan_has_handle = s->chan_disabled = 0;
	}
	if (depth == 2 && node_is(s->path[2], "hypervisor"))
		boot.has_hv = s->hv_compatible;
}

int fdt_parse(uint32_t dtb)
{
	static struct fdt_state st;
	struct fdt_state *s = &st;
	const uint8_t *h = (const uint8_t *)dtb;

	/* The tree must lie inside the boot mapping (first 64 MB). */
	if (dtb == 0 || dtb >= 0x04000000 || (dtb & 3) || be32(h) != FDT_MAGIC)
		return 0;
	uint32_t total = be32(h + 4), off_struct = be32(h + 8), off_strings = be32(h + 12);
	uint32_t version = be32(h + 20);
	if (version < 16 || total > 0x04000000 - dtb || off_struct >= total || off_strings >= total)
		return 0;
	s->strct = h + off_struct;
	s->strings = h + off_strings;
	s->strings_size = version >= 3 ? be32(h + 32) : total - off_strings;
	s->strct_size = version >= 17 ? be32(h + 36) : total - off_struct;
	s->root_addr_cells = 2;
	s->root_size_cells = 1;

	uint32_t off = 0;
	int depth = 0;
	for (;;) {
		if (off + 4 > s->strct_size)
			return 0;
		uint32_t tok = be32(s->strct + off);
		off += 4;
		switch (tok) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)s->strct + off;
			depth++;
			if (depth < MAX_DEPTH)
				s->path[depth] = name;
			off += ((uint32_t)strlen(name) + 1 + 3) & ~3u;
			break;
		}
		case FDT_END_NODE:
			if (depth <= 0)
				return 0;
			if (depth < MAX_DEPTH)
				end_node(s, depth);
			depth--;
			break;
		case FDT_PROP: {
			if (off + 8 > s->strct_size)
				return 0;
			uint32_t len = be32(s->strct + off), nameoff = be32(s->strct + off + 4);
			off += 8;
			if (off + len > s->strct_size || nameoff >= s->strings_size)
				return 0;
			if (depth < MAX_DEPTH)
				property(s, depth, (const char *)s->strings + nameoff, s->strct + off, len);
			off += (len + 3) & ~3u;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			boot.fdt_ok = 1;
			return 1;
		default:
			return 0;
		}
	}
}
