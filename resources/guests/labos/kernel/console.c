/*
 * Console: the ns16550 UART at CCSR + 0x4500 (MPIC source 42).
 *
 * Boot output is polled (wait for LSR[THRE], write THR).  Once the MPIC is
 * set up, output goes through a ring buffer drained by the transmitter-empty
 * interrupt and input arrives through the received-data interrupt into a
 * second ring that tty_readline() consumes.
 *
 * Registers used, and nothing else: RBR (read), THR (write), IER (write),
 * IIR (read), LCR (write 0x03 once: 8N1, DLAB off) and LSR (read).  The FIFO
 * control register is deliberately left alone: toggling FCR[FE] clears the
 * receive FIFO, which would drop characters typed before boot; the driver
 * works the same with the FIFO on or off.  The baud-rate divisor is whatever
 * the firmware left (QEMU ignores it).
 *
 * Echo and line editing happen in tty_readline(), in the reading task, not in
 * the interrupt handler: what is echoed, and where, therefore depends only on
 * the order of events in the reading task, which keeps scripted sessions
 * deterministic.
 */
#include "kernel.h"

#define UART_BASE	(CCSR_VA + 0x4500)
#define UART_RBR	(UART_BASE + 0)
#define UART_THR	(UART_BASE + 0)
#define UART_IER	(UART_BASE + 1)
#define UART_IIR	(UART_BASE + 2)
#define UART_LCR	(UART_BASE + 3)
#define UART_LSR	(UART_BASE + 5)

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IIR_NO_INT	0x01
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define LCR_8N1		0x03

#define TX_SIZE		4096
#define RX_SIZE		256
#define TX_BURST	16	/* bytes per transmit interrupt at most */

static int console_irq_mode;
static uint8_t ier_shadow;
static char tx_ring[TX_SIZE];
static uint32_t tx_head, tx_tail;	/* free-running; head = next to write */
static char rx_ring[RX_SIZE];
static volatile uint32_t rx_head, rx_tail;
static int rx_chan;			/* wait channel for readers */

static void uart_poll_putc(char c)
{
	while (!(in8(UART_LSR) & LSR_THRE))
		;
	out8(UART_THR, (uint8_t)c);
}

void uart_early_init(void)
{
	out8(UART_IER, 0);
	out8(UART_LCR, LCR_8N1);
	ier_shadow = 0;
}

static void set_ier(uint8_t v)
{
	if (v != ier_shadow) {
		ier_shadow = v;
		out8(UART_IER, v);
	}
}

void console_irq_init(void)
{
	uint32_t f = irq_save();
	/* Characters that arrived before interrupts were on are taken now. */
	while ((in8(UART_LSR) & LSR_DR) && rx_head - rx_tail < RX_SIZE)
		rx_ring[rx_head++ % RX_SIZE] = (char)in8(UART_RBR);
	console_irq_mode = 1;
	set_ier(IER_RDI);
	irq_restore(f);
}

/* Move bytes from the ring to the transmitter while it has room.  Called with
 * EE off.  Without a FIFO the UART takes one byte per THRE; QEMU transmits
 * instantly, so THRE is set again at once and a burst goes out per interrupt. */
static void tx_fill(void)
{
	int n = 0;
	while (tx_head != tx_tail && n < TX_BURST && (in8(UART_LSR) & LSR_THRE)) {
		out8(UART_THR, (uint8_t)tx_ring[tx_tail++ % TX_SIZE]);
		n++;
	}
	set_ier(tx_head != tx_tail ? (IER_RDI | IER_THRI) : IER_RDI);
}

static void console_putc_locked(char c)
{
	if (!console_irq_mode) {
		uart_poll_putc(c);
		return;
	}
	if (tx_head - tx_tail >= TX_SIZE) {
		/* Ring full: drain the oldest bytes by polling, keeping order. */
		while (tx_head - tx_tail >= TX_SIZE / 2)
			uart_poll_putc(tx_ring[tx_tail++ % TX_SIZE]);
	}
	tx_ring[tx_head++ % TX_SIZE] = c;
}

void console_write(const char *s, uint32_t n)
{
	uint32_t f = irq_save();
	for (uint32_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			console_putc_locked('\r');
		console_putc_locked(s[i]);
	}
	/* Start the transmitter: enabling THRI while THR is empty raises the
	 * interrupt at once, and the handler keeps it going. */
	if (console_irq_mode && tx_head != tx_tail && !(ier_shadow & IER_THRI))
		set_ier(IER_RDI | IER_THRI);
	irq_restore(f);
}

int printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, (uint32_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
	return n;
}

/* Flush everything queued, by polling, and wait for the shift register to
 * empty (used before a reset ends the run).  Leaves interrupt mode as is. */
void console_drain(void)
{
	uint32_t f = irq_save();
	while (tx_head != tx_tail)
		uart_poll_putc(tx_ring[tx_tail++ % TX_SIZE]);
	while (!(in8(UART_LSR) & LSR_TEMT))
		;
	irq_restore(f);
}

void console_polled(void)
{
	console_drain();
	console_irq_mode = 0;
}

/* MPIC source 42.  IIR is read first: on a 16550 that acknowledges a pending
 * THRE condition; then LSR says what there is to do. */
void uart_interrupt(void)
{
	int got = 0;
	(void)in8(UART_IIR);
	for (int i = 0; i < RX_SIZE && (in8(UART_LSR) & LSR_DR); i++) {
		char c = (char)in8(UART_RBR);
		if (rx_head - rx_tail < RX_SIZE)
			rx_ring[rx_head++ % RX_SIZE] = c;
		got = 1;
	}
	if (ier_shadow & IER_THRI)
		tx_fill();
	if (got)
		wakeup(&rx_chan);
}

static int tty_getc(void)
{
	uint32_t f = irq_save();
	while (rx_head == rx_tail)
		sleep_on(&rx_chan);
	char c = rx_ring[rx_tail++ % RX_SIZE];
	irq_restore(f);
	return (unsigned char)c;
}

/* Canonical line input with echo: backspace/DEL erase, ^U kills the line,
 * ^C abandons it (returns -1), CR or LF ends it (an LF right after a CR is
 * swallowed, so CRLF terminals work).  The line is NUL-terminated; the
 * return value is its length without the terminator. */
int tty_readline(char *buf, int size)
{
	static int last_was_cr;
	int n = 0;

	for (;;) {
		int c = tty_getc();
		if (c == '\n' && last_was_cr) {
			last_was_cr = 0;
			continue;
		}
		last_was_cr = (c == '\r');
		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			buf[n] = 0;
			return n;
		}
		if (c == 0x08 || c == 0x7f) {
			if (n > 0) {
				n--;
				console_write("\b \b", 3);
			}
		} else if (c == 0x15) {
			while (n > 0) {
				n--;
				console_write("\b \b", 3);
			}
		} else if (c == 0x03) {
			console_write("^C\n", 3);
			buf[0] = 0;
			return -1;
		} else if (c >= 0x20 && c < 0x7f && n < size - 1) {
			buf[n++] = (char)c;
			console_write((char *)&buf[n - 1], 1);
		}
	}
}
