#!/bin/sh
# build-kernel.sh - build images/linux/bzImage (and System.map) from Debian's
# linux-source-6.1 package, reproducibly.
#
#   images/linux/build-kernel.sh            build with the committed config
#   images/linux/build-kernel.sh --config   regenerate config: tinyconfig + the
#                                           options below, then build
#   images/linux/build-kernel.sh --check    build from scratch in build/obj-check
#                                           and cmp bzImage and System.map with
#                                           the committed ones
#
# Needs: apt-get install linux-source-6.1 flex bison bc libelf-dev lz4 cpio
# (and gcc, make). The source is unpacked once into images/linux/build/
# (git-ignored); the kernel is built out of tree in images/linux/build/obj.
# Takes about 3-6 minutes on 2 cores.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
build=$here/build
src=$build/linux-source-6.1
obj=$build/obj
jobs=${JOBS:-$(nproc)}

# fixed build identity: the version banner and the compressed payload do not
# depend on who builds when
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=kjump
export KBUILD_BUILD_HOST=kjump
export KBUILD_BUILD_VERSION=1
export LC_ALL=C TZ=UTC

mode=build
case "${1:-}" in
  --config) mode=config ;;
  --check) mode=check ;;
  "") ;;
  *) echo "usage: $0 [--config|--check]" >&2; exit 1 ;;
esac

start=$(date +%s)
if [ "$mode" = check ]; then
  obj=$build/obj-check
  rm -rf "$obj"
fi
[ -f "$tarball" ] || { echo "build-kernel.sh: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 1; }
if [ ! -f "$src/Makefile" ]; then
  echo "unpacking $tarball"
  mkdir -p "$build"
  tar -C "$build" -xf "$tarball"
fi
mkdir -p "$obj"
if command -v dpkg-query >/dev/null 2>&1; then
  echo "linux-source-6.1 $(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || echo '?') (the committed bzImage: 6.1.192-3)"
fi

kmake() { make -C "$src" O="$obj" ARCH=i386 "$@"; }

if [ "$mode" = config ]; then
  kmake tinyconfig
  # design.md section 5, plus what issue 11 needs inside the peer
  "$src/scripts/config" --file "$obj/.config" \
    --disable M686 --enable M486SX --enable MODIFY_LDT_SYSCALL --enable MATH_EMULATION \
    --enable PRINTK --enable EARLY_PRINTK --enable TTY \
    --enable SERIAL_8250 --enable SERIAL_8250_CONSOLE \
    --set-val SERIAL_8250_NR_UARTS 4 --set-val SERIAL_8250_RUNTIME_UARTS 4 \
    --enable BLK_DEV_INITRD --enable BINFMT_ELF --disable BINFMT_SCRIPT \
    --enable PROC_FS --enable SYSFS --enable DEVTMPFS \
    --enable BLOCK --enable SWAP --enable PM --enable PM_SLEEP --enable HIBERNATION \
    --enable KEXEC --enable KEXEC_JUMP \
    --enable RELOCATABLE --disable RANDOMIZE_BASE \
    --disable KERNEL_GZIP --disable KERNEL_XZ --enable KERNEL_LZ4 \
    --disable SLOB --enable SLUB \
    --enable FUTEX --enable MULTIUSER \
    --disable SMP --disable PCI --disable ACPI --disable X86_UP_APIC --disable X86_LOCAL_APIC \
    --disable VT --disable VGA_CONSOLE --disable INPUT --disable SERIO --disable UNIX98_PTYS --disable LEGACY_PTYS \
    --disable MODULES --disable PRINTK_TIME
  kmake olddefconfig
  # scripts/config cannot pick choice members reliably: verify the ones that matter
  for opt in M486SX=y MATH_EMULATION=y SERIAL_8250_CONSOLE=y KEXEC_JUMP=y HIBERNATION=y \
             RELOCATABLE=y KERNEL_LZ4=y SLUB=y BLK_DEV_INITRD=y DEVTMPFS=y; do
    grep -qx "CONFIG_$opt" "$obj/.config" || { echo "build-kernel.sh: CONFIG_$opt did not stick" >&2; exit 1; }
  done
  for opt in SMP PCI ACPI X86_LOCAL_APIC RANDOMIZE_BASE SLOB; do
    ! grep -qx "CONFIG_$opt=y" "$obj/.config" || { echo "build-kernel.sh: CONFIG_$opt is on" >&2; exit 1; }
  done
  cp "$obj/.config" "$here/config"
else
  cp "$here/config" "$obj/.config"
  kmake olddefconfig
  cmp -s "$obj/.config" "$here/config" || echo "build-kernel.sh: note: olddefconfig changed the config (different source version?)" >&2
fi

kmake -j"$jobs" bzImage

if [ "$mode" = check ]; then
  status=0
  cmp "$obj/arch/x86/boot/bzImage" "$here/bzImage" || status=1
  cmp "$obj/System.map" "$here/System.map" || status=1
  echo "build-kernel.sh: check $( [ $status = 0 ] && echo OK || echo FAILED ) in $(( $(date +%s) - start )) s"
  exit $status
fi
cp "$obj/arch/x86/boot/bzImage" "$here/bzImage"
cp "$obj/System.map" "$here/System.map"
echo "build-kernel.sh: $(wc -c < "$here/bzImage") byte bzImage in $(( $(date +%s) - start )) s"
