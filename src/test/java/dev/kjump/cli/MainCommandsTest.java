package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Start-up builds only the command a run names; help, completion and anything else get every command. */
class MainCommandsTest {
    @Test
    void aRunBuildsOnlyItsCommand() {
        assertThat(Main.commandLine("run").getSubcommands().keySet()).containsExactly("run");
        assertThat(Main.commandLine("kexec").getSubcommands().keySet()).containsExactly("kexec");
        assertThat(Main.commandLine("help").getSubcommands().keySet())
                .containsExactlyInAnyOrder("run", "kexec", "shell", "demo", "bench", "completion", "help");
        assertThat(Main.commandLine().getSubcommands()).hasSize(7);
    }

    @Test
    void theOneCommandParsesAsInTheFullTree() {
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = Main.commandLine("run");
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("run", "--help")).isZero();
        assertThat(out.toString()).contains("--translate").contains("--jumps");
    }
}
