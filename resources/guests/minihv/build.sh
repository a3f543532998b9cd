#!/usr/bin/env bash
# Builds minihv, the bare-metal hypervisor that runs labOS as its guest, into
# OUTDIR (default: this directory). It embeds ../labos/labos.elf, so labOS is
# built first (build-guests builds directories in name order).
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}
LABOS=${LABOS_ELF:-../labos/labos.elf}
[ -f "$OUT/../labos/labos.elf" ] && LABOS="$OUT/../labos/labos.elf"
INC=$(cd "$(dirname "$LABOS")" && pwd)
"${CROSS}gcc" "${LAB_CFLAGS[@]}" -Wa,-I"$INC" -T hv.ld start.S hv.c -lgcc -o "$OUT/minihv.elf"
"${CROSS}strip" --strip-debug -R .comment "$OUT/minihv.elf" 2>/dev/null || true
