#!/usr/bin/env bash
# Builds every differential test program into OUTDIR/<name>.elf (default: this
# directory). Each program is <name>.c plus optional <name>_*.S, linked with
# the common start-up/runtime and the test runtime in lib/.
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}
LAB_CFLAGS+=(-Ilib -ffile-prefix-map="$PWD"=tests)
PROGRAMS=(alu rotate compare branch loadstore string atomic system interrupts mmu timers rfx tlb1sizes fpu pagecross smc smp)
for p in "${PROGRAMS[@]}"; do
	extra=()
	for s in "${p}"_*.S "${p}"_*.c; do
		[ -e "$s" ] && extra+=("$s")
	done
	lab_cc "$OUT/$p.elf" lib/vectors.S lib/tlib.c lib/optest.c "$p.c" "${extra[@]}"
done
