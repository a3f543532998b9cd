#!/usr/bin/env bash
# Builds flood.elf (the console-throughput guest) into OUTDIR (default: this directory).
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}
lab_cc "$OUT/flood.elf" flood.c
