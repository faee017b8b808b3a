package dev.kjump.cli;

import static dev.kjump.cli.ShellFixture.CRASH;
import static dev.kjump.cli.ShellFixture.PINGPONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
    }

    private static synchronized Result kjump(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = Main.commandLine();
            cl.setOut(new java.io.PrintWriter(System.out, true));
            cl.setErr(new java.io.PrintWriter(System.err, true));
            int status = cl.execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void oneShotKexecLoadsExecutesReportsAndKeepsStdoutForCom1() throws Exception {
        Path trace = tmp.resolve("k.json");
        Path json = tmp.resolve("k-report.json");
        Result r = kjump("kexec", "--load-preserve-context", PINGPONG, "--jumps", "2", "--mem", "32M", "--cpus", "2",
                "--trace", trace.toString(), "--json", json.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("pingpong: round 1\npingpong: round 2\n");
        assertThat(r.err()).contains("kexec: jump #2: pingpong.elf jumped back", "integrity held", "trace written to");
        Map<?, ?> t = (Map<?, ?>) MiniJson.parse(Files.readString(trace));
        assertThat(((java.util.List<?>) t.get("traceEvents")).toString()).contains("kexec_jump #1", "kexec_jump #2");
        Map<?, ?> rep = (Map<?, ?>) MiniJson.parse(Files.readString(json));
        assertThat((java.util.List<?>) rep.get("jumps")).hasSize(2);
    }

    @Test
    void oneShotKexecExitStatuses() {
        assertThat(kjump("kexec", "-l", "nope.elf", "--mem", "32M").status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(kjump("kexec", "--mem", "32M").status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(kjump("kexec", "--load-preserve-context", PINGPONG, "--trace", "x.txt").status()).isEqualTo(Main.EXIT_USAGE);
        Result crash = kjump("kexec", "--load-preserve-context", CRASH, "--append=de", "--mem", "32M");
        assertThat(crash.status()).isEqualTo(Main.EXIT_FAULT);
        assertThat(crash.err()).contains("kexec: exec failed: EFAULT");
        Result loop = kjump("kexec", "--load-preserve-context", CRASH, "--append=loop", "--mem", "32M", "--timeout", "0.2");
        assertThat(loop.status()).isEqualTo(Main.EXIT_TIMEOUT);
        assertThat(loop.err()).contains("kexec: exec failed: ETIMEDOUT");
    }

    @Test
    void runWritesItsTrace() throws Exception {
        Path svg = tmp.resolve("run.svg");
        Result r = kjump("run", PINGPONG, "--jumps", "2", "--mem", "32M", "--trace", svg.toString());
        assertThat(r.status()).isZero();
        assertThat(Files.readString(svg)).contains("jump #2 (pingpong.elf)", "machine_kexec");
        assertThat(kjump("run", PINGPONG, "--trace", tmp.resolve("run.txt").toString()).status()).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void demoSaysWhereItsPictureIs() throws Exception {
        Path svg = tmp.resolve("demo.svg");
        Result r = kjump("demo", "--mem", "32M", "--trace", svg.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains(svg.toAbsolutePath().toString());
        assertThat(Files.readString(svg)).contains("jump #4 (pingpong.elf)");
    }

    @Test
    void demoLinuxTellsTheStoryOnStderrWithThePeersConsoleOnStdout() throws Exception {
        Path json = tmp.resolve("demo-linux.json");
        Result r = kjump("demo", "linux", "--jumps", "2", "--trace", json.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out().lines()).contains("init: hello from /init", "init: jump 1 of 2 back to 0x004f6022",
                "init: back from jump 1: reboot returned 0", "init: jump 2 of 2 back to 0x004f6022");
        assertThat(r.out().lines()).noneMatch(l -> l.startsWith("A: ") || l.startsWith("B: ") || l.startsWith("kjump"));
        String story = r.err();
        assertThat(story.lines().filter(l -> l.startsWith("A: ") || l.startsWith("B: ")).map(l -> l.substring(0, 12)))
                .containsExactly("A: booted: 1", "A: kexec_loa", "A: jump 1 of", "B: booted, a", "A: swapped 9",
                        "A: its tasks", "A: jump 2 of", "B: resumed: ", "A: swapped 9", "A: its tasks");
        assertThat(story).contains("the peer region 04000000-07ffffff (64 MiB) is left to B",
                "kexec_jump_back_entry=0x004f6022, A's door", "call its purgatory at 00012000: B boots",
                "B: booted, and its /init jumped back to A's door 004f6022", "0 damaged across B's whole boot",
                "call B's re-entry point 044cd0d7: B resumes",
                "B: resumed: reboot() returned 0 in its /init, which jumped back to A's door 004f6022",
                json.toAbsolutePath().toString()).doesNotContain("BROKEN", "Exception");
        Map<?, ?> t = (Map<?, ?>) MiniJson.parse(Files.readString(json));
        java.util.List<?> events = (java.util.List<?>) t.get("traceEvents");
        assertThat(events.toString()).contains("kexec_jump #1", "kexec_jump #2");
        // the peer's time inside each jump: booted, then resumed, with its instructions
        java.util.List<Map<?, ?>> peer = new java.util.ArrayList<>();
        for (Object e : events) {
            if ("callee".equals(((Map<?, ?>) e).get("cat"))) {
                peer.add((Map<?, ?>) e);
            }
        }
        assertThat(peer.stream().map(e -> String.valueOf(e.get("name")))).containsExactly("peer booted", "peer resumed");
        assertThat(((Map<?, ?>) peer.get(0).get("args")).get("peer")).isEqualTo("booted: entered at its purgatory "
                + "0x00012000");
        assertThat(Long.parseLong((String) ((Map<?, ?>) peer.get(0).get("args")).get("instructions")))
                .isGreaterThan(20_000_000);
        assertThat(Long.parseLong((String) ((Map<?, ?>) peer.get(1).get("args")).get("instructions")))
                .isBetween(100_000L, 1_000_000L);
        Result bad = kjump("demo", "windows");
        assertThat(bad.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.err().strip()).isEqualTo("kjump demo: unknown demo 'windows' (there is the plain one and 'linux')");
        Result small = kjump("demo", "linux", "--mem", "32M", "--trace", tmp.resolve("x.svg").toString());
        assertThat(small.status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(small.err()).contains("kjump demo: bzImage: the kernel has no peer region").doesNotContain("\tat ");
    }

    @Test
    void helpOnEveryCommandVersionAndCompletion() {
        CommandLine root = Main.commandLine();
        for (String name : root.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            Result r = kjump(name, "--help");
            assertThat(r.status()).as(name + " --help").isZero();
            assertThat(r.out()).as(name + " --help").contains("Usage: kjump " + name);
        }
        assertThat(root.getSubcommands().keySet()).contains("run", "kexec", "shell", "demo", "bench", "completion");
        for (String name : new String[] {"run", "kexec", "shell", "demo", "bench"}) {
            var opts = root.getSubcommands().get(name).getCommandSpec().optionsMap().keySet();
            assertThat(opts).as(name).contains("--mem", "--timeout", "--help", "--version");
            if (!name.equals("bench")) {
                assertThat(opts).as(name).contains("--cpus", "--trace");
            }
        }
        assertThat(kjump("--version").out()).startsWith("kjump ");
        Result c = kjump("completion");
        assertThat(c.status()).isZero();
        assertThat(c.out()).contains("complete -F", "kjump", "--load-preserve-context", "shell");
    }

    @Test
    void shellScriptFromAFileAndAMissingScript() throws Exception {
        Path script = tmp.resolve("s.txt");
        Files.writeString(script, "kexec --load-preserve-context " + PINGPONG + "\nkexec -e\nkexec -e\n");
        Result r = kjump("shell", "--mem", "32M", script.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("pingpong: round 2").doesNotContain("kjump#");
        assertThat(kjump("shell", "--mem", "32M", tmp.resolve("none.txt").toString()).status()).isEqualTo(Main.EXIT_USAGE);
        assertThat(kjump("shell", "--trace", "t.pdf", script.toString()).status()).isEqualTo(Main.EXIT_USAGE);
    }
}
