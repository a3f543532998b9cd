# Shared by every guest's build.sh: the cross compiler and the flags that make a
# reproducible bare-metal e500mc image (no build id, no paths, no timestamps).
# Usage inside build.sh:  . ../common/build-lib.sh; lab_cc OUT.elf SRC...
set -euo pipefail
CROSS=${CROSS:-powerpc-linux-gnu-}
COMMON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CFLAGS=(-mcpu=e500mc -mhard-float -O2 -g0 -ffreestanding -nostdlib -static -fno-pic
  -mno-sdata -fno-asynchronous-unwind-tables -fno-ident -Wall -Wextra -Wno-unused-parameter
  -Wa,-mregnames -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=0x1000
  -ffile-prefix-map="$COMMON_DIR"=common -I"$COMMON_DIR")
export SOURCE_DATE_EPOCH=0 LC_ALL=C

lab_have_toolchain() { command -v "${CROSS}gcc" >/dev/null 2>&1; }

# lab_cc OUT SRC... : compile and link with the common start-up and runtime.
lab_cc() {
	local out=$1; shift
	"${CROSS}gcc" "${LAB_CFLAGS[@]}" -T "$COMMON_DIR/link.ld" \
		"$COMMON_DIR/crt0.S" "$COMMON_DIR/rt.c" "$@" -lgcc -o "$out"
	"${CROSS}strip" --strip-debug -R .comment "$out" 2>/dev/null || true
}
