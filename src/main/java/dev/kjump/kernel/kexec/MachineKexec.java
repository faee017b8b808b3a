package dev.kjump.kernel.kexec;

import dev.kjump.kernel.KernelLog;
import dev.kjump.kernel.mm.KernelMemory;
import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.Machine;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * arch/x86/kernel/machine_kexec_32.c and relocate_kernel_32.S of the seed: {@code machine_kexec} copies
 * {@code relocate_page} into the control page, sets {@code KJUMP_MAGIC} and saves the CPU with
 * {@code kexec_jump_save_cpu} when preserving context, fills {@code page_list}, and runs
 * {@code relocate_kernel}: paging off, {@code swap_pages}, the stack at the top of the swap page, and the call
 * into the image. The way back ({@code kexec_jump_back_entry}, reached directly by a v8 callee with its re-entry
 * point in %edi, or through the helper entry: a returning C callee, or a merged-protocol peer that calls it with
 * its re-entry point at 0(%esp)) stores the callee's re-entry point in
 * {@code KJUMP_ENTRY}, swaps the pages back, turns paging on and restores the saved registers.
 *
 * <p>kjump goes beyond the seed on the way back: a callee that triple-faults, halts or runs out of time is
 * stopped and the kernel takes the same way back (crash containment); a control page or indirection list the
 * callee damaged is noticed, and the kernel's own copy of the list is used to swap back.
 */
public final class MachineKexec {
    /** How a jump ended. */
    public enum Kind {
        /** The callee came back through the jump-back entry. */
        JUMPED_BACK,
        /** The callee faulted (triple fault), halted or wrote the debug-exit port; the kernel took over. */
        CRASHED,
        /** The callee ran past its time or instruction limit; the kernel took over. */
        TIMED_OUT,
        /** The host interrupted the callee (Ctrl-C, a debugger's kill); the kernel took over. */
        INTERRUPTED,
        /** No preserve_context: the machine now belongs to the image and the kernel is gone. */
        HANDED_OVER
    }

    /**
     * What machine_kexec did.
     *
     * @param kind how it ended
     * @param stop the machine's stop reason when the callee stopped running
     * @param calleeInstructions instructions the callee executed
     * @param calleeNanos wall time the callee ran
     * @param pagesSwapped pages swapped on the way in (the same number are swapped back)
     * @param swapInNanos time of swap_pages on the way in
     * @param swapBackNanos time of swap_pages on the way back
     * @param reentry the callee's re-entry point (its %edi at the jump back), or 0
     * @param returned true when the callee returned like a C function (through the helper entry)
     * @param eax the callee's %eax at the jump back: a returning callee's return value
     * @param problems what the kernel noticed and repaired on the way back (damaged control page, list)
     * @param swapInAt when the swap in started, in nanoseconds after machine_kexec started
     * @param calleeAt when the callee started running, likewise
     * @param swapBackAt when the swap back started, likewise (0 when there was none)
     * @param merged true when the callee came back through the merged protocol's door (the helper entry, called
     *     with its re-entry point at 0(%esp) from outside this image's stack): a peer kernel of 2.6.27 or later
     */
    public record Outcome(Kind kind, StopReason stop, long calleeInstructions, long calleeNanos, int pagesSwapped,
                          long swapInNanos, long swapBackNanos, int reentry, boolean returned, int eax,
                          List<String> problems, long swapInAt, long calleeAt, long swapBackAt, boolean merged) {
    }

    /** Callbacks around the callee's run, for the integrity proof. */
    public interface Hooks {
        /** No callbacks. */
        Hooks NONE = new Hooks() {
            @Override
            public void beforeSwapIn() {
            }

            @Override
            public void afterSwapBack() {
            }
        };

        /** Right before the pages are swapped in (paging still on, the kernel's memory as it was). */
        void beforeSwapIn();

        /** Right after the pages are swapped back, before paging is turned on again. */
        void afterSwapBack();
    }

    /** Limits on one callee run. */
    public record Limits(long maxInstructions, long timeoutNanos) {
    }

    private final Machine machine;
    private final KernelMemory km;
    private final KernelLog log;
    private final int pgdPhys;

    /** @param pgdPhys the physical address of the kernel's page directory */
    public MachineKexec(Machine machine, KernelMemory km, KernelLog log, int pgdPhys) {
        this.machine = machine;
        this.km = km;
        this.log = log;
        this.pgdPhys = pgdPhys;
    }

