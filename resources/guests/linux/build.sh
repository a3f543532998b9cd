#!/usr/bin/env bash
# Builds the Linux guest into OUTDIR (default: this directory):
#   OUTDIR/vmlinux.gz  the stripped vmlinux ELF, gzip -9n
#   OUTDIR/SOURCE      exact versions of every input and the vmlinux sha256
#   OUTDIR/init.elf    our static /init (also inside the kernel's initramfs)
# Then it builds each variant named in LAB_LINUX_VARIANTS (default: smp; set
# it empty to build only the uniprocessor kernel). A variant's build (also run
# alone with LAB_LINUX_VARIANT=smp) uses lab.config with the variant's own
# lines (smp.config) in place of lab.config's for the options it names, an
# object directory of its own, and writes vmlinux-smp.gz and SOURCE-smp
# (init.elf is the same program).
#
# Inputs: Debian's linux-source-6.1 tarball (/usr/src/linux-source-6.1.tar.xz),
# corenet32_smp_defconfig + lab.config, init/*.c built against Debian's cross
# glibc (libc6-dev-powerpc-cross) with gcc-powerpc-linux-gnu.
#
# The tarball is unpacked once into ${XDG_CACHE_HOME:-~/.cache}/hypervisor-lab/
# and never written to (the kernel is built out of tree with O=). The object
# directory next to it is reused, so changing only init relinks the kernel.
# LAB_LINUX_FRESH=1 builds in a new, temporary object directory instead (a
# full build, about 10 minutes on 2 cores; `build-guests.mjs --check` does so).
#
# Reproducible: fixed KBUILD_BUILD_{TIMESTAMP,USER,HOST,VERSION}, no embedded
# .config, no build id in init, initramfs entries with fixed mtimes.
cd "$(dirname "$0")"
. ../common/build-lib.sh
HERE=$PWD
OUT=${1:-.}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

TARBALL=${LAB_LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
KVER=6.1
ARCH_ARGS=(ARCH=powerpc CROSS_COMPILE="$CROSS")
JOBS=$(nproc 2>/dev/null || echo 2)
VARIANT=${LAB_LINUX_VARIANT:-}
case "$VARIANT" in
	"") SUFFIX="" ;;
	smp) SUFFIX="-smp" ;;
	*) echo "linux: unknown LAB_LINUX_VARIANT '$VARIANT' (known: smp)" >&2; exit 1 ;;
esac

die() { echo "linux: $*" >&2; exit 1; }
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }

