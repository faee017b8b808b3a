package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.kernel.pm.PmDevice;
import dev.kjump.kernel.pm.Task;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.StopReason;
import dev.kjump.machine.Uart16550;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A callee that never comes back: the kernel takes the machine back intact and the next jump works. */
class ContainmentTest {

    /** Runs crash.elf with {@code kind} and checks that the kernel survived; returns the report. */
    private static JumpReport crashAndRecover(KernelFixture f, String file, String kind, Errno errno) {
        Kernel k = f.kernel();
        k.runTasks(2);
        byte[] dest = f.phys(0x400000, 16 * 4096);
        byte[] disk = k.ramdisk().read(0, k.ramdisk().pageCount() * 4096);
        CpuState cpu = k.machine().cpu().saveState();
        Uart16550.State uart = k.machine().uart().saveState();
        int[] steps = k.tasks().stream().mapToInt(Task::steps).toArray();
        assertThat(f.load(file, kind, KernelFixture.PRESERVE)).isZero();
        int used = f.usedPages();
        int start = f.image().start();

        assertThat(f.exec()).as("reboot(KEXEC) with crash %s", kind).isEqualTo(errno.negative());

        JumpReport r = k.lastJump();
        assertThat(f.transcript()).startsWith("crash: about to " + kind);
        assertThat(r.result()).isEqualTo(errno.negative());
        assertThat(r.ok()).isFalse();
        assertThat(r.outcome().kind()).isEqualTo(errno == Errno.EFAULT ? MachineKexec.Kind.CRASHED
                : errno == Errno.EINTR ? MachineKexec.Kind.INTERRUPTED : MachineKexec.Kind.TIMED_OUT);
        assertThat(r.integrity().intact()).as("integrity %s", r.integrity()).isTrue();
        assertThat(r.integrity().pagesChecked()).isPositive();
        assertThat(f.phys(0x400000, dest.length)).isEqualTo(dest);
        assertThat(k.ramdisk().read(0, disk.length)).isEqualTo(disk);
        assertThat(k.machine().cpu().saveState()).isEqualTo(cpu);
        assertThat(k.machine().cpu().mmu().pagingEnabled()).isTrue();
        assertThat(k.machine().uart().saveState()).usingRecursiveComparison().isEqualTo(uart);
        assertThat(k.tasks()).noneMatch(Task::frozen);
        assertThat(k.devices().devices()).allMatch(d -> d.state() == PmDevice.State.ON);
        assertThat(k.irqsEnabled()).isTrue();
        assertThat(k.log().consoleSuspended()).isFalse();
        assertThat(k.cpus().onlineCount()).isEqualTo(k.cpus().count());
        assertThat(k.kexec().kexecLock.get()).isZero();
        assertThat(f.usedPages()).isEqualTo(used);
        assertThat(f.image().start()).as("no re-entry point was handed over").isEqualTo(start);
        assertThat(r.steps()).extracting(JumpReport.Step::name).endsWith("machine_kexec", "restore_processor_state",
                "device_power_up", "local_irq_enable", "enable_nonboot_cpus", "device_resume", "resume_console",
                "thaw_processes", "pm_restore_console");
        k.runTasks(3);
        for (int i = 0; i < steps.length; i++) {
            assertThat(k.tasks().get(i).steps()).isEqualTo(steps[i] + 3);
        }
        // and the kernel goes on: a fresh hello load and jump
        f.clearTranscript();
        JumpReport next = f.loadAndJump("hello.elf", null);
        assertThat(next.ok()).isTrue();
        assertThat(f.transcript()).isEqualTo(KexecJumpTest.HELLO1);
        assertThat(f.phys(0x400000, dest.length)).isEqualTo(dest);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ud", "gp", "pf", "de", "hlt"})
    void faultsAreContained(String kind) {
        KernelFixture f = new KernelFixture(KernelConfig.defaults().withCpus(2));
        JumpReport r = crashAndRecover(f, "crash.elf", kind, Errno.EFAULT);
        StopReason.Kind stop = r.outcome().stop().kind();
        assertThat(stop).isNotIn(StopReason.Kind.HOST_ENTRY, StopReason.Kind.TIMEOUT, StopReason.Kind.BUDGET);
    }

    @Test
    void elf64FormIsContainedToo() {
        crashAndRecover(new KernelFixture(), "crash.elf64", "gp", Errno.EFAULT);
    }

    @Test
    void endlessLoopTimesOut() {
        KernelFixture f = new KernelFixture(KernelConfig.defaults().withLimits(Long.MAX_VALUE, 300_000_000L));
        long t0 = System.nanoTime();
        JumpReport r = crashAndRecover(f, "crash.elf", "loop", Errno.ETIMEDOUT);
        assertThat(r.outcome().stop().kind()).isEqualTo(StopReason.Kind.TIMEOUT);
        assertThat(r.outcome().calleeNanos()).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(System.nanoTime() - t0).as("the limit is honoured").isLessThan(20_000_000_000L);
    }

    @Test
    void aHostInterruptIsContainedAsEintr() throws InterruptedException {
        KernelFixture f = new KernelFixture();
        Thread ctrlC = new Thread(() -> {
            try {
                while (!f.transcript().contains("about to loop")) { // the user sees the callee running
                    Thread.sleep(20);
                }
                f.machine().cpu().requestHostStop(); // and presses Ctrl-C
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // the jump is over
            }
        });
        ctrlC.start();
        JumpReport r;
        try {
            r = crashAndRecover(f, "crash.elf", "loop", Errno.EINTR);
        } finally {
            ctrlC.interrupt();
            ctrlC.join();
        }
        assertThat(r.outcome().stop().kind()).isEqualTo(StopReason.Kind.INTERRUPTED);
    }

    @Test
    void instructionLimitTimesOut() {
        KernelFixture f = new KernelFixture(KernelConfig.defaults().withLimits(2_000_000, 0));
        JumpReport r = crashAndRecover(f, "crash.elf", "loop", Errno.ETIMEDOUT);
        assertThat(r.outcome().stop().kind()).isEqualTo(StopReason.Kind.BUDGET);
        assertThat(r.outcome().calleeInstructions()).isEqualTo(2_000_000);
    }

    @Test
    void instructionLimitStopsEvenAWellBehavedCallee() {
        // hello needs ~1359 instructions: 500 is not enough
        KernelFixture f = new KernelFixture(KernelConfig.defaults().withLimits(500, 0));
        Kernel k = f.kernel();
        assertThat(f.load("hello.elf")).isZero();
        byte[] dest = f.phys(0x400000, 11 * 4096);
        assertThat(f.exec()).isEqualTo(Errno.ETIMEDOUT.negative());
        JumpReport r = k.lastJump();
        assertThat(r.outcome().calleeInstructions()).isEqualTo(500);
        assertThat(r.integrity().intact()).isTrue();
        assertThat(f.phys(0x400000, dest.length)).isEqualTo(dest);
        assertThat(k.tasks()).noneMatch(Task::frozen);
        assertThat(List.of(k.irqsEnabled(), k.log().consoleSuspended())).containsExactly(true, false);
    }
}
