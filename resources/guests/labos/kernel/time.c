/*
 * Time: the 64-bit time base and the decrementer, both at the device tree's
 * timebase-frequency (400 MHz on ppce500).  The tick is one-shot, as Linux
 * programs it: every decrementer interrupt acknowledges TSR[DIS] and writes
 * DEC with the distance to the next tick deadline, computed from the time
 * base so that late interrupts do not make the clock drift.  TCR enables
 * only the decrementer interrupt (no auto-reload, no FIT, no watchdog).
 *
 * Tickless idle: when the idle loop finds nothing to run, nobody sleeping on
 * a timeout and no byte channel to poll, it parks DEC far in the future
 * (tick_stop) and restarts the tick when the next interrupt wakes it, catching
 * up on the ticks that passed.  An idle labOS costs its host almost nothing.
 * Byte channels normally interrupt when bytes arrive; only a hypervisor that
 * gives a channel no interrupt makes the idle tick slow down to one every
 * IDLE_POLL_TICKS instead (tick_slow), so that received bytes wait at most
 * that long.
 */
#include "kernel.h"

volatile uint64_t jiffies;
static uint32_t tick_period;
static uint64_t next_tick;
volatile int dec_bench_active;
int tick_stopped;
volatile uint32_t dec_bench_hits;

void time_init(void)
{
	tick_period = boot.tb_freq / HZ;
	mtspr(SPRN_TSR, TSR_DIS | TSR_FIS);
	mtspr(SPRN_TCR, TCR_DIE);
	next_tick = read_tb() + tick_period;
	mtspr(SPRN_DEC, tick_period);
}

/* Count the ticks that have passed and arm DEC for the next deadline.  After
 * a tickless stretch thousands of ticks may have passed: one division
 * counts them, rather than a loop per tick. */
void program_next_tick(void)
{
	uint64_t now = read_tb();
	if (now >= next_tick) {
		uint64_t missed = udiv64_32(now - next_tick, tick_period, 0) + 1;
		jiffies += missed;
		next_tick += missed * tick_period;
	}
	mtspr(SPRN_DEC, (uint32_t)(next_tick - now));
}

void tick_stop(void)
{
	/* 2^31 - 1 ticks (5.4 s at 400 MHz): far enough, and safely positive
	 * even for a decrementer that would treat the sign bit specially. */
	mtspr(SPRN_DEC, 0x7fffffff);
	tick_stopped = 1;
}

void tick_slow(void)
{
	mtspr(SPRN_DEC, tick_period * IDLE_POLL_TICKS);
	tick_stopped = 1;
}

void timer_interrupt(struct pt_regs *regs)
{
	mtspr(SPRN_TSR, TSR_DIS);
	if (dec_bench_active) {
		/* The decrementer round-trip benchmark owns DEC (bench.c). */
		dec_bench_hits++;
		return;
	}
	tick_stopped = 0;
	program_next_tick();
	sched_tick();
	hv_poll_channels();
	idle_wakeup_fixup(regs);
}

/* labOS never enables the fixed-interval timer; acknowledge and report. */
void fit_interrupt(struct pt_regs *regs)
{
	mtspr(SPRN_TSR, TSR_FIS);
	printk("time: unexpected fixed-interval timer interrupt at 0x%08x\n", regs->nip);
}
