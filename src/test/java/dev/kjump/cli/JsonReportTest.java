package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.Kernel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 2: the {@code --json} report streams, each jump written as it ends and the summary made from
 * running totals; the file is valid JSON and complete at the end, after Ctrl-C, after SIGTERM and after a failure;
 * and nothing a run keeps grows with its jumps.
 */
class JsonReportTest {
    @TempDir
    Path tmp;

    private static Map<?, ?> parse(Path file) throws Exception {
        return (Map<?, ?>) MiniJson.parse(Files.readString(file));
    }

    private static double num(Map<?, ?> m, String key) {
        return (Double) m.get(key);
    }

    /** Every jump once, in order, and a summary that adds up to them. */
    private static void complete(Map<?, ?> rep, int jumps, double exitStatus) {
        List<?> js = (List<?>) rep.get("jumps");
        assertThat(js).hasSize(jumps);
        long total = 0;
        long pages = 0;
        for (int i = 0; i < js.size(); i++) {
            Map<?, ?> j = (Map<?, ?>) js.get(i);
            assertThat(num(j, "number")).isEqualTo(i + 1);
            assertThat(j.get("ok")).isEqualTo(true);
            total += (long) num(j, "totalNanos");
            pages += (long) num((Map<?, ?>) j.get("callee"), "pagesSwapped");
        }
        Map<?, ?> s = (Map<?, ?>) rep.get("summary");
        assertThat(num(s, "jumps")).isEqualTo(jumps);
        assertThat(num(s, "ok")).isEqualTo(jumps);
        assertThat(s.get("integrity")).isEqualTo("held");
        assertThat(num(s, "damagedPages")).isZero();
        Map<?, ?> rt = (Map<?, ?>) s.get("roundTripNanos");
        assertThat(num(rt, "total")).isEqualTo(total);
        assertThat(num(rt, "min")).isPositive().isLessThanOrEqualTo(num(rt, "mean"));
        assertThat(num(rt, "mean")).isLessThanOrEqualTo(num(rt, "max"));
        assertThat(num((Map<?, ?>) s.get("pagesSwapped"), "total")).isEqualTo(pages).isEqualTo(5.0 * jumps);
        assertThat(rep.get("exitStatus")).isEqualTo(exitStatus);
    }

    @Test
    void runAndKexecStreamAValidCompleteReport() throws Exception {
        Path json = tmp.resolve("run.json");
        RunCliTest.Result r = RunCliTest.run("run", ShellFixture.PINGPONG, "--jumps", "200", "--mem", "32M", "--json",
                json.toString());
        assertThat(r.status()).as(r.err()).isZero();
        Map<?, ?> rep = parse(json);
        assertThat(rep.get("image")).isEqualTo(ShellFixture.PINGPONG);
        assertThat(num(rep, "memoryBytes")).isEqualTo(32 << 20);
        complete(rep, 200, 0);

        Path k = tmp.resolve("kexec.json");
        r = RunCliTest.run("kexec", "--load-preserve-context", ShellFixture.PINGPONG, "--jumps", "200", "--mem", "32M",
                "--json", k.toString());
        assertThat(r.status()).as(r.err()).isZero();
        complete(parse(k), 200, 0);
    }

    /** A crash ends the run after its first jump: the report says so and still parses. */
    @Test
    void aFailedRunStillEndsItsReport() throws Exception {
        Path json = tmp.resolve("crash.json");
        RunCliTest.Result r = RunCliTest.run("run", ShellFixture.CRASH, "--append", "gp", "--jumps", "5", "--mem", "32M",
                "--json", json.toString());
        assertThat(r.status()).isEqualTo(Main.EXIT_FAULT);
        Map<?, ?> rep = parse(json);
        assertThat((List<?>) rep.get("jumps")).hasSize(1);
        assertThat(num((Map<?, ?>) rep.get("summary"), "ok")).isZero();
        assertThat(rep.get("exitStatus")).isEqualTo((double) Main.EXIT_FAULT);
    }

    /** The finally path: a run that dies of an exception mid-way leaves a valid report with no exit status. */
    @Test
    void anExceptionMidRunLeavesAValidReport() throws Exception {
        ShellFixture f = new ShellFixture();
        assertThat(f.script("kexec --load-preserve-context " + ShellFixture.PINGPONG, "kexec -e", "kexec -e")).isZero();
        Kernel k = f.shell.session().kernel();
        Path json = tmp.resolve("dies.json");
        JumpTotals totals = new JumpTotals();
        try (JsonReport rep = JsonReport.open(json, "pingpong.elf", k, false, totals, System.err)) {
            for (var j : k.jumps()) {
                totals.add(j);
                rep.add(j);
            }
            throw new IllegalStateException("the run dies");
        } catch (IllegalStateException expected) {
            // the report was closed on the way out
        }
        Map<?, ?> rep = parse(json);
        assertThat((List<?>) rep.get("jumps")).hasSize(2);
        assertThat(num((Map<?, ?>) rep.get("summary"), "jumps")).isEqualTo(2);
        assertThat(rep.containsKey("exitStatus")).isTrue();
        assertThat(rep.get("exitStatus")).isNull();
    }

