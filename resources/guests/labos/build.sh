#!/usr/bin/env bash
# Builds labOS into OUTDIR/labos.elf (default OUTDIR: this directory).
# Reproducible: the flags come from ../common/build-lib.sh (no build id,
# no paths, SOURCE_DATE_EPOCH=0); intermediate files go to a temporary
# directory whose name never reaches the image.
cd "$(dirname "$0")"
. ../common/build-lib.sh
OUT=${1:-.}

BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT

# The kernel is built without floating point (like Linux) and without libgcc:
# lib/lib.c provides what the compiler may call (memcpy, memset, ...).
FLAGS=("${LAB_CFLAGS[@]}" -msoft-float -ffile-prefix-map="$PWD"=labos)

# 1. The user program image, linked at USER_TEXT and flattened.
"${CROSS}gcc" "${FLAGS[@]}" -T user/user.ld \
	user/start.S user/ulib.c user/progs.c lib/lib.c -o "$BUILD/user.elf"
"${CROSS}objcopy" -O binary "$BUILD/user.elf" "$BUILD/user.bin"

# 2. The kernel, with the user image embedded by kernel/user_image.S.
"${CROSS}gcc" "${FLAGS[@]}" -Wa,-I"$BUILD" -T kernel/kernel.ld \
	kernel/head.S kernel/entry.S kernel/smp_head.S kernel/user_image.S \
	kernel/bench.c kernel/console.c kernel/fdt.c kernel/hv.c kernel/main.c \
	kernel/mm.c kernel/mpic.c kernel/pv.c kernel/sched.c kernel/shell.c kernel/smp.c kernel/syscall.c \
	kernel/time.c kernel/traps.c lib/lib.c -o "$BUILD/labos.elf"
"${CROSS}strip" --strip-debug -R .comment "$BUILD/labos.elf"
cp "$BUILD/labos.elf" "$OUT/labos.elf"
