package dev.kjump.image;

import dev.kjump.machine.Cpu;
import dev.kjump.machine.CpuState;
import dev.kjump.machine.Machine;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.StopReason;

/**
 * Runs a jump-back image straight on a bare machine, in the state the jump-back protocol 1.00 hands over,
 * without a kernel around it (the entry contract of {@code kjump run} until the kernel's kexec path drives
 * it). The layout copies the seed's {@code relocate_kernel}: a control page whose first byte is the real
 * jump-back entry, a swap page whose top holds the stack, and the callee entered by a call with
 * {@code (%esp)} = the helper entry, {@code 4(%esp)} = the address entered, {@code %esp} = swap page top - 8,
 * {@code %edi} = the control page (the real jump-back entry). Both entries are host entries: reaching either
 * means the image came back.
 */
public final class DirectRun {
    /** Offset of the helper entry in the control page (the seed's {@code kexec_jump_back_entry} is at 0). */
    public static final int HELPER_OFFSET = 0x10;

    /** How a run ended. */
    public enum Outcome {
        /** The callee returned like a C function (reached the helper entry). */
        RETURNED,
        /** The callee jumped to {@code %edi} like a kernel, handing over its re-entry point. */
        JUMPED_BACK,
        /** Anything else: fault, HLT, debug exit, timeout, budget. */
        STOPPED
    }

    /**
     * The result of a run.
     *
     * @param outcome how it ended
     * @param stop the machine's stop reason
     * @param returnValue EAX at the return
     * @param reentry for {@link Outcome#JUMPED_BACK}, the callee's re-entry point (its {@code %edi})
     * @param entryState the CPU state the callee was entered with
     * @param exitState the CPU state at the stop
     * @param controlPage physical address of the control page
     * @param swapPage physical address of the swap (stack) page
     * @param instructions instructions executed by the callee
     */
    public record Result(Outcome outcome, StopReason stop, int returnValue, int reentry, CpuState entryState,
                         CpuState exitState, int controlPage, int swapPage, long instructions) {
        /** True when the image came back, by return or by jump. */
        public boolean cameBack() {
            return outcome != Outcome.STOPPED;
        }

        /**
         * The callee-saved registers the jump-back protocol says survive a return ({@code %ebx %esi %edi %ebp}
         * and {@code %esp} + 4), as a list of problems; empty when all held or when the callee jumped back.
         */
        public java.util.List<String> protocolViolations() {
            java.util.List<String> out = new java.util.ArrayList<>();
            if (outcome != Outcome.RETURNED) {
                return out;
            }
            String[] names = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
            for (int reg : new int[] {Cpu.EBX, Cpu.ESI, Cpu.EDI, Cpu.EBP}) {
                if (entryState.reg(reg) != exitState.reg(reg)) {
                    out.add(String.format("%%%s not preserved: %08x at entry, %08x at return", names[reg],
                            entryState.reg(reg), exitState.reg(reg)));
                }
            }
            if (exitState.reg(Cpu.ESP) != entryState.reg(Cpu.ESP) + 4) {
                out.add(String.format("%%esp at return is %08x, expected %08x", exitState.reg(Cpu.ESP),
                        entryState.reg(Cpu.ESP) + 4));
            }
            return out;
        }
    }

    private DirectRun() {
    }

    /**
     * Loads {@code image}'s segments into {@code machine}'s RAM and runs it once.
     *
     * @throws ImageException when a segment does not fit in RAM, or RAM has no two free pages below 16 MiB
     *     for the control and swap pages
     */
    public static Result run(Machine machine, Image image, long maxInstructions, long timeoutNanos)
            throws ImageException {
        PhysicalMemory mem = machine.memory();
        for (Segment s : image.segments()) {
            if (s.end() > mem.size()) {
                throw new ImageException(image.name(), String.format(
                        "segment %08x-%08x lies outside RAM (%d MiB); give more --mem", s.physAddr(), s.end() - 1,
                        mem.size() >> 20));
            }
        }
        int control = freePage(image, mem, 0x1000);
        int swap = freePage(image, mem, control + PhysicalMemory.PAGE_SIZE);
        for (Segment s : image.segments()) {
            mem.write((int) s.physAddr(), s.data(), 0, s.data().length);
            mem.fill((int) (s.physAddr() + s.data().length), (int) (s.memSize() - s.data().length), 0);
        }
        // The entries hold real code: HLT, so a disassembler (or a stray jump) sees something sane.
        mem.fill(control, PhysicalMemory.PAGE_SIZE, 0xF4);
        int helper = control + HELPER_OFFSET;
        int entry = (int) image.entry();
        int sp = swap + PhysicalMemory.PAGE_SIZE - 8;
        mem.write32(sp, helper);
        mem.write32(sp + 4, entry);

        Cpu cpu = machine.cpu();
        cpu.resetProtectedFlat();
        cpu.setReg(Cpu.ESP, sp);
        cpu.setReg(Cpu.EDI, control);
        cpu.setEip(entry);
        cpu.setHostEntries(control, helper);
        CpuState entryState = cpu.saveState();
        long before = cpu.instructions();
        StopReason stop = machine.run(maxInstructions, timeoutNanos);
        CpuState exitState = cpu.saveState();
        Outcome outcome = Outcome.STOPPED;
        if (stop.kind() == StopReason.Kind.HOST_ENTRY) {
            outcome = stop.physAddress() == helper ? Outcome.RETURNED : Outcome.JUMPED_BACK;
        }
        return new Result(outcome, stop, cpu.reg(Cpu.EAX), cpu.reg(Cpu.EDI), entryState, exitState, control, swap,
                cpu.instructions() - before);
    }

    private static int freePage(Image image, PhysicalMemory mem, int from) throws ImageException {
        for (long p = from; p + PhysicalMemory.PAGE_SIZE <= Math.min(mem.size(), 16L << 20); p += PhysicalMemory.PAGE_SIZE) {
            boolean clash = false;
            for (Segment s : image.segments()) {
                if (p < s.physAddr() + s.memSize() && s.physAddr() < p + PhysicalMemory.PAGE_SIZE) {
                    clash = true;
                    break;
                }
            }
            if (!clash) {
                return (int) p;
            }
        }
        throw new ImageException(image.name(), "no free page below 16 MiB for the control and swap pages");
    }
}
