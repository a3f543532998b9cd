#!/usr/bin/env bash
# Builds the hypervisor test guests into OUTDIR (default: this directory).
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}
lab_cc "$OUT/sprcount.elf" sprcount.c
lab_cc "$OUT/reflect.elf" reflect.c
lab_cc "$OUT/sprloop.elf" sprloop.c
lab_cc "$OUT/gating.elf" gating.c
lab_cc "$OUT/tlbtouch.elf" tlbtouch.c
lab_cc "$OUT/privcount.elf" privcount.c
