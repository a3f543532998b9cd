#!/usr/bin/env bash
# Builds fpvectors.elf into OUTDIR (default: this directory). The guest prints
# floating-point test vectors captured on QEMU (see fpvectors.c for the format);
# test/fixtures/fpu/generate.ts runs it and writes the committed fixture.
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}
lab_cc "$OUT/fpvectors.elf" fpharness.S fpvectors.c
