package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.pm.PmDevice;
import dev.kjump.kernel.pm.PmStep;
import dev.kjump.kernel.pm.Task;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.Uart16550;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kexec_jump's failure points: each unwinds exactly the steps already done, in reverse, and the callee never runs. */
class PmUnwindTest {
    private static final List<String> PREFIX = List.of("pm_prepare_console", "freeze_processes", "suspend_console",
            "device_suspend", "disable_nonboot_cpus", "local_irq_disable", "device_power_down");

    private KernelFixture f;
    private Kernel k;
    private SpyDevice second;
    private PmDevice secondPm;
    private SpyDevice third;
    private PmDevice thirdPm;
    private int start;
    private byte[] dest;
    private CpuState cpu;
    private Uart16550.State uart;
    private int used;

    @BeforeEach
    void boot() {
        f = new KernelFixture(KernelConfig.defaults().withCpus(4));
        k = f.kernel();
        second = new SpyDevice("spy1").watch(k);
        secondPm = new PmDevice("spy1", second);
        third = new SpyDevice("spy2").watch(k);
        thirdPm = new PmDevice("spy2", third);
        k.devices().register(secondPm);
        k.devices().register(thirdPm);
        assertThat(k.devices().devices()).extracting(PmDevice::name)
                .containsExactly("serial8250 (ttyS0, console)", "rtc_cmos (rtc0)", "i8253 (timer_pit)",
                        "i8259A (pic)", "spy1", "spy2");
        assertThat(f.load("hello.elf")).isZero();
        start = f.image().start();
        dest = f.phys(0x400000, 11 * 4096);
        cpu = k.machine().cpu().saveState();
        uart = k.machine().uart().saveState();
        used = f.usedPages();
    }

    private List<String> steps() {
        return k.lastJump().steps().stream().map(JumpReport.Step::name).toList();
    }

    /** The kernel is as before and the callee never ran. */
    private void assertUnwound(int result, Errno errno) {
        assertThat(result).isEqualTo(errno.negative());
        JumpReport r = k.lastJump();
        assertThat(r.result()).isEqualTo(result);
        assertThat(r.ok()).isFalse();
        assertThat(r.outcome()).as("machine_kexec never ran").isNull();
        assertThat(r.integrity()).isNull();
        assertThat(f.transcript()).as("the callee never ran").isEmpty();
        assertThat(f.image().start()).isEqualTo(start);
        assertThat(f.phys(0x400000, dest.length)).isEqualTo(dest);
        assertThat(k.tasks()).noneMatch(Task::frozen);
        assertThat(k.log().consoleSuspended()).isFalse();
        assertThat(k.devices().devices()).allMatch(d -> d.state() == PmDevice.State.ON);
        assertThat(k.cpus().onlineCount()).isEqualTo(4);
        assertThat(k.irqsEnabled()).isTrue();
        assertThat(k.machine().cpu().saveState()).isEqualTo(cpu);
        assertThat(k.machine().uart().saveState()).usingRecursiveComparison().isEqualTo(uart);
        assertThat(f.usedPages()).isEqualTo(used);
        assertThat(k.kexec().kexecLock.get()).isZero();
        // each device that was saved got its registers back, the others were left alone
        for (SpyDevice d : List.of(second, third)) {
            if (d.saves.isEmpty()) {
                assertThat(d.restores).as("%s never saved, never restored", d.name()).isEmpty();
            } else {
                assertThat(d.generation).as("%s registers", d.name()).isZero();
                assertThat(d.restores).hasSize(d.saves.size());
            }
        }
        k.runTasks(2);
    }

    /** The step results: all 0 except the failing one. */
    private void assertOnlyFailure(String step, int err) {
        for (JumpReport.Step s : k.lastJump().steps()) {
            assertThat(s.result()).as(s.name()).isEqualTo(s.name().equals(step) ? err : 0);
        }
    }

    /** After a failure is cleared, a jump works. */
    private void assertNextJumpWorks() {
        assertThat(f.exec()).isZero();
        assertThat(k.lastJump().ok()).isTrue();
        assertThat(f.transcript()).isEqualTo(KexecJumpTest.HELLO1);
        assertThat(k.cpus().onlineCount()).isEqualTo(4);
    }