# --- 0. Prerequisites --------------------------------------------------------
lab_have_toolchain || die "${CROSS}gcc not found (apt-get install gcc-powerpc-linux-gnu)"
[ -r "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-$KVER)"
for tool in make bc bison flex cpio gzip xz perl; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (apt-get install bc bison flex libssl-dev libelf-dev cpio)"
done
[ -e "$("${CROSS}gcc" -print-file-name=libc.a)" ] && [ "$("${CROSS}gcc" -print-file-name=libc.a)" != libc.a ] ||
	die "static cross glibc not found (apt-get install libc6-dev-powerpc-cross)"

# The kernel's build date: the date of the Debian upload (its changelog
# trailer), falling back to the tarball's Makefile mtime (the same instant).
CHANGELOG=/usr/share/doc/linux-source-$KVER/changelog.Debian.gz
STAMP_DATE=""
if [ -r "$CHANGELOG" ]; then
	STAMP_DATE=$(gzip -dc "$CHANGELOG" | sed -n '/^ -- .*>  /{s/^ -- .*>  //p;q}') || true
fi

BUILD=$(mktemp -d)
OBJ_TMP=""
cleanup() { rm -rf "$BUILD"; [ -z "$OBJ_TMP" ] || rm -rf "$OBJ_TMP"; }
trap cleanup EXIT

# --- 1. /init ---------------------------------------------------------------
INIT_FLAGS=(-mcpu=e500mc -O2 -static -Wall -Wextra -Wno-unused-parameter -fno-ident
	-fno-asynchronous-unwind-tables -ffile-prefix-map="$HERE"=linux
	-Wl,--build-id=none -Wl,--hash-style=gnu)
"${CROSS}gcc" "${INIT_FLAGS[@]}" -o "$BUILD/init" init/*.c
"${CROSS}strip" --strip-all -R .comment -R .note.gnu.build-id "$BUILD/init"

# --- 2. Pristine source in the cache ----------------------------------------
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/hypervisor-lab
SRC=$CACHE/linux-source-$KVER
SRC_ID="$(pkgver linux-source-$KVER) $(stat -c '%s %Y' "$TARBALL")"
mkdir -p "$CACHE"
# One build at a time per cache: two makes in one object directory corrupt it.
exec 9> "$CACHE/linux-$KVER.lock"
if ! flock -n 9; then
	echo "linux: another build holds $CACHE/linux-$KVER.lock; waiting" >&2
	flock 9
fi
if [ ! -f "$SRC.unpacked" ] || [ "$(cat "$SRC.unpacked")" != "$SRC_ID" ] || [ ! -f "$SRC/Makefile" ] ||
	[ -e "$SRC/.config" ] || [ -e "$SRC/include/config" ]; then
	echo "linux: unpacking $TARBALL into $CACHE"
	rm -rf "$SRC" "$SRC.unpacked" "$SRC.partial"
	mkdir -p "$SRC.partial"
	tar -xJf "$TARBALL" -C "$SRC.partial"
	[ -f "$SRC.partial/linux-source-$KVER/Makefile" ] || die "unexpected layout in $TARBALL"
	mv "$SRC.partial/linux-source-$KVER" "$SRC"
	rmdir "$SRC.partial"
	echo "$SRC_ID" > "$SRC.unpacked"
fi
if [ -z "$STAMP_DATE" ]; then
	STAMP_DATE=$(date -u -d "@$(stat -c %Y "$SRC/Makefile")" -R)
fi
export KBUILD_BUILD_TIMESTAMP
KBUILD_BUILD_TIMESTAMP=$(date -u -d "$STAMP_DATE" '+%a %b %e %H:%M:%S UTC %Y') ||
	die "cannot parse the build date '$STAMP_DATE'"
STAMP_EPOCH=$(date -u -d "$STAMP_DATE" +%s)
export KBUILD_BUILD_USER=lab KBUILD_BUILD_HOST=hypervisor-lab KBUILD_BUILD_VERSION=1
export SOURCE_DATE_EPOCH=$STAMP_EPOCH

# --- 3. Configuration --------------------------------------------------------
if [ "${LAB_LINUX_FRESH:-0}" = 1 ]; then
	OBJ_TMP=$(mktemp -d "$CACHE/linux-$KVER-fresh.XXXXXX")
	OBJ=$OBJ_TMP
else
	OBJ=$CACHE/linux-$KVER$SUFFIX-obj
fi
CFG=$BUILD/config
mkdir -p "$OBJ" "$CFG"
# The configuration fragment: lab.config, with a variant's own lines in place
# of lab.config's lines for the same options.
FRAGMENT=$BUILD/fragment.config
if [ -n "$VARIANT" ]; then
	opts=$(grep -o 'CONFIG_[A-Z0-9_]*' "$VARIANT.config" | sort -u)
	grep -v -w -F "$opts" lab.config > "$FRAGMENT"
	cat "$VARIANT.config" >> "$FRAGMENT"
else
	cp lab.config "$FRAGMENT"
fi
kmake() { make -s -C "$SRC" "${ARCH_ARGS[@]}" "$@"; }
kmake O="$CFG" corenet32_smp_defconfig >/dev/null
cat "$FRAGMENT" >> "$CFG/.config"
kmake O="$CFG" olddefconfig >"$BUILD/olddefconfig.log" 2>&1 ||
	{ cat "$BUILD/olddefconfig.log" >&2; die "make olddefconfig failed"; }
bad=0
while IFS= read -r line; do
	case "$line" in
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$CFG/.config"; then
			echo "linux: the configuration asks '$line' but the final .config has '$(grep "^$opt=" "$CFG/.config")'" >&2
			bad=1
		fi ;;
	CONFIG_*=*)
		opt=${line%%=*}
		if ! grep -qxF "$line" "$CFG/.config"; then
			have=$(grep "^$opt=" "$CFG/.config" || true)
			echo "linux: the configuration asks '$line' but the final .config has '${have:-# $opt is not set}'" >&2
			bad=1
		fi ;;
	esac
done < "$FRAGMENT"
[ "$bad" = 0 ] || die "the configuration does not hold (another option selects or hides the ones named above)"
# Only replace the object directory's .config when it changed, so an
# unchanged configuration does not rebuild anything.
cmp -s "$CFG/.config" "$OBJ/.config" || cp "$CFG/.config" "$OBJ/.config"

# --- 4. The initramfs list and its /init ---------------------------------------
# Regular files keep their own mtime in the cpio archive: fix it. A changed
# init with the same mtime would not look newer to make, so drop the archive.
if ! cmp -s "$BUILD/init" "$OBJ/lab-init"; then
	cp "$BUILD/init" "$OBJ/lab-init"
	rm -f "$OBJ/usr/initramfs_data.cpio"
fi
touch -d "@$STAMP_EPOCH" "$OBJ/lab-init"
cat > "$BUILD/lab-initramfs.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $OBJ/lab-init 0755 0 0
EOF
cmp -s "$BUILD/lab-initramfs.list" "$OBJ/lab-initramfs.list" || cp "$BUILD/lab-initramfs.list" "$OBJ/lab-initramfs.list"

# --- 5. The kernel -----------------------------------------------------------
echo "linux: building vmlinux in $OBJ (make -j$JOBS; a full build takes about 10 minutes)"
kmake O="$OBJ" -j"$JOBS" vmlinux
RELEASE=$(kmake O="$OBJ" kernelrelease)
"${CROSS}strip" --strip-all -o "$BUILD/vmlinux" "$OBJ/vmlinux"

# --- 6. Outputs ----------------------------------------------------------------
gzip -9n < "$BUILD/vmlinux" > "$BUILD/vmlinux.gz"
{
	echo "# Hypervisor Lab Linux guest: the inputs of vmlinux$SUFFIX.gz (see README.md)."
	echo "package linux-source-$KVER $(pkgver linux-source-$KVER)"
	echo "package gcc-powerpc-linux-gnu $(pkgver gcc-powerpc-linux-gnu)"
	echo "package cpp-12-powerpc-linux-gnu $(pkgver cpp-12-powerpc-linux-gnu)"
	echo "package gcc-12-powerpc-linux-gnu $(pkgver gcc-12-powerpc-linux-gnu)"
	echo "package libc6-dev-powerpc-cross $(pkgver libc6-dev-powerpc-cross)"
	echo "package binutils-powerpc-linux-gnu $(pkgver binutils-powerpc-linux-gnu)"
	echo "compiler $("${CROSS}gcc" --version | head -n 1)"
	echo "kernel $RELEASE"
	if [ -n "$VARIANT" ]; then
		echo "config corenet32_smp_defconfig + lab.config + $VARIANT.config sha256 $(sha256sum < "$FRAGMENT" | cut -d' ' -f1)"
	else
		echo "config corenet32_smp_defconfig + lab.config sha256 $(sha256sum < lab.config | cut -d' ' -f1)"
	fi
	echo "build-timestamp $KBUILD_BUILD_TIMESTAMP"
	echo "init-sha256 $(sha256sum < "$BUILD/init" | cut -d' ' -f1)"
	echo "vmlinux-sha256 $(sha256sum < "$BUILD/vmlinux" | cut -d' ' -f1)"
} > "$BUILD/SOURCE"
cp "$BUILD/vmlinux.gz" "$OUT/vmlinux$SUFFIX.gz"
cp "$BUILD/SOURCE" "$OUT/SOURCE$SUFFIX"
cp "$BUILD/init" "$OUT/init.elf"
echo "linux: $RELEASE: $OUT/vmlinux$SUFFIX.gz ($(stat -c %s "$OUT/vmlinux$SUFFIX.gz") bytes)"

# --- 7. Variants -----------------------------------------------------------------
if [ -z "$VARIANT" ]; then
	exec 9>&- # release the cache's lock: each variant's build takes it in turn
	for v in ${LAB_LINUX_VARIANTS-smp}; do
		LAB_LINUX_VARIANT=$v bash "$HERE/build.sh" "$OUT" || die "the $v variant failed"
	done
fi
