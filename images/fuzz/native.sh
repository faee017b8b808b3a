#!/bin/sh
# native.sh [OUT] - developer tool: build tests/cpufuzz.c + tests/cpufuzz_blocks.S
# as a static i386 Linux program (fuzz/native.c replaces the UART) and run it
# on the host CPU; stdout = the same transcript the image prints on COM1.
# Compare with expected/cpufuzz-O2.txt to check the blocks against hardware.
# Run from images/.
set -e
out=${1:-/tmp/cpufuzz-native}
gcc -m32 -march=i686 -std=gnu11 -ffreestanding -fno-builtin -fno-pic -fno-pie -static \
    -fno-stack-protector -nostdlib -O2 -Iruntime -Wall \
    -o "$out" fuzz/native.c tests/cpufuzz.c tests/cpufuzz_blocks.S \
    runtime/printf.c runtime/string.c runtime/libgcc64.c
exec "$out"
