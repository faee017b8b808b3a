package dev.kjump.gdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.Machine;
import dev.kjump.machine.StopReason;
import org.junit.jupiter.api.Test;

/** The CPU's debugger breakpoints: stop points that leave guest memory alone. */
class CpuBreakpointTest {
    @Test
    void withoutBreakpointsTheProgramRunsToItsHostEntry() {
        Machine m = Programs.machine();
        StopReason s = m.cpu().run(1000);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        assertThat(m.cpu().reg(Cpu.EAX)).isEqualTo(3);
    }

    @Test
    void stopsBeforeTheInstructionAndStaysUntilPassedOnce() {
        Machine m = Programs.machine();
        Cpu cpu = m.cpu();
        cpu.setBreakpoints(Programs.INC);
        StopReason s = cpu.run(1000);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.BREAKPOINT);
        assertThat(s.eip()).isEqualTo(Programs.INC);
        assertThat(cpu.eip()).isEqualTo(Programs.INC);
        assertThat(cpu.reg(Cpu.EBX)).isZero();
        assertThat(cpu.run(1000).kind()).isEqualTo(StopReason.Kind.BREAKPOINT);
        cpu.passBreakpointOnce();
        assertThat(cpu.run(1000).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        assertThat(cpu.reg(Cpu.EBX)).isEqualTo(1);
        assertThat(m.memory().read8(Programs.INC)).isEqualTo(0x43); // memory untouched
    }

    @Test
    void breakpointsSurviveWritesToTheirPageAndCanBeRemoved() {
        Machine m = Programs.machine();
        Cpu cpu = m.cpu();
        cpu.setBreakpoints(Programs.STORE, Programs.JMP);
        assertThat(cpu.run(1000).eip()).isEqualTo(Programs.STORE);
        m.memory().write8(Programs.PROG + 0x80, 0x90); // drops the page's decodes
        cpu.passBreakpointOnce();
        StopReason s = cpu.run(1000);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.BREAKPOINT);
        assertThat(s.eip()).isEqualTo(Programs.JMP);
        cpu.setBreakpoints();
        assertThat(cpu.breakpoints()).isEmpty();
        assertThat(cpu.run(1000).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void passingOnceAppliesOnlyToTheFirstInstruction() {
        Machine m = Programs.machine();
        Cpu cpu = m.cpu();
        cpu.setBreakpoints(Programs.PROG, Programs.ADD);
        cpu.passBreakpointOnce();
        StopReason s = cpu.run(1000);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.BREAKPOINT);
        assertThat(s.eip()).isEqualTo(Programs.ADD);
    }

    @Test
    void breakpointsAreLinearAddressesUnderPaging() {
        Machine m = Programs.machine();
        Cpu cpu = m.cpu();
        // 4 MiB pages: linear 0-4M and 4M-8M both map physical 0-4M
        m.memory().write32(0x5000, 0x83);
        m.memory().write32(0x5004, 0x83);
        CpuState st = cpu.saveState();
        cpu.restoreState(new CpuState(st.regs(), 0x400000 + Programs.PROG, st.eflags(), st.segSelectors(),
                st.segBases(), st.cr0() | Cpu.CR0_PG, 0, 0x5000, Cpu.CR4_PSE, 0, 0, 0, 0));
        cpu.setBreakpoints(0x400000 + Programs.INC);
        StopReason s = cpu.run(1000);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.BREAKPOINT);
        assertThat(s.eip()).isEqualTo(0x400000 + Programs.INC);
        assertThat(s.physAddress()).isEqualTo(Programs.INC);
        // a breakpoint on the other alias of the same physical byte does not stop this one
        cpu.setBreakpoints(Programs.STORE);
        s = cpu.run(1000);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        assertThat(cpu.reg(Cpu.EAX)).isEqualTo(3);
        assertThat(cpu.reg(Cpu.EBX)).isEqualTo(1);
        assertThat(m.memory().read32(0x3000)).isEqualTo(3);
    }

    @Test
    void aBreakpointOnCodeMappedAfterItWasSetStillStops() {
        Machine m = Programs.machine();
        Cpu cpu = m.cpu();
        // 4 KiB pages: linear 0-4M identity mapped, except linear 0x400000 + PROG's page, not present yet
        int pd = 0x60000, pt = 0x61000, pt2 = 0x62000;
        m.memory().write32(pd, pt | 3);
        m.memory().write32(pd + 4, pt2 | 3);
        for (int i = 0; i < 1024; i++) {
            m.memory().write32(pt + 4 * i, i << 12 | 3);
        }
        CpuState st = cpu.saveState();
        cpu.restoreState(new CpuState(st.regs(), Programs.PROG, st.eflags(), st.segSelectors(), st.segBases(),
                st.cr0() | Cpu.CR0_PG, 0, pd, 0, 0, 0, 0, 0));
        int alias = 0x400000 + Programs.INC;
        cpu.setBreakpoints(alias);
        // the page appears (as a kernel's page fault handler fills a PTE: no CR3 write), then the code runs there
        m.memory().write32(pt2 + ((alias >>> 12) & 0x3FF) * 4, (Programs.INC & 0xFFFFF000) | 3);
        cpu.setEip(0x400000 + Programs.PROG);
        StopReason s = cpu.run(1000);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.BREAKPOINT);
        assertThat(s.eip()).isEqualTo(alias);
        assertThat(s.physAddress()).isEqualTo(Programs.INC);
    }
}
