/* Accesses a set of SPRs an exact, printed number of times, so that the
 * hypervisor's per-SPR trap counters can be checked against the guest's own
 * count: with a register trapped, its mfspr/mtspr traps must equal the lines
 * this program prints; with it duplicated, zero. Nothing else touches these
 * registers except crt0, which writes MAS0-3 and MAS7 once each. */
#include "rt.h"

static uint32_t acc;

#define READS(n, k) do { \
	for (int i_ = 0; i_ < (k); i_++) { uint32_t v_; __asm__ volatile("mfspr %0,%1" : "=r"(v_) : "i"(n)); acc = (acc << 1 | acc >> 31) ^ v_; } \
	puts_("spr " #n " r "); putudec(k); puts_("\n"); } while (0)

#define WRITES(n, k, val) do { \
	for (int i_ = 0; i_ < (k); i_++) { uint32_t w_ = (val); __asm__ volatile("mtspr %0,%1" :: "i"(n), "r"(w_)); } \
	puts_("spr " #n " w "); putudec(k); puts_("\n"); } while (0)

int main(uint32_t dtb)
{
	puts_("sprcount\n");
	/* Scratch registers: writes first, then reads that fold the values in. */
	WRITES(272, 5, 0x1000u + (uint32_t)i_); READS(272, 3);
	WRITES(273, 6, 0x2000u + (uint32_t)i_); READS(273, 4);
	WRITES(274, 7, 0x3000u + (uint32_t)i_); READS(274, 5);
	WRITES(275, 8, 0x4000u + (uint32_t)i_); READS(275, 6);
	WRITES(276, 9, 0x5000u + (uint32_t)i_); READS(276, 7);
	WRITES(277, 10, 0x6000u + (uint32_t)i_); READS(277, 8);
	WRITES(278, 11, 0x7000u + (uint32_t)i_); READS(278, 9);
	WRITES(279, 12, 0x8000u + (uint32_t)i_); READS(279, 10);
	WRITES(256, 3, 0x9000u + (uint32_t)i_); READS(256, 2);
	WRITES(604, 2, 0xA000u + (uint32_t)i_); READS(604, 2);
	WRITES(605, 3, 0xB000u + (uint32_t)i_); READS(605, 3);
	/* Interrupt state (no interrupt happens here). */
	WRITES(26, 13, 0x100u + 4u * (uint32_t)i_); READS(26, 11);
	WRITES(27, 14, 0x2000u); READS(27, 12);
	WRITES(62, 4, 0x00800000u); READS(62, 3);
	WRITES(61, 6, 0xC000u + (uint32_t)i_); READS(61, 5);
	WRITES(58, 2, 0xD000u); READS(58, 2);
	WRITES(570, 1, 0xD100u); READS(570, 1);
	WRITES(574, 1, 0xD200u); READS(574, 1);
	/* Set-up registers. */
	WRITES(63, 2, 0u); READS(63, 2);
	WRITES(406, 3, 0x700u); READS(406, 3);
	WRITES(48, 3, 0u); READS(48, 2);
	WRITES(628, 2, 0u); READS(628, 2);
	WRITES(630, 2, 0u); READS(630, 2);
	WRITES(308, 1, 0u); READS(308, 1);
	/* Timers (interrupts stay disabled: TCR = 0). */
	WRITES(340, 2, 0u); READS(340, 2);
	WRITES(54, 2, 1000u);
	WRITES(336, 2, 0u); READS(336, 2);
	WRITES(22, 1, 0u); READS(22, 2);
	/* Identification (read-only). */
	READS(286, 3);
	READS(287, 2);
	READS(1023, 2);
	READS(1015, 1);
	READS(688, 1);
	puts_("sprcount done acc=");
	puthex(acc);
	puts_("\n");
	return 0;
}