    /**
     * A real process, stopped by a signal in the middle of a long run: after Ctrl-C (SIGINT) the run ends between
     * or inside a jump with exit 130 and the report is complete up to there; after SIGTERM the JVM's shutdown closes
     * the report (no exit status in it).
     */
    @Test
    void aSignalledRunLeavesAValidReport() throws Exception {
        for (String sig : List.of("INT", "TERM")) {
            Path json = tmp.resolve("sig-" + sig + ".json");
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "run", ShellFixture.PINGPONG, "--jumps", "100000000", "--mem", "32M", "--json", json.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(tmp.resolve(sig + ".err").toFile())
                    .start();
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                // the report is buffered: bytes on disk mean jumps are well under way (Ctrl-C is caught by then)
                while ((!Files.exists(json) || Files.size(json) == 0) && System.nanoTime() < until && p.isAlive()) {
                    Thread.sleep(50);
                }
                assertThat(Files.size(json)).as("the run wrote its report").isPositive();
                assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor()).isZero();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the run ended after SIG" + sig).isTrue();
            } finally {
                p.destroyForcibly();
            }
            String err = Files.readString(tmp.resolve(sig + ".err"));
            Map<?, ?> rep = parse(json);
            int jumps = ((List<?>) rep.get("jumps")).size();
            assertThat(jumps).isPositive();
            assertThat(num((Map<?, ?>) rep.get("summary"), "jumps")).isGreaterThanOrEqualTo(jumps);
            List<?> js = (List<?>) rep.get("jumps");
            for (int i = 0; i < jumps; i++) {
                assertThat(num((Map<?, ?>) js.get(i), "number")).isEqualTo(i + 1);
            }
            if (sig.equals("INT")) {
                // between jumps the loop ends; inside one the callee is stopped (-EINTR, contained): that jump is in
                assertThat(p.exitValue()).as(err).isEqualTo(Main.EXIT_INTERRUPTED);
                assertThat(err).containsAnyOf("interrupted (Ctrl-C)", "returned EINTR");
                assertThat(num((Map<?, ?>) rep.get("summary"), "jumps")).isEqualTo(jumps);
                assertThat(num((Map<?, ?>) rep.get("summary"), "ok")).isBetween(jumps - 1.0, (double) jumps);
                assertThat(rep.get("exitStatus")).isEqualTo((double) Main.EXIT_INTERRUPTED);
            } else {
                assertThat(p.exitValue()).as(err).isEqualTo(128 + 15);
                assertThat(rep.containsKey("exitStatus")).isTrue();
        assertThat(rep.get("exitStatus")).isNull();
            }
        }
    }

    /**
     * O(1) per jump: what a kexec tool with a JSON report and a trace holds, everything reachable from it that is
     * its own (not the kernel's or the machine's), is the same after 2,000 jumps as after 100: no per-jump list,
     * no growing buffer. And the kernel keeps only its last {@value Kernel#JUMP_HISTORY} reports.
     */
    @Test
    void whatARunHoldsDoesNotGrowWithItsJumps() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ShellFixture f = new ShellFixture();
        KexecTool tool = f.shell.kexec();
        PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
        assertThat(f.shell.execute("kexec --load-preserve-context " + ShellFixture.PINGPONG)).isZero();
        tool.trace(new TraceFile(tmp.resolve("t.svg")));
        JsonReport rep = JsonReport.open(tmp.resolve("r.json"), "pingpong.elf", f.shell.session().kernel(), false,
                tool.totals(), quiet);
        tool.json(rep);
        long at100 = 0;
        for (int i = 1; i <= 2000; i++) {
            assertThat(tool.exec()).isZero();
            if (i == 100) {
                at100 = footprint(tool, rep);
            }
        }
        assertThat(footprint(tool, rep)).as("objects, elements and characters the tool and report hold")
                .isEqualTo(at100).isPositive();
        rep.exitStatus(0);
        rep.close();
        Kernel k = f.shell.session().kernel();
        assertThat(k.jumpCount()).isEqualTo(2000);
        assertThat(k.jumps()).hasSize(Kernel.JUMP_HISTORY);
        assertThat(tool.totals().jumps()).isEqualTo(2000);
        complete(parse(tmp.resolve("r.json")), 2000, 0);
    }

    /**
     * Objects reachable from {@code roots}, plus the elements of every array and collection and the characters
     * of every string and builder among them. Only the CLI's own objects are looked into field by field; the
     * kernel's and the machine's are counted but not entered (they have their own bounds), nor are the JDK's
     * (their collections and strings by size).
     */
    private static long footprint(Object... roots) throws IllegalAccessException {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        List<Object> todo = new java.util.ArrayList<>(List.of(roots)); // a stack; nulls allowed
        long size = 0;
        while (!todo.isEmpty()) {
            Object o = todo.remove(todo.size() - 1);
            if (o == null || seen.put(o, true) != null) {
                continue;
            }
            size++;
            Class<?> c = o.getClass();
            if (c.isArray()) {
                int n = Array.getLength(o);
                size += n;
                if (!c.getComponentType().isPrimitive()) {
                    for (int i = 0; i < n; i++) {
                        todo.add(Array.get(o, i));
                    }
                }
            } else if (o instanceof CharSequence s) {
                size += s.length();
            } else if (o instanceof Collection<?> col) {
                size += col.size();
                col.forEach(todo::add);
            } else if (o instanceof Map<?, ?> m) {
                size += m.size();
                m.forEach((key, v) -> {
                    todo.add(key);
                    todo.add(v);
                });
            } else if (c.getPackageName().equals("dev.kjump.cli") && !(o instanceof KernelSession)) {
                for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                    if (!k.getPackageName().equals("dev.kjump.cli")) {
                        break;
                    }
                    for (Field fd : k.getDeclaredFields()) {
                        if (!Modifier.isStatic(fd.getModifiers()) && !fd.getType().isPrimitive()) {
                            fd.setAccessible(true);
                            todo.add(fd.get(o));
                        }
                    }
                }
            }
        }
        return size;
    }
}
