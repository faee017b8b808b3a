package dev.kjump.cli;

import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.kexec.MachineKexec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timeline of a series of jumps, as nested spans: one per jump (depth 0), one per PM step (depth 1), and
 * machine_kexec's parts (depth 2): {@code swap_pages (in)}, {@code callee} (for a Linux peer {@code peer booted}
 * or {@code peer resumed}: its time inside the jump), {@code swap_pages (back)}. Both trace writers draw from it.
 *
 * <p>Every span is the kernel's own measurement: the PM steps' starts and durations ({@link JumpReport.Step}),
 * and machine_kexec's swap in, callee and swap back with their starts and durations
 * ({@link MachineKexec.Outcome}).
 */
final class TraceModel {
    /** What the spans are, for colours and Perfetto categories. */
    enum Kind { JUMP, STEP, FAILED_STEP, MACHINE_KEXEC, SWAP, CALLEE }

    /**
     * One span.
     *
     * @param name what ran, e.g. {@code device_suspend}
     * @param kind what it is
     * @param start nanoseconds since the first traced jump began
     * @param dur nanoseconds
     * @param depth 0 for a jump, 1 for its steps, 2 for machine_kexec's parts
     * @param jump the jump's index in the trace (0 for the first)
     * @param args details for people (shown as Perfetto args and SVG tooltips)
     */
    record Span(String name, Kind kind, long start, long dur, int depth, int jump, Map<String, String> args) {
        long end() {
            return start + dur;
        }
    }

    /**
     * A traced jump.
     *
     * @param execNanos {@link System#nanoTime()} when {@code kexec -e} was issued
     * @param image the image's name
     * @param report what the kernel recorded
     * @param peerEntry for a Linux peer, the kimage's entry (its purgatory): a jump that started there booted the
     *     peer, any other resumed it; -1 for any other callee
     */
    record Jump(long execNanos, String image, JumpReport report, long peerEntry) {
        Jump(long execNanos, String image, JumpReport report) {
            this(execNanos, image, report, -1);
        }

        /** A Linux peer: {@code "booted"} or {@code "resumed"}; null for any other callee. */
        String peer() {
            return peerEntry < 0 ? null : (report.startBefore() & 0xFFFFFFFFL) == peerEntry ? "booted" : "resumed";
        }
    }

    private final List<Span> spans = new ArrayList<>();

    private TraceModel() {
    }

    /**
     * The spans of one jump: the jump, its PM steps and machine_kexec's parts.
     *
     * @param index the jump's index in the trace (0 for the first)
     * @param base nanoseconds from the first traced jump's {@code kexec -e} to this one's
     */
    static List<Span> spans(int index, Jump j, long base) {
        TraceModel m = new TraceModel();
        m.build(index, j, base);
        return m.spans;
    }

