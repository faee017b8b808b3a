#!/bin/sh
# qemu-boot.sh - boot images/linux/bzImage with initramfs.cpio under QEMU and
# print COM1 on stdout (the reference for kjump run --bare). /init prints its
# lines and restarts the machine; -no-reboot turns the restart into QEMU's exit.
#
#   images/linux/qemu-boot.sh [EXTRA QEMU OPTIONS...]
#
# Environment: APPEND (the kernel command line, default "console=ttyS0 no387"),
# CPU (QEMU's -cpu, default pentium2,-apic: kjump's CPU has no local APIC), MEM (-m, default 128), KERNEL, INITRD.
# -icount shift=0,sleep=off makes time a function of the instruction count
# (1 ns per instruction), so the boot is the same run to run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec qemu-system-i386 -cpu "${CPU:-pentium2,-apic}" -m "${MEM:-128}" \
  -display none -monitor none -serial stdio -no-reboot \
  -icount shift=0,sleep=off \
  -kernel "${KERNEL:-$here/bzImage}" -initrd "${INITRD:-$here/initramfs.cpio}" \
  -append "${APPEND:-console=ttyS0 no387}" "$@"
