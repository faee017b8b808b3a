package dev.kjump.cli;

import java.util.List;
import java.util.Map;

/**
 * Chrome/Perfetto trace JSON ({@code chrome://tracing}, {@code ui.perfetto.dev}): one complete event
 * ({@code "ph":"X"}) per span, {@code ts} and {@code dur} in microseconds with nanosecond decimals, all on one
 * thread so the viewers nest them: a jump, its PM steps, machine_kexec's swap in, callee and swap back.
 *
 * <p>The file is {@link #HEAD}, then each jump's {@link #events} in turn, then {@link #TAIL}: a jump is appended
 * by writing its events over the tail and the tail after them.
 */
final class PerfettoTrace {
    /** The start of the file, up to the last metadata event. */
    static final String HEAD = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
            + "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"kjump kernel\"}},\n"
            + "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"kexec_jump (boot CPU)\"}}";

    /** The end of the file. */
    static final String TAIL = "\n]}\n";

    private PerfettoTrace() {
    }

    /** One jump's spans as events, each preceded by {@code ",\n"}. */
    static void events(List<TraceModel.Span> spans, StringBuilder sb) {
        for (TraceModel.Span s : spans) {
            sb.append(",\n{\"name\":").append(JsonReport.str(s.name()))
                    .append(",\"cat\":").append(JsonReport.str(s.kind().name().toLowerCase()))
                    .append(",\"ph\":\"X\",\"pid\":1,\"tid\":1")
                    .append(",\"ts\":").append(micros(s.start()))
                    .append(",\"dur\":").append(micros(s.dur()))
                    .append(",\"args\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : s.args().entrySet()) {
                sb.append(first ? "" : ",").append(JsonReport.str(e.getKey())).append(':').append(JsonReport.str(e.getValue()));
                first = false;
            }
            sb.append("}}");
        }
    }

    /** Nanoseconds as microseconds with exactly three decimals (exact: no floating point). */
    static String micros(long nanos) {
        return String.format("%d.%03d", nanos / 1000, nanos % 1000);
    }
}
