package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.Errno;
import dev.kjump.kernel.Integrity;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.machine.StopReason;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exit-status table of README.md, in its one place: every stop kind, every errno, and the precedence. */
class ExitStatusTest {
    private static final Integrity.Result INTACT = new Integrity.Result(1015, 5, List.of());
    private static final Integrity.Result BROKEN = new Integrity.Result(1015, 5, List.of(0x200000L));

    private static StopReason stop(StopReason.Kind kind) {
        return new StopReason(kind, 0x400000, 0, 0, new byte[0], kind.name());
    }

    private static MachineKexec.Outcome outcome(MachineKexec.Kind kind, StopReason.Kind stop, boolean returned, int eax,
                                                List<String> problems) {
        return new MachineKexec.Outcome(kind, stop(stop), 100, 1000, 5, 10, 10, 0x400022, returned, eax, problems, 0,
                0, 0, false);
    }

    /** A jump that reached machine_kexec, as kernel_kexec reports it. */
    private static KexecResult jump(Errno errno, MachineKexec.Outcome o, Integrity.Result integrity) {
        int result = errno == null ? 0 : errno.negative();
        return new KexecResult(result, new JumpReport(1, 0x400000, result, List.of(), o, integrity, 5000));
    }

    private static KexecResult cameBack(boolean returned, int eax, List<String> problems, Integrity.Result g) {
        return jump(null, outcome(MachineKexec.Kind.JUMPED_BACK, StopReason.Kind.HOST_ENTRY, returned, eax, problems), g);
    }

