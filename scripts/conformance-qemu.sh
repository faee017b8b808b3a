#!/usr/bin/env bash
# Conformance against a live QEMU: every test program in images/ runs under qemu-system-i386 (its multiboot
# variant) and under kjump (its jump-back ELF32 and ELF64 images, through ./kjump run); all three COM1
# transcripts must be byte-identical to each other and to the committed images/expected/NAME-OPT.txt.
# ata-* programs get a fresh copy of images/build/ata-disk.img (make -C images disk) on each run, as under QEMU.
# Prints one line per program and level, then a count; exits non-zero on any difference.
set -u
cd "$(dirname "$0")/.."
command -v qemu-system-i386 >/dev/null || { echo "conformance: qemu-system-i386 not installed" >&2; exit 2; }
./kjump --version >/dev/null || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for mb in images/elf/*.mb.elf; do
    n=$(basename "$mb" .mb.elf)
    exp=images/expected/$n.txt
    ok=1
    why=""
    if ! images/qemu-run.sh "$mb" 120 >"$tmp/qemu.txt" 2>"$tmp/qemu.err"; then
        ok=0; why="$why qemu-failed($(tr '\n' ' ' <"$tmp/qemu.err"))"
    fi
    if ! cmp -s "$tmp/qemu.txt" "$exp"; then
        ok=0; why="$why qemu!=expected"
    fi
    for img in "images/elf/$n.elf" "images/elf/$n.elf64"; do
        # ata-* programs drive an ATA disk: each run gets a fresh copy of the disk QEMU got
        disk=()
        case "$n" in
            ata-*)
                make -s --no-print-directory -C images BUILD=build disk >&2 && cp images/build/ata-disk.img "$tmp/disk.img" || exit 2
                disk=(--disk "$tmp/disk.img") ;;
        esac
        if ! ./kjump run "$img" ${disk[@]+"${disk[@]}"} --timeout 120 >"$tmp/kjump.txt" 2>"$tmp/kjump.err"; then
            ok=0; why="$why $(basename "$img"):kjump-failed($(tail -n 3 "$tmp/kjump.err" | tr '\n' ' '))"
        fi
        if ! cmp -s "$tmp/kjump.txt" "$tmp/qemu.txt"; then
            ok=0; why="$why $(basename "$img"):kjump!=qemu"
            diff "$tmp/kjump.txt" "$tmp/qemu.txt" | head -n 6 | sed 's/^/    /'
        fi
    done
    if [ "$ok" = 1 ]; then
        pass=$((pass + 1))
        echo "ok    $n (qemu == kjump elf32 == kjump elf64 == expected)"
    else
        fail=$((fail + 1))
        echo "FAIL  $n:$why"
    fi
done
echo "conformance against qemu-system-i386: $pass passed, $fail failed ($((pass * 3)) of $(((pass + fail) * 3)) transcripts matched)"
[ "$fail" = 0 ]
