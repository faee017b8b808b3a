package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The kernel log is a bounded ring (dmesg shows the newest messages), and suspend_console holds messages back. */
class KernelLogTest {
    @Test
    void theRingKeepsTheNewestMessagesAndTheConsoleGetsEveryOne() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KernelLog log = new KernelLog(new PrintStream(out, true, StandardCharsets.UTF_8));
        for (int i = 0; i < KernelLog.RING_LINES + 10; i++) {
            log.printk("message %d", i);
        }
        assertThat(log.dmesg()).hasSize(KernelLog.RING_LINES);
        assertThat(log.dmesg().get(0)).endsWith("] message 10");
        assertThat(log.dmesg().get(KernelLog.RING_LINES - 1)).endsWith("] message " + (KernelLog.RING_LINES + 9));
        assertThat(log.dropped()).isEqualTo(10);
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(KernelLog.RING_LINES + 10);
    }

    @Test
    void aSuspendedConsoleGetsWhatTheRingStillHoldsOnResume() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KernelLog log = new KernelLog(new PrintStream(out, true, StandardCharsets.UTF_8));
        log.printk("before");
        log.suspendConsole();
        for (int i = 0; i < KernelLog.RING_LINES + 5; i++) {
            log.printk("held %d", i);
        }
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(1);
        log.resumeConsole();
        var lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1 + KernelLog.RING_LINES);
        assertThat(lines.get(1)).endsWith("] held 5");
        assertThat(lines.get(lines.size() - 1)).endsWith("] held " + (KernelLog.RING_LINES + 4));
    }
}
