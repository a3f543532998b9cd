/* Integer workload in the spirit of CoreMark: linked-list search and
 * reversal, a small matrix multiply, a string-driven state machine and a
 * table CRC32, iterated and folded into one checksum. Prints the checksum
 * (identical on QEMU and in the lab) and ends the run. The iteration count
 * comes from the device tree's bootargs ("iterations=N"), default 200. */
#include "rt.h"
#include "tb.h"

#define LIST_NODES 256
#define MAT_N 16
#define TEXT_LEN 512

struct node {
	struct node *next;
	uint32_t key;
	uint32_t value;
};

static struct node nodes[LIST_NODES];
static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];
static char text[TEXT_LEN];
static uint32_t crc_table[256];
static uint32_t seed = 0x12345678;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const void *data, uint32_t len, uint32_t crc)
{
	const uint8_t *p = data;
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

static struct node *list_build(void)
{
	for (int i = 0; i < LIST_NODES; i++) {
		nodes[i].key = rnd() & 0x3FF;
		nodes[i].value = rnd();
		nodes[i].next = i + 1 < LIST_NODES ? &nodes[i + 1] : 0;
	}
	return &nodes[0];
}

static struct node *list_reverse(struct node *head)
{
	struct node *prev = 0;
	while (head) {
		struct node *next = head->next;
		head->next = prev;
		prev = head;
		head = next;
	}
	return prev;
}

static uint32_t list_work(struct node *head)
{
	uint32_t acc = 0;
	for (uint32_t k = 0; k < 64; k++) {
		for (struct node *n = head; n; n = n->next)
			if (n->key == (k * 7 & 0x3FF))
				acc += n->value;
	}
	return acc;
}

static uint32_t matrix_work(uint32_t iter)
{
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			mat_a[i][j] = (int32_t)(i * 3 + j + iter);
			mat_b[i][j] = (int32_t)(i - j * 2);
		}
	uint32_t acc = 0;
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			int32_t s = 0;
			for (int k = 0; k < MAT_N; k++)
				s += mat_a[i][k] * mat_b[k][j];
			mat_c[i][j] = s;
			acc = (acc << 1 | acc >> 31) ^ (uint32_t)s;
		}
	return acc;
}

enum state { START, INT, FRAC, EXP, ERR };

static uint32_t state_work(void)
{
	uint32_t counts[5] = { 0 };
	enum state s = START;
	for (int i = 0; i < TEXT_LEN; i++) {
		char c = text[i];
		switch (s) {
		case START: s = c >= '0' && c <= '9' ? INT : c == ',' ? START : ERR; break;
		case INT: s = c >= '0' && c <= '9' ? INT : c == '.' ? FRAC : c == ',' ? START : ERR; break;
		case FRAC: s = c >= '0' && c <= '9' ? FRAC : c == 'e' ? EXP : c == ',' ? START : ERR; break;
		case EXP: s = c >= '0' && c <= '9' ? EXP : c == ',' ? START : ERR; break;
		case ERR: s = c == ',' ? START : ERR; break;
		}
		counts[s]++;
	}
	return counts[0] * 3 + counts[1] * 5 + counts[2] * 7 + counts[3] * 11 + counts[4] * 13;
}

static uint32_t parse_iterations(uint32_t dtb)
{
	uint32_t n;
	if (!dtb_find_uint(dtb, "iterations=", &n))
		return 200;
	return n ? n : 1;
}

int main(uint32_t dtb)
{
	const char alphabet[] = "0123456789.,e+x";
	uint32_t iterations = parse_iterations(dtb);
	crc_init();
	for (int i = 0; i < TEXT_LEN; i++)
		text[i] = alphabet[rnd() % (sizeof alphabet - 1)];
	uint32_t check = 0;
	struct node *head = list_build();
	for (uint32_t it = 0; it < iterations; it++) {
		check ^= list_work(head);
		head = list_reverse(head);
		check = crc32(&check, 4, check) ^ matrix_work(it);
		check += state_work();
		check = crc32(text, TEXT_LEN, check);
	}
	puts_("intmix iterations=");
	putudec(iterations);
	puts_(" checksum=");
	puthex(check);
	puts_("\n");
	report_tb(dtb);
	return 0;
}
