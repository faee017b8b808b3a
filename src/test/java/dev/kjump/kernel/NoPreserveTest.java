package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.kernel.pm.PmDevice;
import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.PhysicalMemory;
import org.junit.jupiter.api.Test;

/** An image loaded without KEXEC_PRESERVE_CONTEXT: reboot(KEXEC) hands the machine over and never returns. */
class NoPreserveTest {

    private static KernelHandedOver handOver(KernelFixture f) {
        KernelHandedOver e = catchThrowableOfType(KernelHandedOver.class, f::exec);
        assertThat(e).as("reboot(KEXEC) must not return").isNotNull();
        return e;
    }

    @Test
    void helloRunsAndTheKernelIsGone() {
        KernelFixture f = new KernelFixture(KernelConfig.defaults().withCpus(2));
        Kernel k = f.kernel();
        assertThat(f.load("hello.elf", null, KernelFixture.NO_PRESERVE)).isZero();
        assertThat(f.image().preserveContext()).isFalse();
        KernelHandedOver e = handOver(f);
        assertThat(k.alive()).isFalse();
        assertThat(f.transcript()).isEqualTo(KexecJumpTest.HELLO1);
        JumpReport r = e.report();
        assertThat(r).isSameAs(k.lastJump());
        assertThat(r.ok()).isFalse();
        assertThat(r.outcome().kind()).isEqualTo(MachineKexec.Kind.HANDED_OVER);
        assertThat(r.integrity()).as("nothing to come back to").isNull();
        assertThat(r.outcome().pagesSwapped()).isEqualTo(11);
        // machine_shutdown: devices down and the non-boot CPU offline, nothing resumed
        assertThat(k.devices().devices()).allMatch(d -> d.state() == PmDevice.State.SUSPENDED);
        assertThat(k.cpus().onlineCount()).isOne();
        assertThat(f.dmesg()).anyMatch(l -> l.contains("Starting new kernel"));
        // the image stays in place: it owns the machine now
        assertThat(new String(f.phys(0x400000, 11 * 4096), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("hello from a jump-back image");
        // every syscall of the gone kernel fails
        assertThatThrownBy(f::exec).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> f.load("hello.elf")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> k.kexecLoad(Credentials.ROOT, 0, 0, null, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> k.reboot(Credentials.USER, 0, 0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> k.runTasks(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyRegisterIsZeroExceptEsp() {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        assertThat(f.load(RegisterDump.BASE, KernelFixture.NO_PRESERVE, RegisterDump.segment(false))).isZero();
        int cp = f.image().controlPage();
        KernelHandedOver e = handOver(f);
        assertThat(e.report().outcome().stop().kind()).as("%s", e.report().outcome().stop())
                .isNotEqualTo(dev.kjump.machine.StopReason.Kind.HOST_ENTRY);
        PhysicalMemory mem = k.machine().memory();
        int[] v = new int[13];
        for (int i = 0; i < v.length; i++) {
            v[i] = mem.read32(RegisterDump.DATA + 4 * i);
        }
        assertThat(v[RegisterDump.COUNT]).as("the image ran once").isOne();
        for (int r : new int[] {Cpu.EAX, Cpu.ECX, Cpu.EDX, Cpu.EBX, Cpu.EBP, Cpu.ESI, Cpu.EDI}) {
            assertThat(v[r]).as("register %d at entry", r).isZero();
        }
        assertThat(v[Cpu.ESP]).as("%%esp = end of the control page").isEqualTo(cp + 4096);
        assertThat(v[RegisterDump.CR0] & Cpu.CR0_PG).as("paging off").isZero();
        assertThat(v[RegisterDump.EFLAGS] & Cpu.IF).isZero();
    }

    @Test
    void pingpongSeesNoJumpBackEntry() {
        KernelFixture f = new KernelFixture();
        assertThat(f.load("pingpong.elf", null, KernelFixture.NO_PRESERVE)).isZero();
        KernelHandedOver e = handOver(f);
        // %edi = 0 at entry: the image has nowhere to jump back to
        assertThat(f.transcript()).isEqualTo("pingpong: round 1\npingpong: no jump-back entry (%edi = 0), halting\n");
        assertThat(e.report().outcome().reentry()).isZero();
        assertThat(f.kernel().alive()).isFalse();
    }
}