    /** {@code machine_kexec_prepare}: nothing to do (no NX on kjump's non-PAE i386). */
    public int machineKexecPrepare(Kimage image) {
        return 0;
    }

    /** {@code machine_kexec_cleanup}: nothing to undo. */
    public void machineKexecCleanup(Kimage image) {
    }

    /**
     * {@code machine_kexec(image)}. With preserve_context, returns when the callee has jumped back (or was
     * stopped) and everything is restored, with {@code image->start} set to the callee's re-entry point.
     * Without it, runs the image until it stops and returns {@link Kind#HANDED_OVER}: the kernel is gone.
     */
    public Outcome machineKexec(Kimage image, Limits limits, Hooks hooks) {
        long m0 = System.nanoTime();
        Cpu cpu = machine.cpu();
        PhysicalMemory mem = machine.memory();
        int cpPhys = image.controlPage();
        int cpVa = KernelMemory.va(cpPhys);
        boolean preserve = image.preserveContext();

        // memcpy(control_page, relocate_page, PAGE_SIZE/2); KJUMP_MAGIC(control_page) = 0
        byte[] code = ControlPage.code();
        km.write(cpVa, code, 0, code.length);
        km.write32(cpVa + ControlPage.KJUMP_MAGIC_OFF, 0);
        CpuState kernelCpu = cpu.saveState();
        if (preserve) {
            km.write32(cpVa + ControlPage.KJUMP_MAGIC_OFF, ControlPage.KJUMP_MAGIC_NUMBER);
            kexecJumpSaveCpu(cpVa, kernelCpu);
        }
        int[] pageList = new int[ControlPage.PAGES_NR];
        pageList[ControlPage.PA_CONTROL_PAGE] = cpPhys;
        pageList[ControlPage.VA_CONTROL_PAGE] = cpVa;
        pageList[ControlPage.PA_PGD] = pgdPhys;
        pageList[ControlPage.VA_PGD] = KernelMemory.va(pgdPhys);
        pageList[ControlPage.PA_SWAP_PAGE] = image.swapPage();

        // relocate_kernel: save what the way back needs, in the control page
        int head = image.head();
        km.write32(cpVa + ControlPage.CP_VA_CONTROL_PAGE, cpVa);
        km.write32(cpVa + ControlPage.CP_PA_PGD, pageList[ControlPage.PA_PGD]);
        km.write32(cpVa + ControlPage.CP_PA_SWAP_PAGE, pageList[ControlPage.PA_SWAP_PAGE]);
        km.write32(cpVa + ControlPage.CP_PA_BACKUP_PAGES_MAP, head);
        // the kernel's own copy of the list, to swap back even if the callee damages the one in memory
        List<long[]> pairs = image.pagePairs();
        List<Integer> listPages = image.indirectionPages();
        long[] listPrints = new long[listPages.size()];
        for (int i = 0; i < listPrints.length; i++) {
            listPrints[i] = mem.pageFingerprint(listPages.get(i));
        }
        int start = image.start();
        int swapPhys = image.swapPage();

        hooks.beforeSwapIn();
        // identity_mapped: paging off, CR4 cleared, swap_pages
        cpu.restoreState(enterState(kernelCpu, new int[8], 0, 0, 0));
        long t0 = System.nanoTime();
        int swapped = SwapPages.swap(mem, head, swapPhys);
        long t1 = System.nanoTime();
        log.printk("kexec: swapped %d page(s) in (%d KiB) in %.3f ms", swapped, swapped * 4, (t1 - t0) / 1e6);

        int[] regs = new int[8];
        if (preserve) {
            // popl %edx; esp = swap page top; pushl %edx; call *%edx
            int sp = swapPhys + PhysicalMemory.PAGE_SIZE - 4;
            mem.write32(sp, start);
            regs[Cpu.EAX] = ControlPage.KJUMP_MAGIC_NUMBER;
            regs[Cpu.EDX] = start;
            regs[Cpu.EBX] = head;
            regs[Cpu.EDI] = cpPhys;
            regs[Cpu.ESP] = sp;
            CpuState entry = enterState(kernelCpu, regs, cpPhys + ControlPage.CALL_CALLEE, 0, 0);
            if (image.peerGdt() != 0) {
                entry = withGdt(entry, PEER_PAGE_OFFSET + image.peerGdt(), PeerGdt.LIMIT);
            }
            cpu.restoreState(entry);
            cpu.setHostEntries(cpPhys + ControlPage.JUMP_BACK_ENTRY);
        } else {
            // every register zeroed, entered by ret with the stack at the end of the control page
            regs[Cpu.ESP] = cpPhys + PhysicalMemory.PAGE_SIZE;
            cpu.restoreState(enterState(kernelCpu, regs, start, 0, 0));
            cpu.setHostEntries();
        }
        long i0 = cpu.instructions();
        long c0 = System.nanoTime();
        StopReason stop = machine.run(limits.maxInstructions(), limits.timeoutNanos());
        long c1 = System.nanoTime();
        long calleeInstructions = cpu.instructions() - i0;
        cpu.setHostEntries();
        if (!preserve) {
            log.printk("kexec: the image stopped: %s", stop.message());
            return new Outcome(Kind.HANDED_OVER, stop, calleeInstructions, c1 - c0, swapped, t1 - t0, 0, 0, false,
                    cpu.reg(Cpu.EAX), List.of(), t0 - m0, c0 - m0, 0, false);
        }
        boolean jumpedBack = stop.kind() == StopReason.Kind.HOST_ENTRY
                && stop.physAddress() == (cpPhys & 0xFFFFFFFFL) + ControlPage.JUMP_BACK_ENTRY;
        Kind kind = jumpedBack ? Kind.JUMPED_BACK
                : (stop.kind() == StopReason.Kind.TIMEOUT || stop.kind() == StopReason.Kind.BUDGET) ? Kind.TIMED_OUT
                : stop.kind() == StopReason.Kind.INTERRUPTED ? Kind.INTERRUPTED
                : Kind.CRASHED;
        int reentry = 0;
        int eax = cpu.reg(Cpu.EAX);
        int esp = cpu.reg(Cpu.ESP);
        // through the helper entry (the merged door), whose call left (%esp) = HELPER_RETURN: a C callee that
        // returned is back on this image's stack (swap page top - 4); a merged peer called in from its own
        boolean viaHelper = jumpedBack && mem.inRam(esp) && mem.inRam(esp + 3)
                && mem.read32(esp) == cpPhys + ControlPage.HELPER_RETURN;
        boolean returned = viaHelper && esp == swapPhys + PhysicalMemory.PAGE_SIZE - 4;
        boolean merged = viaHelper && !returned;
        if (merged) {
            // before the swap back, while the peer's memory is in place: where its GDT is, for the re-entry
            image.setPeerGdt(PeerGdt.find(mem, pairs));
        }
        if (jumpedBack) {
            // kexec_jump_back_entry: movl %edi, KJUMP_ENTRY
            reentry = cpu.reg(Cpu.EDI);
            mem.write32(cpPhys + ControlPage.KJUMP_ENTRY_OFF, reentry);
        } else {
            log.printk("kexec: the callee did not come back (%s at eip %08x); taking the machine back",
                    stop.message(), stop.eip());
        }
        // the way back: the saved fields, checked against what the kernel knows
        List<String> problems = new ArrayList<>();
        int cpHead = mem.read32(cpPhys + ControlPage.CP_PA_BACKUP_PAGES_MAP);
        int cpSwap = mem.read32(cpPhys + ControlPage.CP_PA_SWAP_PAGE);
        int cpPgd = mem.read32(cpPhys + ControlPage.CP_PA_PGD);
        if (cpHead != head || cpSwap != swapPhys || cpPgd != pgdPhys) {
            problems.add("the callee overwrote the control page's saved fields; the kernel used its own copy");
        }
        boolean listIntact = true;
        for (int i = 0; i < listPrints.length; i++) {
            if (mem.pageFingerprint(listPages.get(i)) != listPrints[i]) {
                listIntact = false;
            }
        }
        long b0 = System.nanoTime();
        int back;
        if (listIntact) {
            back = SwapPages.swap(mem, head, swapPhys);
        } else {
            problems.add("the callee overwrote the indirection list; the kernel swapped back from its own copy");
            back = SwapPages.swap(mem, pairs, swapPhys);
        }
        long b1 = System.nanoTime();
        for (String p : problems) {
            log.printk("kexec: %s", p);
        }
        log.printk("kexec: swapped %d page(s) back in %.3f ms", back, (b1 - b0) / 1e6);
        hooks.afterSwapBack();

        // paging on with CP_PA_PGD, then virtual_mapped: restore the registers kexec_jump_save_cpu saved
        int[] saved = new int[10];
        int[] offs = {ControlPage.EBX, ControlPage.ESI, ControlPage.EDI, ControlPage.EBP, ControlPage.ESP,
            ControlPage.CR0, ControlPage.CR3, ControlPage.CR4, ControlPage.FLAG, ControlPage.RET};
        for (int i = 0; i < offs.length; i++) {
            saved[i] = mem.read32(cpPhys + offs[i]);
        }
        int[] expect = {kernelCpu.reg(Cpu.EBX), kernelCpu.reg(Cpu.ESI), kernelCpu.reg(Cpu.EDI), kernelCpu.reg(Cpu.EBP),
            kernelCpu.reg(Cpu.ESP), kernelCpu.cr0(), kernelCpu.cr3(), kernelCpu.cr4(), kernelCpu.eflags(), kernelCpu.eip()};
        if (!java.util.Arrays.equals(saved, expect)) {
            problems.add("the callee overwrote the CPU state saved in the control page; the kernel restored its own copy");
            log.printk("kexec: %s", problems.get(problems.size() - 1));
            saved = expect;
        }
        cpu.restoreState(new CpuState(new int[] {1, 0, 0, saved[0], saved[4], saved[3], saved[1], saved[2]}, saved[9],
                saved[8], kernelCpu.segSelectors(), kernelCpu.segBases(), saved[5], cpu.saveState().cr2(), saved[6],
                saved[7], 0, 0, 0, 0));
        if (jumpedBack) {
            // kexec_jump_save_cpu "returned" 1: image->start = KJUMP_ENTRY(control_page)
            image.setStart(km.read32(cpVa + ControlPage.KJUMP_ENTRY_OFF));
        }
        return new Outcome(kind, stop, calleeInstructions, c1 - c0, swapped, t1 - t0, b1 - b0, reentry, returned, eax,
                List.copyOf(problems), t0 - m0, c0 - m0, b0 - m0, merged);
    }

