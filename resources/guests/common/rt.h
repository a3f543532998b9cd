/* Tiny runtime shared by the lab's bare-metal guests (UART0 polled output,
 * hex/decimal printing, ending the run). CCSR is mapped at 0xE0000000. */
#ifndef LAB_RT_H
#define LAB_RT_H
#include <stdint.h>

#define CCSR_VA        0xE0000000u
#define UART0          (CCSR_VA + 0x4500u)
#define GUTS_RSTCR     (CCSR_VA + 0xE00B0u)

static inline void mmio_w8(uint32_t a, uint8_t v) { *(volatile uint8_t *)a = v; __asm__ volatile("mbar" ::: "memory"); }
static inline uint8_t mmio_r8(uint32_t a) { uint8_t v = *(volatile uint8_t *)a; __asm__ volatile("mbar" ::: "memory"); return v; }
static inline void mmio_w32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; __asm__ volatile("mbar" ::: "memory"); }
static inline uint32_t mmio_r32(uint32_t a) { uint32_t v = *(volatile uint32_t *)a; __asm__ volatile("mbar" ::: "memory"); return v; }

void putch(char c);
void puts_(const char *s);          /* no newline added */
void puthex(uint32_t v);            /* 8 hex digits */
void puthex64(uint64_t v);          /* 16 hex digits */
void putdec(int32_t v);
void putudec(uint32_t v);
void lab_exit(void) __attribute__((noreturn));   /* reset register: ends the run */
/* Finds "key" (e.g. "iterations=") anywhere in the device tree's bytes (in
 * practice the bootargs string) and reads the decimal number after it into
 * *out.  Returns 1 if the key is there, 0 if not. */
int dtb_find_uint(uint32_t dtb, const char *key, uint32_t *out);

#define SPR_READ(n) ({ uint32_t _v; __asm__ volatile("mfspr %0, %1" : "=r"(_v) : "i"(n)); _v; })
#define SPR_WRITE(n, v) __asm__ volatile("mtspr %0, %1" :: "i"(n), "r"((uint32_t)(v)))

#endif