    /** A one-line summary of a jump, e.g. for SVG headers. */
    static String summary(Jump j) {
        JumpReport r = j.report();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("#%d %s: %s in %s", r.number(), j.image(),
                r.result() == 0 ? "ok" : Errno.of(r.result()).name(), duration(r.totalNanos())));
        MachineKexec.Outcome o = r.outcome();
        if (o != null) {
            sb.append(String.format("; %d page(s) (%d KiB) each way; %s %s, %,d insns",
                    o.pagesSwapped(), o.pagesSwapped() * 4L, j.peer() == null ? "callee" : "the peer " + j.peer()
                            + ",", o.kind().name().toLowerCase().replace('_', ' '), o.calleeInstructions()));
        }
        if (r.integrity() != null) {
            sb.append(String.format("; integrity %s (%d checked, %d damaged)",
                    r.integrity().intact() ? "held" : "BROKEN", r.integrity().pagesChecked(),
                    r.integrity().damaged().size()));
        }
        return sb.toString();
    }

    /** A duration for people: ns, µs or ms with three significant digits or so. */
    static String duration(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format("%.2f µs", nanos / 1e3);
        }
        if (nanos < 10_000_000_000L) {
            return String.format("%.3f ms", nanos / 1e6);
        }
        return String.format("%.2f s", nanos / 1e9);
    }

    private void build(int index, Jump j, long base) {
        JumpReport r = j.report();
        MachineKexec.Outcome o = r.outcome();
        long end = r.totalNanos();
        for (JumpReport.Step s : r.steps()) {
            end = Math.max(end, s.startNanos() + s.durationNanos());
        }
        Map<String, String> jargs = new LinkedHashMap<>();
        jargs.put("image", j.image());
        jargs.put("result", Errno.describe(r.result()));
        jargs.put("entered at", String.format("0x%08x", r.startBefore()));
        if (o != null) {
            jargs.put("outcome", o.kind().name());
            jargs.put("pages swapped in", o.pagesSwapped() + " (" + o.pagesSwapped() * 4096L + " bytes)");
            jargs.put("pages swapped back", (o.kind() == MachineKexec.Kind.HANDED_OVER ? 0 : o.pagesSwapped())
                    + " (" + (o.kind() == MachineKexec.Kind.HANDED_OVER ? 0 : o.pagesSwapped() * 4096L) + " bytes)");
            jargs.put("callee instructions", Long.toString(o.calleeInstructions()));
        }
        putIntegrity(jargs, r);
        spans.add(new Span("kexec_jump #" + r.number(), Kind.JUMP, base, end, 0, index, jargs));
        boolean placedMachineKexec = false;
        for (JumpReport.Step s : r.steps()) {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("result", Errno.describe(s.result()));
            boolean mk = s.name().equals("machine_kexec");
            if (mk) {
                putIntegrity(a, r);
            }
            Kind kind = mk ? Kind.MACHINE_KEXEC : s.result() != 0 ? Kind.FAILED_STEP : Kind.STEP;
            spans.add(new Span(s.name(), kind, base + s.startNanos(), s.durationNanos(), 1, index, a));
            if (mk && o != null) {
                machineKexecParts(index, j, base + s.startNanos(), s.durationNanos(), 2);
                placedMachineKexec = true;
            }
        }
        if (!placedMachineKexec && o != null) {
            // no PM sequence (a hand-over without preserve_context): machine_kexec's parts hang off the jump
            machineKexecParts(index, j, base, end, 1);
        }
    }

    private static void putIntegrity(Map<String, String> a, JumpReport r) {
        if (r.integrity() != null) {
            a.put("integrity", r.integrity().summary());
        }
    }

    private void machineKexecParts(int index, Jump j, long start, long dur, int depth) {
        MachineKexec.Outcome o = j.report().outcome();
        boolean back = o.kind() != MachineKexec.Kind.HANDED_OVER;
        long[] d = {o.swapInNanos(), o.calleeNanos(), back ? o.swapBackNanos() : 0};
        long[] at = {o.swapInAt(), o.calleeAt(), o.swapBackAt()};
        for (int i = 0; i < 3; i++) { // the kernel's clocks nest; clamp anyway so the trace always nests
            at[i] = Math.max(0, Math.min(at[i], dur));
            d[i] = Math.max(0, Math.min(d[i], dur - at[i]));
        }
        long t = start + at[0];
        Map<String, String> in = new LinkedHashMap<>();
        in.put("direction", "in: destination pages <-> source pages");
        in.put("pages", Integer.toString(o.pagesSwapped()));
        in.put("bytes", Long.toString(o.pagesSwapped() * 4096L));
        spans.add(new Span("swap_pages (in)", Kind.SWAP, t, d[0], depth, index, in));
        t = start + at[1];
        Map<String, String> ca = new LinkedHashMap<>();
        if (j.peer() != null) {
            ca.put("peer", j.peer().equals("booted")
                    ? String.format("booted: entered at its purgatory 0x%08x", j.peerEntry())
                    : String.format("resumed: entered at its re-entry point 0x%08x", j.report().startBefore()));
        }
        ca.put("outcome", o.kind().name());
        ca.put("instructions", Long.toString(o.calleeInstructions()));
        ca.put("stop", o.stop() == null ? "" : o.stop().message());
        if (o.kind() == MachineKexec.Kind.JUMPED_BACK) {
            ca.put(o.returned() ? "returned (%eax)" : "re-entry point", o.returned() ? Integer.toString(o.eax())
                    : String.format("0x%08x", o.reentry()));
        }
        spans.add(new Span(j.peer() == null ? "callee" : "peer " + j.peer(), Kind.CALLEE, t, d[1], depth, index,
                ca));
        t = start + at[2];
        if (back) {
            Map<String, String> ba = new LinkedHashMap<>();
            ba.put("direction", "back: source pages <-> destination pages");
            ba.put("pages", Integer.toString(o.pagesSwapped()));
            ba.put("bytes", Long.toString(o.pagesSwapped() * 4096L));
            spans.add(new Span("swap_pages (back)", Kind.SWAP, t, d[2], depth, index, ba));
        }
    }
}
