#!/bin/sh
# linux-qemu.sh - boots the committed Linux (images/linux) under kjump and under a live qemu-system-i386 with the
# same virtual-time rate (1 ns per instruction: --mips 1000, -icount shift=0) and compares the consoles line by
# line. The one line that reports sched_clock's stability figures depends on how each spent its idle time and is
# left out. Exit 0 when they match; prints both transcripts' differences otherwise.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kjump-linux.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
append="console=ttyS0 no387"
start=$(date +%s.%N)
APPEND="$append" "$here/images/linux/qemu-boot.sh" > "$tmp/qemu.txt" 2>/dev/null || true
mid=$(date +%s.%N)
"$here/kjump" run --bare --mips 1000 "$here/images/linux/bzImage" --initrd "$here/images/linux/initramfs.cpio" \
    --append "$append" > "$tmp/kjump.txt" 2> "$tmp/kjump.err"
end=$(date +%s.%N)
grep -v '^sched_clock: Marking stable' "$tmp/qemu.txt" > "$tmp/qemu.cmp"
grep -v '^sched_clock: Marking stable' "$tmp/kjump.txt" > "$tmp/kjump.cmp"
awk -v q="$(awk -v a="$start" -v b="$mid" 'BEGIN { print b - a }')" -v k="$(awk -v a="$mid" -v b="$end" 'BEGIN { print b - a }')" \
    -v n="$(grep 'stopped after' "$tmp/kjump.err" | sed 's/.*stopped after //')" \
    'BEGIN { printf "linux-qemu: qemu %.2f s, kjump %.2f s (whole process); %s\n", q, k, n }' 
if ! grep -q '^init: hello from /init' "$tmp/qemu.txt"; then
    echo "linux-qemu: QEMU did not reach /init" >&2
    exit 1
fi
if diff "$tmp/qemu.cmp" "$tmp/kjump.cmp"; then
    echo "linux-qemu: kjump's console matches QEMU's ($(wc -l < "$tmp/kjump.cmp") lines, to /init and its restart)"
else
    echo "linux-qemu: the consoles differ (< qemu, > kjump)" >&2
    exit 1
fi
