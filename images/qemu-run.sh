#!/bin/sh
# qemu-run.sh IMAGE.mb.elf [TIMEOUT_SECONDS [MODULE]]
# Runs a multiboot test image under QEMU. stdout = exactly the COM1 bytes.
# Exit status 0 iff the image's kmain() returned 0 (isa-debug-exit value 0,
# which QEMU reports as exit status (0 << 1) | 1 = 1); otherwise non-zero:
# kmain's value for a non-zero return, 124 on timeout, 125 if QEMU exited
# some other way (e.g. triple fault with -no-reboot).
img=$1
tmo=${2:-60}
# optional multiboot module (used by the jump-back harness, see Makefile jbcheck)
mod=${3:+-initrd $3}
if [ -z "$img" ] || [ ! -f "$img" ]; then
    echo "usage: $0 IMAGE.mb.elf [TIMEOUT [MODULE]]" >&2
    exit 2
fi
# ata-* images (or the jump-back harness running one as its module) drive an
# ATA disk: a fresh copy of build/ata-disk.img (made by `make disk`) on the
# primary IDE channel as master, deleted afterwards.
disk=
case "$(basename "$img") $(basename "${3:-none}")" in
    ata-*|*" ata-"*)
        here=$(dirname "$0")
        make -s --no-print-directory -C "$here" BUILD=build disk >&2 || exit 2
        copy=$(mktemp "${TMPDIR:-/tmp}/ata-disk.XXXXXX") || exit 2
        trap 'rm -f "$copy"' EXIT
        cp "$here/build/ata-disk.img" "$copy" || exit 2
        disk="-drive file=$copy,format=raw,if=ide,index=0,media=disk"
        ;;
esac
# opmap-* images (the opcode map, tests/opmap.c) need QEMU to be the CPU kjump is: an i686
# integer CPU without SYSENTER (kjump has no SEP); the default qemu32 model also executes
# SYSENTER/SYSEXIT.  The other images run on the default model.
cpu=
case "$(basename "$img") $(basename "${3:-none}")" in
    opmap-*|*" opmap-"*) cpu="-cpu pentium2,-sep,-fxsr,-mmx" ;;
esac
timeout "$tmo" qemu-system-i386 $cpu -kernel "$img" -display none -serial stdio \
    -monitor none -no-reboot -m 128 \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 $mod $disk </dev/null
rc=$?
case $rc in
    1) exit 0 ;;
    124) echo "qemu-run: timeout after ${tmo}s" >&2; exit 124 ;;
esac
if [ $((rc & 1)) = 1 ]; then
    v=$((rc >> 1))
    echo "qemu-run: kmain returned $v" >&2
    exit "$v"
fi
echo "qemu-run: qemu exited with status $rc (no debug-exit)" >&2
exit 125
