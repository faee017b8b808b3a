package dev.kjump.cli;

import dev.kjump.image.BzImage;
import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.image.Segment;
import dev.kjump.kernel.kexec.ControlPage;
import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.Machine;
import dev.kjump.machine.PhysicalMemory;
import dev.kjump.machine.StopReason;
import java.util.List;

/**
 * Runs an image straight on a bare machine, without a kernel around it: a jump-back image ({@link #run}) or a
 * Linux bzImage ({@link #boot}, the 32-bit boot protocol).
 *
 * <p>{@link #run} enters a jump-back image in the state the jump-back protocol 1.00 hands over
 * ({@code kjump run --bare}, the conformance suite, {@code kjump bench}). It lives in
 * the cli, the one layer that may use both the image and the kernel: it runs the kernel's own control page code
 * ({@link ControlPage}). The CPU executes the {@code call *%edx} into the callee with {@code %esp} at the top of a
 * swap page, so the callee finds {@code (%esp)} = the helper entry, {@code 4(%esp)} = the address entered,
 * {@code %esp} = swap page top - 8 and {@code %edi} = the control page (the real jump-back entry); a callee that
 * returns runs the real helper code, which pops its start into {@code %edi} and calls the real entry. Reaching the real entry (a host entry) means the
 * image came back.
 */
public final class DirectRun {
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
         * The registers the jump-back protocol says survive a return ({@code %ebx %esi %edi %ebp}, and
         * {@code %esp} + 4 at the helper entry), as a list of problems; empty when all held or when the callee
         * jumped back. At the real entry the helper has moved the callee's {@code %edi} to {@code %edx} and its
         * {@code %esp} is 4 above where the callee was entered.
         */
        public java.util.List<String> protocolViolations() {
            java.util.List<String> out = new java.util.ArrayList<>();
            if (outcome != Outcome.RETURNED) {
                return out;
            }
            String[] names = {"ebx", "esi", "ebp", "edi"};
            int[] atEntry = {entryState.reg(Cpu.EBX), entryState.reg(Cpu.ESI), entryState.reg(Cpu.EBP),
                entryState.reg(Cpu.EDI)};
            int[] atReturn = {exitState.reg(Cpu.EBX), exitState.reg(Cpu.ESI), exitState.reg(Cpu.EBP),
                exitState.reg(Cpu.EDX)};
            for (int i = 0; i < names.length; i++) {
                if (atEntry[i] != atReturn[i]) {
                    out.add(String.format("%%%s not preserved: %08x at entry, %08x at return", names[i], atEntry[i],
                            atReturn[i]));
                }
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
        checkFits(mem, image.segments(), image.name());
        int control = freePage(image, mem, 0x1000);
        int swap = freePage(image, mem, control + PhysicalMemory.PAGE_SIZE);
        load(mem, image.segments());
        byte[] code = ControlPage.code();
        mem.write(control, code, 0, code.length);
        int entry = (int) image.entry();
        int sp = swap + PhysicalMemory.PAGE_SIZE - 4;
        mem.write32(sp, entry);

        Cpu cpu = machine.cpu();
        cpu.resetProtectedFlat();
        cpu.setReg(Cpu.ESP, sp);
        cpu.setReg(Cpu.EDI, control);
        cpu.setReg(Cpu.EDX, entry);
        cpu.setEip(control + ControlPage.CALL_CALLEE);
        cpu.setHostEntries(control + ControlPage.JUMP_BACK_ENTRY);
        // the protocol's entry state is the one after the call: run the call itself first
        StopReason first = machine.run(1, timeoutNanos);
        if (first.kind() != StopReason.Kind.BUDGET) {
            return new Result(Outcome.STOPPED, first, cpu.reg(Cpu.EAX), 0, cpu.saveState(), cpu.saveState(), control,
                    swap, 0);
        }
        CpuState entryState = cpu.saveState();
        long before = cpu.instructions();
        StopReason stop = machine.run(maxInstructions, timeoutNanos);
        CpuState exitState = cpu.saveState();
        Outcome outcome = Outcome.STOPPED;
        if (stop.kind() == StopReason.Kind.HOST_ENTRY) {
            // the helper popped the callee's start and called the real entry: (%esp) = HELPER_RETURN, %esp 4
            // above where the callee was entered
            int esp = cpu.reg(Cpu.ESP);
            boolean viaHelper = esp == entryState.reg(Cpu.ESP) + 4 && mem.read32(esp) == control + ControlPage.HELPER_RETURN;
            outcome = viaHelper ? Outcome.RETURNED : Outcome.JUMPED_BACK;
        }
        return new Result(outcome, stop, cpu.reg(Cpu.EAX), cpu.reg(Cpu.EDI), entryState, exitState, control, swap,
                cpu.instructions() - before);
    }

    /**
     * Loads a Linux kernel into {@code machine}'s RAM as {@link BzImage#boot} planned it and enters it per the
     * 32-bit boot protocol ({@code Documentation/x86/boot.rst}): protected mode, paging off, IF=0, a GDT with flat
     * {@code __BOOT_CS} 0x10 and {@code __BOOT_DS} 0x18 loaded and in use, {@code %esi} = the zero page,
     * {@code %ebx} = {@code %ebp} = {@code %edi} = 0 (every other register too), EIP = the 32-bit entry. It runs
     * until the machine stops (a restart, a triple fault, HLT, the budget or the timeout): the outcome is always
     * {@link Outcome#STOPPED}, and there is no control or swap page (0).
     *
     * @param name the kernel's name for messages
     * @throws ImageException when a segment does not fit in RAM
     */
    public static Result boot(Machine machine, BzImage.Boot boot, String name, long maxInstructions,
                              long timeoutNanos) throws ImageException {
        PhysicalMemory mem = machine.memory();
        checkFits(mem, boot.segments(), name);
        load(mem, boot.segments());
        Cpu cpu = machine.cpu();
        cpu.resetProtectedFlat();
        CpuState flat = cpu.saveState();
        cpu.restoreState(new CpuState(flat.regs(), flat.eip(), flat.eflags(), flat.segSelectors(), flat.segBases(),
                flat.cr0(), flat.cr2(), flat.cr3(), flat.cr4(), boot.gdtBase(), boot.gdtLimit(), flat.idtBase(),
                flat.idtLimit(), flat.segLimits(), flat.segAttributes()));
        cpu.setReg(Cpu.ESI, boot.bootParams());
        cpu.setEip(boot.entry());
        CpuState entryState = cpu.saveState();
        long before = cpu.instructions();
        StopReason stop = machine.run(maxInstructions, timeoutNanos);
        return new Result(Outcome.STOPPED, stop, cpu.reg(Cpu.EAX), 0, entryState, cpu.saveState(), 0, 0,
                cpu.instructions() - before);
    }

    private static void checkFits(PhysicalMemory mem, List<Segment> segments, String name) throws ImageException {
        for (Segment s : segments) {
            if (s.end() > mem.size()) {
                throw new ImageException(name, String.format(
                        "segment %08x-%08x lies outside RAM (%d MiB); give more --mem", s.physAddr(), s.end() - 1,
                        mem.size() >> 20));
            }
        }
    }

    private static void load(PhysicalMemory mem, List<Segment> segments) {
        for (Segment s : segments) {
            mem.write((int) s.physAddr(), s.data(), 0, s.data().length);
            mem.fill((int) (s.physAddr() + s.data().length), (int) (s.memSize() - s.data().length), 0);
        }
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
