package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.image.ElfWriter;
import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.kernel.kexec.ControlPage;
import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The bare entry: the protocol's state at entry, and the check of what a returning callee must preserve. */
class DirectRunTest {
    private static DirectRun.Result run(byte[] code) throws ImageException {
        byte[] elf = ElfWriter.elf(32).entry(0x400000).load(0x400000, code).bytes();
        return DirectRun.run(new Machine(16L << 20, new ByteArrayOutputStream()), Image.parse(elf, "test.elf"), 1000, 0);
    }

    @Test
    void aCalleeIsEnteredAsTheProtocolSaysAndMayReturn() throws ImageException {
        DirectRun.Result r = run(new byte[] {(byte) 0xB8, 0x2A, 0, 0, 0, (byte) 0xC3}); // mov $42,%eax; ret
        assertThat(r.outcome()).isEqualTo(DirectRun.Outcome.RETURNED);
        assertThat(r.returnValue()).isEqualTo(42);
        assertThat(r.protocolViolations()).isEmpty();
        assertThat(r.entryState().eip()).isEqualTo(0x400000);
        assertThat(r.entryState().reg(Cpu.EDI)).isEqualTo(r.controlPage());
        assertThat(r.entryState().reg(Cpu.ESP)).isEqualTo(r.swapPage() + 4096 - 8);
        assertThat(r.entryState().cr0() & Cpu.CR0_PG).isZero();
        assertThat(r.entryState().eflags() & Cpu.IF).isZero();
        assertThat(r.instructions()).isEqualTo(2 + 3); // the callee, then the helper's mov, pop and call
        assertThat(r.exitState().eip()).isEqualTo(r.controlPage() + ControlPage.JUMP_BACK_ENTRY);
    }

    @Test
    void aCalleeThatClobbersACalleeSavedRegisterIsReported() throws ImageException {
        DirectRun.Result r = run(new byte[] {(byte) 0xBB, 1, 0, 0, 0, (byte) 0xC3}); // mov $1,%ebx; ret
        assertThat(r.outcome()).isEqualTo(DirectRun.Outcome.RETURNED);
        assertThat(r.protocolViolations()).singleElement().asString().startsWith("%ebx not preserved");
    }

    @Test
    void aKernelStyleCalleeJumpsBackThroughEdi() throws ImageException {
        // mov %edi,%eax; mov $0x400100,%edi; jmp *%eax
        DirectRun.Result r = run(new byte[] {(byte) 0x89, (byte) 0xF8, (byte) 0xBF, 0x00, 0x01, 0x40, 0x00,
            (byte) 0xFF, (byte) 0xE0});
        assertThat(r.outcome()).isEqualTo(DirectRun.Outcome.JUMPED_BACK);
        assertThat(r.reentry()).isEqualTo(0x400100);
        assertThat(r.protocolViolations()).isEmpty();
    }
}