    @Test
    void taskRefusingToFreeze() {
        Task t = k.tasks().get(1);
        t.setRefuseFreeze(true);
        assertUnwound(f.exec(), Errno.EBUSY);
        assertThat(steps()).containsExactly("pm_prepare_console", "freeze_processes", "pm_restore_console");
        assertThat(k.lastJump().steps().get(1).result()).isNotZero();
        assertThat(second.saves).isEmpty();
        t.setRefuseFreeze(false);
        assertNextJumpWorks();
    }

    @Test
    void lastTaskRefusingToFreezeThawsTheOthers() {
        k.tasks().get(2).setRefuseFreeze(true);
        assertUnwound(f.exec(), Errno.EBUSY);
        k.tasks().get(2).setRefuseFreeze(false);
        assertNextJumpWorks();
    }

    @Test
    void deviceFailingSuspend() {
        thirdPm.failOn(PmStep.SUSPEND, true);
        assertUnwound(f.exec(), Errno.EIO);
        assertThat(steps()).containsExactly("pm_prepare_console", "freeze_processes", "suspend_console",
                "device_suspend", "resume_console", "thaw_processes", "pm_restore_console");
        assertOnlyFailure("device_suspend", Errno.EIO.negative());
        assertThat(second.saves).containsExactly(new SpyDevice.Seen(true, true, 4, true));
        assertThat(second.restores).containsExactly(0);
        assertThat(third.saves).isEmpty();
        thirdPm.failOn(PmStep.SUSPEND, false);
        assertNextJumpWorks();
    }

    @Test
    void firstExtraDeviceFailingSuspendResumesTheSerialPort() {
        secondPm.failOn(PmStep.SUSPEND, true);
        assertUnwound(f.exec(), Errno.EIO);
        assertThat(second.saves).isEmpty();
        assertThat(third.saves).isEmpty();
        assertThat(k.devices().devices().get(0).savedState()).as("the serial port was suspended").isNotNull();
    }

    @Test
    void cpuRefusingToGoDown() {
        k.cpus().failOn(2, true);
        assertUnwound(f.exec(), Errno.EBUSY);
        assertThat(steps()).containsExactly("pm_prepare_console", "freeze_processes", "suspend_console",
                "device_suspend", "disable_nonboot_cpus", "device_resume", "resume_console", "thaw_processes",
                "pm_restore_console");
        assertOnlyFailure("disable_nonboot_cpus", Errno.EBUSY.negative());
        assertThat(second.saves).hasSize(1);
        k.cpus().failOn(2, false);
        assertNextJumpWorks();
    }

    @Test
    void deviceFailingPowerDown() {
        thirdPm.failOn(PmStep.POWER_DOWN, true);
        assertUnwound(f.exec(), Errno.EIO);
        assertThat(steps()).containsExactly("pm_prepare_console", "freeze_processes", "suspend_console",
                "device_suspend", "disable_nonboot_cpus", "local_irq_disable", "device_power_down",
                "local_irq_enable", "enable_nonboot_cpus", "device_resume", "resume_console", "thaw_processes",
                "pm_restore_console");
        assertOnlyFailure("device_power_down", Errno.EIO.negative());
        // spy1: saved at suspend and at power_down, restored at power_up and at resume, in that order
        assertThat(second.saves).containsExactly(new SpyDevice.Seen(true, true, 4, true),
                new SpyDevice.Seen(true, true, 1, false));
        assertThat(second.restores).containsExactly(1, 0);
        // spy2: saved at suspend only, so only resumed
        assertThat(third.saves).hasSize(1);
        assertThat(third.restores).containsExactly(0);
        thirdPm.failOn(PmStep.POWER_DOWN, false);
        assertNextJumpWorks();
    }

    @Test
    void successfulJumpRunsTheWholeSequenceThenItsReverse() {
        assertNextJumpWorks();
        List<String> s = steps();
        assertThat(s.subList(0, PREFIX.size())).isEqualTo(PREFIX);
        assertThat(s.subList(PREFIX.size(), s.size())).containsExactly("save_processor_state", "machine_kexec",
                "restore_processor_state", "device_power_up", "local_irq_enable", "enable_nonboot_cpus",
                "device_resume", "resume_console", "thaw_processes", "pm_restore_console");
        assertThat(second.restores).containsExactly(1, 0);
        assertThat(third.restores).containsExactly(1, 0);
        assertThat(second.generation).isZero();
    }
}