    @Test
    void everyStopKind() {
        Map<StopReason.Kind, Integer> stopped = new EnumMap<>(StopReason.Kind.class);
        Map<StopReason.Kind, Integer> handedOver = new EnumMap<>(StopReason.Kind.class);
        for (StopReason.Kind k : StopReason.Kind.values()) {
            stopped.put(k, ExitStatus.stopped(k));
            handedOver.put(k, ExitStatus.handedOver(k));
        }
        assertThat(stopped).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry(StopReason.Kind.HOST_ENTRY, Main.EXIT_FAULT),
                Map.entry(StopReason.Kind.HALT, Main.EXIT_FAULT),
                Map.entry(StopReason.Kind.RESET, Main.EXIT_FAULT),
                Map.entry(StopReason.Kind.DEBUG_EXIT, Main.EXIT_FAULT),
                Map.entry(StopReason.Kind.TRIPLE_FAULT, Main.EXIT_FAULT),
                Map.entry(StopReason.Kind.BUDGET, Main.EXIT_TIMEOUT),
                Map.entry(StopReason.Kind.BREAKPOINT, Main.EXIT_FAULT),
                Map.entry(StopReason.Kind.WATCHPOINT, Main.EXIT_FAULT),
                Map.entry(StopReason.Kind.INTERRUPTED, Main.EXIT_INTERRUPTED),
                Map.entry(StopReason.Kind.TIMEOUT, Main.EXIT_TIMEOUT),
                Map.entry(StopReason.Kind.EMULATOR_ERROR, Main.EXIT_FAULT)));
        // handed over: the image owns the machine, halting, a reset or the debug-exit port is how it finishes
        for (StopReason.Kind k : StopReason.Kind.values()) {
            int expected = k == StopReason.Kind.HALT || k == StopReason.Kind.RESET || k == StopReason.Kind.DEBUG_EXIT
                    ? Main.EXIT_OK : stopped.get(k);
            assertThat(handedOver.get(k)).as("handed over, %s", k).isEqualTo(expected);
        }
    }

    @Test
    void bareRunsStopAsTheKernelsJumpsDo() {
        for (StopReason.Kind k : StopReason.Kind.values()) {
            DirectRun.Result r = new DirectRun.Result(DirectRun.Outcome.STOPPED, stop(k), 0, 0, null, null, 0x1000, 0x2000, 7);
            assertThat(ExitStatus.bare(r)).as("bare, %s", k).isEqualTo(ExitStatus.stopped(k));
        }
        StopReason host = stop(StopReason.Kind.HOST_ENTRY);
        assertThat(ExitStatus.bare(new DirectRun.Result(DirectRun.Outcome.RETURNED, host, 0, 0, null, null, 0, 0, 1)))
                .isEqualTo(Main.EXIT_OK);
        assertThat(ExitStatus.bare(new DirectRun.Result(DirectRun.Outcome.RETURNED, host, -1, 0, null, null, 0, 0, 1)))
                .isEqualTo(Main.EXIT_NONZERO);
        assertThat(ExitStatus.bare(new DirectRun.Result(DirectRun.Outcome.JUMPED_BACK, host, 5, 0x400100, null, null, 0, 0, 1)))
                .isEqualTo(Main.EXIT_OK);
    }

    @Test
    void everyErrnoOfReboot() {
        assertThat(ExitStatus.reboot(0)).isEqualTo(Main.EXIT_OK);
        for (Errno e : Errno.values()) {
            int expected = switch (e) {
                case ETIMEDOUT -> Main.EXIT_TIMEOUT;
                case EINTR -> Main.EXIT_INTERRUPTED;
                case EFAULT -> Main.EXIT_FAULT;
                default -> Main.EXIT_USAGE; // EPERM, EINVAL, EBUSY, ENOSYS, EIO, ...: the kernel refused
            };
            assertThat(ExitStatus.reboot(e.negative())).as("reboot returned %s", e).isEqualTo(expected);
            assertThat(ExitStatus.jump(new KexecResult(e.negative(), null))).as("refused with %s", e).isEqualTo(expected);
        }
    }

    @Test
    void aJumpThatCameBack() {
        assertThat(ExitStatus.jump(cameBack(false, 0, List.of(), INTACT))).isEqualTo(Main.EXIT_OK);
        assertThat(ExitStatus.jump(cameBack(true, 0, List.of(), INTACT))).isEqualTo(Main.EXIT_OK);
        assertThat(ExitStatus.jump(cameBack(true, 1, List.of(), INTACT))).isEqualTo(Main.EXIT_NONZERO);
        assertThat(ExitStatus.jump(cameBack(false, 1, List.of(), INTACT))).as("eax of a kernel-style jump")
                .isEqualTo(Main.EXIT_OK);
        assertThat(ExitStatus.jump(cameBack(true, 1, List.of("control page"), INTACT))).isEqualTo(Main.EXIT_FAULT);
        assertThat(ExitStatus.jump(cameBack(true, 1, List.of(), BROKEN))).isEqualTo(Main.EXIT_FAULT);
    }

    @Test
    void aJumpThatDidNotComeBack() {
        var crashed = outcome(MachineKexec.Kind.CRASHED, StopReason.Kind.TRIPLE_FAULT, false, 0, List.of());
        var timedOut = outcome(MachineKexec.Kind.TIMED_OUT, StopReason.Kind.TIMEOUT, false, 0, List.of());
        var budget = outcome(MachineKexec.Kind.TIMED_OUT, StopReason.Kind.BUDGET, false, 0, List.of());
        var interrupted = outcome(MachineKexec.Kind.INTERRUPTED, StopReason.Kind.INTERRUPTED, false, 0,
                List.of("control page"));
        assertThat(ExitStatus.jump(jump(Errno.EFAULT, crashed, INTACT))).isEqualTo(Main.EXIT_FAULT);
        assertThat(ExitStatus.jump(jump(Errno.ETIMEDOUT, timedOut, INTACT))).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(ExitStatus.jump(jump(Errno.ETIMEDOUT, budget, INTACT))).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(ExitStatus.jump(jump(Errno.EINTR, interrupted, INTACT))).as("a repaired control page does not hide "
                + "why the callee stopped").isEqualTo(Main.EXIT_INTERRUPTED);
        assertThat(ExitStatus.jump(jump(Errno.ETIMEDOUT, timedOut, BROKEN))).as("damage the kernel could not undo")
                .isEqualTo(Main.EXIT_FAULT);
        assertThat(ExitStatus.jump(jump(Errno.EINTR, interrupted, BROKEN))).isEqualTo(Main.EXIT_FAULT);
        // the PM sequence failed before machine_kexec: the kernel refused
        assertThat(ExitStatus.jump(jump(Errno.EBUSY, null, null))).isEqualTo(Main.EXIT_USAGE);
        assertThat(ExitStatus.jump(jump(Errno.EIO, null, null))).isEqualTo(Main.EXIT_USAGE);
    }
}
