package dev.kjump.cli;

import static dev.kjump.cli.ShellFixture.CRASH;
import static dev.kjump.cli.ShellFixture.PINGPONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kjump.kernel.JumpReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class TraceTest {
    @TempDir
    Path tmp;

    /** Two ping-pongs, a jump refused by a task that will not freeze, and a crash: every shape of report. */
    private ShellFixture traced(Path file) throws Exception {
        ShellFixture f = new ShellFixture(file);
        assertThat(f.script("kexec --load-preserve-context " + PINGPONG, "kexec -e", "kexec -e")).isZero();
        f.shell.session().kernel().tasks().get(1).setRefuseFreeze(true);
        assertThat(f.shell.execute("kexec -e")).isEqualTo(Main.EXIT_USAGE);
        f.shell.session().kernel().tasks().get(1).setRefuseFreeze(false);
        f.shell.execute("kexec --load-preserve-context " + CRASH + " --append=gp");
        assertThat(f.shell.execute("kexec -e")).isEqualTo(Main.EXIT_FAULT);
        assertThat(f.shell.session().kernel().jumps()).hasSize(4);
        return f;
    }

    record Ev(String name, long ts, long dur, Map<?, ?> args) {
        long end() {
            return ts + dur;
        }
    }

    @Test
    void perfettoJsonParsesAndItsEventsNest() throws Exception {
        Path file = tmp.resolve("t.json");
        ShellFixture f = traced(file);
        Map<?, ?> root = (Map<?, ?>) MiniJson.parse(Files.readString(file));
        List<Ev> evs = new ArrayList<>();
        for (Object o : (List<?>) root.get("traceEvents")) {
            Map<?, ?> e = (Map<?, ?>) o;
            if (!"X".equals(e.get("ph"))) {
                assertThat(e.get("ph")).isEqualTo("M");
                continue;
            }
            assertThat(e.get("pid")).isEqualTo(1.0);
            assertThat(e.get("tid")).isEqualTo(1.0);
            // microseconds with three decimals: exact nanoseconds
            long ts = Math.round((Double) e.get("ts") * 1000);
            long dur = Math.round((Double) e.get("dur") * 1000);
            assertThat(dur).isNotNegative();
            evs.add(new Ev((String) e.get("name"), ts, dur, (Map<?, ?>) e.get("args")));
        }
        List<JumpReport> reps = f.shell.session().kernel().jumps();
        int expected = 0;
        for (JumpReport r : reps) {
            expected += 1 + r.steps().size() + (r.outcome() != null ? 3 : 0);
        }
        assertThat(evs).hasSize(expected);
        assertThat(evs.stream().filter(e -> e.name().startsWith("kexec_jump #"))).hasSize(4);

        // a proper tree: sorted by start (longest first), every event lies wholly inside the innermost open one
        evs.sort(Comparator.comparingLong(Ev::ts).thenComparing(Comparator.comparingLong(Ev::dur).reversed()));
        Deque<Ev> open = new ArrayDeque<>();
        int checked = 0;
        for (Ev e : evs) {
            // close what e is not inside; e must start after each closed event ends (no partial overlap)
            while (!open.isEmpty() && !(open.peek().ts() <= e.ts() && e.end() <= open.peek().end())) {
                Ev closed = open.pop();
                assertThat(e.ts()).as("%s overlaps %s", e, closed).isGreaterThanOrEqualTo(closed.end());
            }
            Ev parent = open.peek();
            if (e.name().startsWith("kexec_jump #")) {
                assertThat(parent).as("jumps are top level: %s", e).isNull();
            } else {
                assertThat(parent).as("%s has a parent", e.name()).isNotNull();
                assertThat(e.ts()).as("%s starts inside %s", e.name(), parent.name()).isGreaterThanOrEqualTo(parent.ts());
                assertThat(e.end()).as("%s ends inside %s", e.name(), parent.name()).isLessThanOrEqualTo(parent.end());
                if (e.name().startsWith("swap_pages") || e.name().equals("callee")) {
                    assertThat(parent.name()).isEqualTo("machine_kexec");
                } else {
                    assertThat(parent.name()).startsWith("kexec_jump #");
                }
                checked++;
            }
            open.push(e);
        }
        assertThat(checked).isEqualTo(expected - 4);

        Ev swapIn = evs.stream().filter(e -> e.name().equals("swap_pages (in)")).findFirst().orElseThrow();
        assertThat(swapIn.args().get("pages")).isEqualTo("5");
        assertThat(swapIn.args().get("bytes")).isEqualTo("20480");
        Ev callee = evs.stream().filter(e -> e.name().equals("callee")).findFirst().orElseThrow();
        assertThat(Long.parseLong((String) callee.args().get("instructions")))
                .isEqualTo(reps.get(0).outcome().calleeInstructions()).isPositive();
        Ev mk = evs.stream().filter(e -> e.name().equals("machine_kexec")).findFirst().orElseThrow();
        assertThat((String) mk.args().get("integrity")).startsWith("held: ").endsWith(", 0 damaged");
        Ev refused = evs.stream().filter(e -> e.name().equals("freeze_processes") && !"0".equals(e.args().get("result")))
                .findFirst().orElseThrow();
        assertThat((String) refused.args().get("result")).startsWith("EBUSY");
    }

    @Test
    void svgIsWellFormedAndNamesEveryPmStep() throws Exception {
        Path file = tmp.resolve("t.svg");
        ShellFixture f = traced(file);
        var dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = dbf.newDocumentBuilder().parse(file.toFile());
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        var texts = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < texts.getLength(); i++) {
            labels.add(texts.item(i).getTextContent());
        }
        List<JumpReport> reps = f.shell.session().kernel().jumps();
        for (JumpReport r : reps) {
            for (JumpReport.Step s : r.steps()) {
                assertThat(labels).as("a label for %s", s.name()).contains(s.name());
            }
        }
        assertThat(reps.get(0).steps()).extracting(JumpReport.Step::name).contains("freeze_processes", "device_suspend",
                "disable_nonboot_cpus", "device_power_down", "save_processor_state", "machine_kexec",
                "restore_processor_state", "device_power_up", "enable_nonboot_cpus", "device_resume", "thaw_processes");
        assertThat(labels).contains("swap_pages (in)", "callee", "swap_pages (back)", "5 pages");
        assertThat(labels).anyMatch(l -> l.startsWith("integrity held: "));
        assertThat(labels).anyMatch(l -> l.startsWith("#3 pingpong.elf: EBUSY"));
        // one bar per span, each at least 2 px wide, with a tooltip
        var rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        int bars = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            var r = (org.w3c.dom.Element) rects.item(i);
            if (r.hasAttribute("class")) {
                bars++;
                assertThat(Double.parseDouble(r.getAttribute("width"))).isGreaterThanOrEqualTo(2.0);
                assertThat(r.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title").getLength()).isEqualTo(1);
            }
        }
        int spans = 0;
        for (JumpReport r : reps) {
            spans += 1 + r.steps().size() + (r.outcome() != null ? 3 : 0);
        }
        assertThat(bars).isEqualTo(spans);
    }

    @Test
    void theExtensionPicksTheFormatAndAnythingElseIsRefused() throws Exception {
        assertThat(TraceFile.formatOf(Path.of("a.JSON"))).isEqualTo(TraceFile.Format.JSON);
        assertThat(TraceFile.formatOf(Path.of("x/a.svg"))).isEqualTo(TraceFile.Format.SVG);
        assertThatThrownBy(() -> TraceFile.formatOf(Path.of("a.txt"))).hasMessageContaining(".json").hasMessageContaining(".svg");
        ShellFixture f = new ShellFixture();
        assertThat(f.shell.execute("trace")).isZero();
        assertThat(f.shell.execute("trace on")).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.shell.execute("trace on " + tmp.resolve("t.png"))).isEqualTo(Main.EXIT_USAGE);
        assertThat(f.err()).contains("trace: no file", "must end in .json");
        Path json = tmp.resolve("later.json");
        assertThat(f.script("trace on " + json, "kexec --load-preserve-context " + PINGPONG, "kexec -e", "trace off",
                "kexec -e")).isZero();
        assertThat(f.out()).contains("trace: off; 1 jump(s) written to " + json);
        String text = Files.readString(json);
        assertThat(text).contains("kexec_jump #1").doesNotContain("kexec_jump #2");
    }

    /**
     * Issue 13, finding 4: each write appends one jump and rewrites only the tail, so the file parses after every
     * jump and grows by the same number of bytes per jump at the 10th as at the 1,000th (the old writer rewrote
     * every jump every time: quadratic).
     */
    @Test
    void theFileIsValidAfterEveryJumpAndGrowsByOneJumpPerJump() throws Exception {
        ShellFixture f = new ShellFixture();
        assertThat(f.script("kexec --load-preserve-context " + PINGPONG, "kexec -e")).isZero();
        JumpReport rep = f.shell.session().kernel().jumps().get(0);
        var dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        for (String name : List.of("t.json", "t.svg")) {
            Path file = tmp.resolve(name);
            TraceFile t = new TraceFile(file);
            List<Long> growth = new ArrayList<>();
            long size = 0;
            for (int i = 0; i < 1000; i++) {
                t.add(1_000_000_000L + i * 1_000_000_000L, "pingpong.elf", rep);
                t.write();
                growth.add(Files.size(file) - size);
                size = Files.size(file);
                if (i % 97 == 0 || i == 999) {
                    if (name.endsWith(".json")) {
                        List<?> evs = (List<?>) ((Map<?, ?>) MiniJson.parse(Files.readString(file))).get("traceEvents");
                        assertThat(evs).hasSize(2 + (i + 1) * (1 + rep.steps().size() + 3));
                    } else {
                        Document doc = dbf.newDocumentBuilder().parse(file.toFile());
                        var texts = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
                        assertThat(texts.item(texts.getLength() - 1).getTextContent()).isEqualTo((i + 1) + " jump(s)");
                        assertThat(Integer.parseInt(doc.getDocumentElement().getAttribute("height")))
                                .isGreaterThan(SvgTrace.FIRST_Y + 16 * (i + 1));
                    }
                }
            }
            // past the SVG's waterfalls, every jump adds about the same: the 1,000th no more than the 60th (give or
            // take the timestamps' extra digits)
            assertThat(growth.get(999)).as(name).isPositive().isLessThanOrEqualTo(growth.get(59) + 64);
            assertThat(t.size()).isEqualTo(1000);
        }
    }

    @Test
    void microsecondsAreExact() {
        assertThat(PerfettoTrace.micros(0)).isEqualTo("0.000");
        assertThat(PerfettoTrace.micros(5)).isEqualTo("0.005");
        assertThat(PerfettoTrace.micros(1_234_567)).isEqualTo("1234.567");
    }
}
