#!/bin/sh
# qemu-count.sh - count the instructions QEMU executes booting bzImage to /init:
# from the 32-bit entry (0x100000, where QEMU's real-mode setup jumps), from the
# kernel's startup_32 (0x1000000) and from start_kernel to /init's _start.
# QEMU runs with -singlestep -d exec,nochain: one log line per instruction
# executed (a REP iteration counts as one, an instruction that faults is counted
# again when it is restarted), read through a FIFO. Takes 1-2 minutes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
start_kernel=$(awk '$3 == "start_kernel" { print $1 }' "$here/System.map")
init_start=$(nm "$here/init" | awk '$3 == "_start" { print $1 }')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/log"
qemu-system-i386 -cpu "${CPU:-pentium2,-apic}" -m 128 -display none -monitor none -serial null -no-reboot \
  -icount shift=0,sleep=off -singlestep -d exec,nochain -D "$tmp/log" \
  -kernel "$here/bzImage" -initrd "$here/initramfs.cpio" -append "${APPEND:-console=ttyS0 no387}" 2>/dev/null &
qemu=$!
awk -F'[/[]' -v sk="$start_kernel" -v init="$init_start" '{ n++ }
  !a && $3 == "00100000" { a = n }
  !b && $3 == "01000000" { b = n }
  !c && $3 == sk { c = n }
  $3 == init { printf "instructions to /init: %d from the 32-bit entry, %d from startup_32, %d from start_kernel" \
               " (%d before the 32-bit entry: firmware and setup code)\n", n - a, n - b, n - c, a; exit }' "$tmp/log"
kill "$qemu" 2>/dev/null || true
wait "$qemu" 2>/dev/null || true