    /** Where a Linux peer's direct mapping of physical memory starts (i386 {@code PAGE_OFFSET}). */
    private static final int PEER_PAGE_OFFSET = 0xC0000000;

    private static CpuState withGdt(CpuState s, int base, int limit) {
        return new CpuState(s.regs(), s.eip(), s.eflags(), s.segSelectors(), s.segBases(), s.cr0(), s.cr2(), s.cr3(),
                s.cr4(), base, limit, s.idtBase(), s.idtLimit(), s.segLimits(), s.segAttributes());
    }

    /** {@code kexec_jump_save_cpu}: EBX ESI EDI EBP ESP CR0 CR3 CR4 EFLAGS RET into the data area. */
    private void kexecJumpSaveCpu(int cpVa, CpuState s) {
        km.write32(cpVa + ControlPage.EBX, s.reg(Cpu.EBX));
        km.write32(cpVa + ControlPage.ESI, s.reg(Cpu.ESI));
        km.write32(cpVa + ControlPage.EDI, s.reg(Cpu.EDI));
        km.write32(cpVa + ControlPage.EBP, s.reg(Cpu.EBP));
        km.write32(cpVa + ControlPage.ESP, s.reg(Cpu.ESP));
        km.write32(cpVa + ControlPage.CR0, s.cr0());
        km.write32(cpVa + ControlPage.CR3, s.cr3());
        km.write32(cpVa + ControlPage.CR4, s.cr4());
        km.write32(cpVa + ControlPage.FLAG, s.eflags());
        km.write32(cpVa + ControlPage.RET, s.eip());
    }

    /**
     * The CPU state relocate_kernel leaves for the callee: paging, WP, TS, EM and AM off (PE on), CR3 and CR4
     * zero, EFLAGS 0, GDT and IDT limits zero (set_gdt/set_idt(0, 0)) with the kernel's flat segments still
     * loaded.
     */
    private static CpuState enterState(CpuState kernel, int[] regs, int eip, int gdtLimit, int idtLimit) {
        int cr0 = (kernel.cr0() & ~(Cpu.CR0_PG | Cpu.CR0_WP | 0x8 | 0x4 | 0x40000)) | Cpu.CR0_PE;
        return new CpuState(regs, eip, 0x2, kernel.segSelectors(), new int[6], cr0, kernel.cr2(), 0, 0, 0, gdtLimit, 0,
                idtLimit);
    }
}
