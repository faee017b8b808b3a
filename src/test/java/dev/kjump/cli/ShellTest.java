package dev.kjump.cli;

import static dev.kjump.cli.ShellFixture.ARGS;
import static dev.kjump.cli.ShellFixture.CRASH;
import static dev.kjump.cli.ShellFixture.HELLO;
import static dev.kjump.cli.ShellFixture.PINGPONG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.pm.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShellTest {
    private ShellFixture f;

    @AfterEach
    void noStackTraces() {
        if (f != null) {
            assertThat(f.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void loadPreserveContextExecTwiceThenUnload() throws Exception {
        f = new ShellFixture();
        int status = f.script(
                "# ping-pong twice",
                "kexec --load-preserve-context " + PINGPONG,
                "kexec -e",
                "kexec --exec",
                "ps",
                "kexec -u");
        assertThat(status).isZero();
        String out = f.out();
        assertThat(out).contains("kexec: loaded pingpong.elf: entry 00400000", "preserve_context");
        // the callee's COM1 output comes before the kernel's report of that jump
        assertThat(out.indexOf("pingpong: round 1")).isLessThan(out.indexOf("kexec: jump #1:")).isPositive();
        assertThat(out.indexOf("pingpong: round 2")).isGreaterThan(out.indexOf("kexec: jump #1:"))
                .isLessThan(out.indexOf("kexec: jump #2:"));
        assertThat(out).contains("kexec: jump #1: pingpong.elf jumped back with re-entry point 00400022");
        assertThat(out).containsPattern("kexec: jump #2: 5 page\\(s\\) \\(20 KiB\\) swapped in and back; integrity held: "
                + "\\d+ page\\(s\\) checked, 0 damaged");
        assertThat(out).containsPattern("\\n\\s+1  init\\s+running");
        assertThat(out).contains("kexec: unloaded pingpong.elf");
        assertThat(f.shell.session().kernel().jumps()).hasSize(2);
        assertThat(f.err()).isEmpty();
    }

    @Test
    void aMissingFileIsEnoentAndStopsTheScriptAtThatLine() throws Exception {
        f = new ShellFixture();
        int status = f.script("ps", "kexec -l images/examples/elf/no-such.elf", "dmesg");
        assertThat(status).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).contains(
                "kexec: load failed: ENOENT (No such file or directory: images/examples/elf/no-such.elf)\n",
                "kjump shell: line 2 failed (exit 1): kexec -l images/examples/elf/no-such.elf");
        assertThat(f.out()).doesNotContain("Linux version"); // dmesg (line 3) did not run
    }

    @Test
    void execWithNothingLoadedIsEinval() throws Exception {
        f = new ShellFixture();
        assertThat(f.script("kexec -e")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).startsWith("kexec: exec failed: EINVAL (no image loaded");
    }

    @Test
    void loadWhileKexecLockIsHeldIsEbusy() throws Exception {
        f = new ShellFixture();
        f.shell.kexec().trace(null);
        kernelOf(f).kexec().kexecLock.set(1);
        assertThat(f.shell.execute("kexec --load-preserve-context " + PINGPONG)).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).isEqualTo("kexec: load failed: EBUSY (kexec_lock held)\n");
        kernelOf(f).kexec().kexecLock.set(0);
        assertThat(f.shell.execute("kexec --load-preserve-context " + PINGPONG)).isZero();
    }

    @Test
    void aTaskThatWillNotFreezeMakesExecEbusyAndEverythingIsUnwound() throws Exception {
        f = new ShellFixture();
        assertThat(f.shell.execute("kexec --load-preserve-context " + PINGPONG)).isZero();
        Task init = kernelOf(f).tasks().get(0);
        init.setRefuseFreeze(true);
        assertThat(f.shell.execute("kexec -e")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).startsWith("kexec: exec failed: EBUSY (freeze_processes failed");
        assertThat(f.out()).doesNotContain("pingpong: round");
        assertThat(kernelOf(f).tasks()).noneMatch(Task::frozen);
        init.setRefuseFreeze(false);
        assertThat(f.shell.execute("kexec -e")).isZero();
        assertThat(f.out()).contains("pingpong: round 1");
    }

    @Test
    void appendReachesTheImageAndIsEinvalForAnImageWithoutACommandLine() throws Exception {
        f = new ShellFixture();
        assertThat(f.script("kexec --load-preserve-context " + ARGS + " --append=\"one  two\"", "kexec -e")).isZero();
        assertThat(f.out()).contains("args: cmdline=\"one  two\"", "args: argc=2", "args: argv[1]=\"two\"",
                "args.elf returned 0 (0x0) through the helper entry");
        assertThat(f.shell.execute("kexec --load-preserve-context " + HELLO + " --append=x")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).startsWith("kexec: load failed: EINVAL (").contains("kjump_cmdline");
    }

    @Test
    void memMinAndMemMaxRefuseSegmentsOutsideThem() throws Exception {
        f = new ShellFixture();
        assertThat(f.shell.execute("kexec -l " + PINGPONG + " --mem-min=0x1000000")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).isEqualTo("kexec: load failed: EADDRNOTAVAIL (segment 00400000-00404fff lies outside "
                + "--mem-min=0x1000000 --mem-max=0xffffffff)\n");
        assertThat(kernelOf(f).kexec().image()).isNull();
        assertThat(f.shell.execute("kexec -l " + PINGPONG + " --mem-min=0x400000 --mem-max=0x404fff")).isZero();
        assertThat(f.shell.execute("kexec -l " + PINGPONG + " --mem-max=0x404ffe")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("kexec -l " + PINGPONG + " --mem-max=banana")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).contains("--mem-max: not an address: 'banana'");
    }

    @Test
    void aJumpBackHelperIsAnEntryWithNoPagesAndNeedsEntry() throws Exception {
        f = new ShellFixture();
        assertThat(f.shell.execute("kexec --load-jump-back-helper")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).contains("needs --entry=ADDR");
        assertThat(f.shell.execute("kexec --load-jump-back-helper --entry=0x400022")).isZero();
        var ki = kernelOf(f).kexec().image();
        assertThat(ki.preserveContext()).isTrue();
        assertThat(ki.start()).isEqualTo(0x400022);
        assertThat(ki.pagePairs()).isEmpty();
        f.shell.execute("mem");
        assertThat(f.out()).contains("kimage    jump-back helper (entry 00400022): start 00400022, preserve_context",
                "0 source page(s)");
    }

    @Test
    void aCrashingCalleeIsContainedAndTheShellGoesOn() throws Exception {
        f = new ShellFixture();
        f.shell.execute("kexec --load-preserve-context " + CRASH + " --append=ud");
        assertThat(f.shell.execute("kexec -e")).isEqualTo(Main.EXIT_FAULT);
        assertThat(f.out()).contains("crash: about to ud").containsPattern("integrity held: \\d+ page\\(s\\) checked, 0 damaged");
        assertThat(f.err()).startsWith("kexec: exec failed: EFAULT (crash.elf did not come back: ").contains("crash_ud");
        assertThat(f.shell.execute("ps")).isZero();
        assertThat(f.shell.finished()).isFalse();
    }

    @Test
    void withoutPreserveContextTheMachineIsHandedOverAndTheKernelIsGone() throws Exception {
        f = new ShellFixture();
        assertThat(f.shell.execute("kexec -l " + HELLO)).isZero();
        assertThat(f.out()).contains("no preserve_context: kexec -e will not come back");
        f.shell.execute("kexec -e");
        assertThat(f.shell.finished()).isTrue();
        assertThat(f.out()).contains("hello from a jump-back image");
        assertThat(f.err()).contains("kexec: the machine was handed over to hello.elf (no preserve_context): the kernel is gone");
        assertThat(f.shell.execute("ps")).isEqualTo(Main.EXIT_FAULT);
        assertThat(f.err()).contains("ps: the kernel is gone");
    }

    @Test
    void inspectionCommands() throws Exception {
        f = new ShellFixture();
        assertThat(f.script("kexec --load-preserve-context " + PINGPONG, "mem", "devices", "cpus", "dmesg",
                "x 0x100000 3", "help")).isZero();
        String out = f.out();
        assertThat(out).contains("RAM       32 MiB (8192 pages of 4 KiB)");
        assertThat(out).containsPattern("source [0-9a-f]{8}-[0-9a-f]{8} -> destination 00400000-00404fff \\(5 page\\(s\\)\\)");
        assertThat(out).containsPattern("serial8250 \\(ttyS0, console\\)\\s+on\\s+.*lcr=3");
        assertThat(out).contains("cpu0  online (boot CPU)", "cpu1  online");
        assertThat(out).contains("Linux version 2.6.27-kjump", "kexec: loaded image: entry 00400000");
        // the kernel's idle loop at 1 MiB: hlt; jmp .-3
        assertThat(out).contains("00100000  f4 eb fd ");
        for (String c : Shell.COMMANDS.keySet()) {
            assertThat(out).contains("  " + c);
        }
    }

    @Test
    void badInputIsOneLineEach() throws Exception {
        f = new ShellFixture();
        assertThat(f.shell.execute("frobnicate")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("kexec --bogus")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("kexec -l")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("kexec -l " + PINGPONG + " --load-preserve-context")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("kexec -u -e")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("kexec --append=\"unterminated")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("kexec -l README.md")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("x 0x10000000")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("ps now")).isEqualTo(Main.EXIT_USAGE);
        String[] lines = f.err().split("\n");
        assertThat(lines).hasSize(9);
        assertThat(lines[0]).isEqualTo("frobnicate: unknown command (help lists them)");
        assertThat(lines[1]).startsWith("kexec: Unknown option: '--bogus'");
        assertThat(lines[2]).isEqualTo("kexec: -l needs an IMAGE");
        assertThat(lines[3]).startsWith("kexec: choose one of");
        assertThat(lines[5]).isEqualTo("kjump: unterminated \" quote");
        assertThat(lines[6]).startsWith("kexec: load failed: ENOEXEC (README.md");
        assertThat(lines[7]).startsWith("x: EFAULT (10000000..1000003f is beyond RAM");
    }

    @Test
    void kexecHelpListsKexecToolsOptions() {
        f = new ShellFixture();
        assertThat(f.shell.execute("kexec -h")).isZero();
        assertThat(f.out()).contains("--load-preserve-context", "--load-jump-back-helper", "--entry=ADDR", "--append=TEXT",
                "--mem-min=ADDR", "--mem-max=ADDR", "-e, --exec", "-u, --unload", "-l, --load");
    }

    @Test
    void quitEndsAScriptSuccessfully() throws Exception {
        f = new ShellFixture();
        assertThat(f.script("quit", "kexec -e")).isZero();
        assertThat(f.err()).isEmpty();
    }

    @Test
    void wordsSplitLikeAShell() {
        assertThat(ShellWords.split("kexec  --append=\"a \\\"b\\\"\" 'c d' e\\ f # comment"))
                .containsExactly("kexec", "--append=a \"b\"", "c d", "e f");
        assertThat(ShellWords.split("   ")).isEmpty();
    }

    private static dev.kjump.kernel.Kernel kernelOf(ShellFixture f) {
        return f.shell.session().kernel();
    }
}
