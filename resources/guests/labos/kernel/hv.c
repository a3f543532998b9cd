/*
 * ePAPR hypervisor services: byte channels.
 *
 * Used only when the device tree has a /hypervisor node compatible with
 * "epapr,hypervisor-1"; then the hypercall trampoline (entry.S, hcall_insns)
 * is patched with the node's hcall-instructions and each child compatible
 * with "epapr,hv-byte-channel" becomes a channel named by its label.  With no
 * such node labOS never executes a hypercall, so the same image runs on bare
 * hardware and under QEMU.
 *
 * Hypercall: r11 = (vendor << 16) | number with vendor 1 (ePAPR); arguments
 * from r3, status back in r3 (0 = success).
 *   BYTE_CHANNEL_SEND    r3 = handle, r4 = count (<= 16), r5-r8 = bytes
 *   BYTE_CHANNEL_RECEIVE r3 = handle, r4 = max count -> r4 = count, r5-r8
 *   BYTE_CHANNEL_POLL    r3 = handle -> r4 = bytes waiting, r5 = room to send
 * Received data is printed a line at a time as "[label] text".  A channel
 * whose node has "interrupts" (receive, then transmit, on the MPIC) is read
 * when its receive interrupt fires; one without is polled from the
 * decrementer tick, which then keeps running while the system idles.
 */
#include "kernel.h"

#define EPAPR_VENDOR		1
#define HC_BYTE_CHANNEL_SEND	1
#define HC_BYTE_CHANNEL_RECEIVE	2
#define HC_BYTE_CHANNEL_POLL	3
#define TOKEN(n)		((EPAPR_VENDOR << 16) | (n))
#define NOP			0x60000000

void hv_init(void)
{
	if (!boot.has_hv || !boot.hcall_ninsns)
		return;
	for (int i = 0; i < 4; i++)
		hcall_insns[i] = i < boot.hcall_ninsns ? boot.hcall_insns[i] : NOP;
	/* Make the new instructions visible to instruction fetch. */
	for (int i = 0; i < 4; i++)
		__asm__ volatile("dcbst 0, %0" :: "r"(&hcall_insns[i]) : "memory");
	msync();
	for (int i = 0; i < 4; i++)
		__asm__ volatile("icbi 0, %0" :: "r"(&hcall_insns[i]) : "memory");
	msync();
	isync();
}

int hv_find_channel(const char *label)
{
	if (!boot.has_hv)
		return -1;
	for (int i = 0; i < boot.nchan; i++)
		if (!strcmp(boot.chan[i].label, label))
			return i;
	return -1;
}

static uint32_t pack4(const char *p, uint32_t n)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < 4; i++)
		w = (w << 8) | (i < n ? (uint8_t)p[i] : 0);
	return w;
}

/* Send len bytes, 16 per hypercall, retrying briefly while the channel is
 * full.  Returns 0 or the failing ePAPR status. */
int hv_send(int ch, const char *buf, uint32_t len)
{
	uint32_t done = 0;
	int busy = 0;
	while (done < len) {
		uint32_t n = len - done > 16 ? 16 : len - done;
		struct hcall_regs r = { { 0 } };
		r.r[0] = boot.chan[ch].handle;
		r.r[1] = n;
		for (uint32_t w = 0; w < 4; w++)
			r.r[2 + w] = w * 4 < n ? pack4(buf + done + w * 4, n - w * 4) : 0;
		r.r[8] = TOKEN(HC_BYTE_CHANNEL_SEND);
		epapr_hcall(&r);
		if (r.r[0] == EV_EAGAIN && busy++ < 100) {
			sleep_ticks(1);
			continue;
		}
		if (r.r[0] != EV_SUCCESS)
			return (int)r.r[0];
		done += n;
		busy = 0;
	}
	return 0;
}

static void deliver(struct byte_channel *c, char ch)
{
	if (ch == '\r')
		return;
	if (ch != '\n' && c->line_len < sizeof(c->line) - 1) {
		c->line[c->line_len++] = ch;
		return;
	}
	c->line[c->line_len] = 0;
	printk("[%s] %s\n", c->label, c->line);
	c->line_len = 0;
	if (ch != '\n')
		c->line[c->line_len++] = ch;
}

/* Receive what a channel holds: a few calls at most, so a chatty peer cannot
 * hold the CPU (its receive interrupt, a level, simply comes back).  A
 * receive that fails with anything but "try again" marks the channel dead. */
static void drain(struct byte_channel *c)
{
	for (int k = 0; k < 4 && !c->dead; k++) {
		struct hcall_regs r = { { 0 } };
		r.r[0] = c->handle;
		r.r[1] = 16;
		r.r[8] = TOKEN(HC_BYTE_CHANNEL_RECEIVE);
		epapr_hcall(&r);
		if (r.r[0] != EV_SUCCESS) {
			c->dead = r.r[0] != EV_EAGAIN;
			if (c->dead && c->has_irq)
				mpic_mask_source(c->rx_irq);
			break;
		}
		uint32_t n = r.r[1] > 16 ? 16 : r.r[1];
		for (uint32_t j = 0; j < n; j++)
			deliver(c, (char)(r.r[2 + j / 4] >> (24 - 8 * (j % 4))));
		if (n < 16)
			break;
	}
}

/* Unmask each channel's receive interrupt (after mpic_init).  Transmit
 * interrupts stay masked: hv_send retries from the tick instead. */
void hv_enable_interrupts(void)
{
	if (!boot.has_hv)
		return;
	for (int i = 0; i < boot.nchan; i++)
		if (boot.chan[i].has_irq)
			mpic_enable_source(boot.chan[i].rx_irq, 4);
}

/* From do_external: 1 if vec is a channel's receive interrupt (now served). */
int hv_channel_interrupt(unsigned vec)
{
	int found = 0;
	for (int i = 0; i < boot.nchan; i++) {
		struct byte_channel *c = &boot.chan[i];
		if (c->has_irq && c->rx_irq == vec) {
			drain(c);
			found = 1;
		}
	}
	return found;
}

/* 1 when some channel has no interrupt, so the idle loop must keep a tick. */
int hv_channels_polled(void)
{
	if (!boot.has_hv)
		return 0;
	for (int i = 0; i < boot.nchan; i++)
		if (!boot.chan[i].has_irq && !boot.chan[i].dead)
			return 1;
	return 0;
}

/* From the tick, interrupts off: the channels without an interrupt. */
void hv_poll_channels(void)
{
	if (!boot.has_hv)
		return;
	for (int i = 0; i < boot.nchan; i++)
		if (!boot.chan[i].has_irq)
			drain(&boot.chan[i]);
}

/* One BYTE_CHANNEL_POLL: the cheapest side-effect-free byte-channel call,
 * used by the hcall benchmark.  Returns the status. */
int hv_poll_once(int ch)
{
	struct hcall_regs r = { { 0 } };
	r.r[0] = boot.chan[ch].handle;
	r.r[8] = TOKEN(HC_BYTE_CHANNEL_POLL);
	epapr_hcall(&r);
	return (int)r.r[0];
}
