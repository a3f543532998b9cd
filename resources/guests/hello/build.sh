#!/usr/bin/env bash
# Builds hello.elf into OUTDIR (default: this directory).
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}
lab_cc "$OUT/hello.elf" hello.c
