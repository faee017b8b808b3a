#!/usr/bin/env bash
# linux-kexec-tools.sh - Debian's own i386 kexec-tools inside the peer (issue 11): builds the kexec-tools
# initramfs (images/linux/kexec-tools-initramfs.sh: apt-get download, so it needs Debian's archive and root),
# boots it under qemu-system-i386 (no first kernel there: kexec-tools must start and report its version), then
# runs three round trips under kjump, in which the peer's rcS jumps back with
# "kexec --load-jump-back-helper --entry=ADDR" and "kexec -e". Exit 0 when every jump came back with integrity
# held and kexec-tools' lines are on the peer's console; one line naming the cause otherwise.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kjump-kexec-tools.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cpio=$here/images/linux/build/kexec-tools.cpio
append="console=ttyS0 no387"
jumps=3

fail() {
	echo "linux-kexec-tools: $*" >&2
	exit 1
}

"$here/images/linux/kexec-tools-initramfs.sh" "$cpio" 2> "$tmp/build.err" || fail "$(tail -1 "$tmp/build.err")"
grep -E '^kexec-tools-initramfs: (kexec-tools|libc6|busybox-static) ' "$tmp/build.err" | sed 's/^kexec-tools-initramfs: /linux-kexec-tools: package /'

# QEMU: the same bzImage and initramfs; rcS finds no kexec_jump_back_entry= and restarts the machine
INITRD=$cpio APPEND="$append" timeout 120 "$here/images/linux/qemu-boot.sh" > "$tmp/qemu.txt" 2>/dev/null || true
grep -q '^rcS: kexec-tools 2\.' "$tmp/qemu.txt" || fail "under QEMU, kexec --version printed nothing: $(tail -1 "$tmp/qemu.txt")"
echo "linux-kexec-tools: under QEMU: $(grep -m1 '^rcS: kexec-tools' "$tmp/qemu.txt")"

start=$(date +%s%N)
status=0
"$here/kjump" run "$here/images/linux/bzImage" --initrd "$cpio" --append "$append" --jumps $jumps --timeout 300 \
	> "$tmp/kjump.txt" 2> "$tmp/kjump.err" || status=$?
end=$(date +%s%N)
grep -E '^rcS: |^kexec failed' "$tmp/kjump.txt" | sed 's/^/linux-kexec-tools: peer: /'
grep -E '^kjump: (jump [0-9]|bzImage:)' "$tmp/kjump.err" | sed 's/^/linux-kexec-tools: /'
[ "$status" = 0 ] || fail "kjump run exited $status: $(grep -v '^\[' "$tmp/kjump.err" | tail -1)"

grep -q '^rcS: kexec-tools 2\.' "$tmp/kjump.txt" || fail "under kjump, kexec --version printed nothing"
grep -q '^rcS: kexec --load-jump-back-helper --entry=0x[0-9a-f]*: loaded' "$tmp/kjump.txt" \
	|| fail "kexec --load-jump-back-helper did not load: $(grep -m1 'load-jump-back-helper' "$tmp/kjump.txt")"
for i in $(seq 1 $jumps); do
	grep -q "^rcS: kexec -e: jump $i of $jumps back to 0x" "$tmp/kjump.txt" || fail "rcS did not run kexec -e for jump $i"
	grep -q "^kjump: jump $i: the peer .* jumped back .*; integrity held: .*, 0 damaged$" "$tmp/kjump.err" \
		|| fail "jump $i did not come back with integrity held"
	if [ "$i" -lt $jumps ]; then   # after the last jump kjump does not jump in again
		grep -q "^rcS: back from jump $i: kexec -e exited" "$tmp/kjump.txt" || fail "kexec -e did not return after jump $i"
	fi
done
# kexec-tools' own line when reboot(LINUX_REBOOT_CMD_KEXEC) returns (it expects never to come back)
[ "$(grep -c '^kexec failed: ' "$tmp/kjump.txt")" = $((jumps - 1)) ] || fail "kexec -e did not report its $((jumps - 1)) return(s)"
grep -q "^kjump: bzImage: $jumps of $jumps jump(s) came back intact" "$tmp/kjump.err" || fail "the run's summary line is missing"
ms=$(((end - start) / 1000000))
printf 'linux-kexec-tools: Debian'\''s kexec-tools jumped back %d times under kjump, integrity held (%d.%03d s whole process)\n' \
	$jumps $((ms / 1000)) $((ms % 1000))
