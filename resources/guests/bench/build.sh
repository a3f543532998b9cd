#!/usr/bin/env bash
# Builds the benchmark guests into OUTDIR (default: this directory).
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}
lab_cc "$OUT/intmix.elf" intmix.c
lab_cc "$OUT/memwalk.elf" memwalk.c
