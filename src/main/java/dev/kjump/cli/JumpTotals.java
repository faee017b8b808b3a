package dev.kjump.cli;

import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.kexec.MachineKexec;
import java.util.Locale;

/**
 * Running totals of a series of jumps: what the summary line and the JSON report's {@code "summary"} need, kept
 * as counters and minimum/maximum/sum figures, so a run holds the same few numbers after a million jumps as after
 * one (no report is kept).
 */
final class JumpTotals {
    /** A per-jump figure: how many, the least, the most and the sum (for the mean). */
    static final class Figure {
        private long count;
        private long min = Long.MAX_VALUE;
        private long max = Long.MIN_VALUE;
        private long sum;

        void add(long v) {
            count++;
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }

        long count() {
            return count;
        }

        /** The least value, or 0 when there is none. */
        long min() {
            return count == 0 ? 0 : min;
        }

        /** The greatest value, or 0 when there is none. */
        long max() {
            return count == 0 ? 0 : max;
        }

        long sum() {
            return sum;
        }

        /** The mean, or 0 when there is none. */
        double mean() {
            return count == 0 ? 0 : (double) sum / count;
        }

        /** {@code {"min": .., "max": .., "mean": .., "total": ..}}. */
        String json() {
            return String.format(Locale.ROOT, "{\"min\": %d, \"max\": %d, \"mean\": %.1f, \"total\": %d}", min(), max(),
                    mean(), sum);
        }
    }

    private long jumps;
    private long ok;
    private long cameBack;
    private long pagesChecked;
    private long damagedPages;
    private long brokenJumps;
    private long problems;
    private final Figure roundTripNanos = new Figure();
    private final Figure calleeInstructions = new Figure();
    private final Figure calleeNanos = new Figure();
    private final Figure pagesSwapped = new Figure();
    private final Figure swapNanos = new Figure();

    /** Counts one jump's report. */
    void add(JumpReport r) {
        jumps++;
        if (r.ok()) {
            ok++;
        }
        roundTripNanos.add(r.totalNanos());
        MachineKexec.Outcome o = r.outcome();
        if (o != null) {
            if (o.kind() == MachineKexec.Kind.JUMPED_BACK) {
                cameBack++;
            }
            calleeInstructions.add(o.calleeInstructions());
            calleeNanos.add(o.calleeNanos());
            pagesSwapped.add(o.pagesSwapped());
            swapNanos.add(o.swapInNanos() + o.swapBackNanos());
            problems += o.problems().size();
        }
        if (r.integrity() != null) {
            pagesChecked += r.integrity().pagesChecked();
            damagedPages += r.integrity().damaged().size();
            if (!r.integrity().intact()) {
                brokenJumps++;
            }
        }
    }

    /** Jumps counted. */
    long jumps() {
        return jumps;
    }

    /** Jumps that came back intact ({@link JumpReport#ok()}). */
    long ok() {
        return ok;
    }

    /** True when no counted jump found a damaged page. */
    boolean intact() {
        return brokenJumps == 0;
    }

    /** Pages swapped in (and as many back), over all jumps. */
    long pagesSwapped() {
        return pagesSwapped.sum();
    }

    long pagesChecked() {
        return pagesChecked;
    }

    long damagedPages() {
        return damagedPages;
    }

    /** Wall time of the round trips, per jump. */
    Figure roundTripNanos() {
        return roundTripNanos;
    }

    /**
     * The summary line without its prefix, e.g. {@code pingpong.elf: 3 of 3 jump(s) came back intact; 15 page(s)
     * swapped each way; 3045 page check(s), integrity held; 40.553 ms in jumps}.
     */
    String line(String name) {
        return String.format("%s: %d of %d jump(s) came back intact; %d page(s) swapped each way; %d page check(s), "
                + "integrity %s; %.3f ms in jumps", name, ok, jumps, pagesSwapped.sum(), pagesChecked,
                intact() ? "held" : "BROKEN", roundTripNanos.sum() / 1e6);
    }

    /** The JSON report's {@code "summary"} object (one line). */
    String json() {
        return "{\"jumps\": " + jumps + ", \"ok\": " + ok + ", \"cameBack\": " + cameBack
                + ", \"integrity\": " + JsonReport.str(intact() ? "held" : "BROKEN")
                + ", \"pagesChecked\": " + pagesChecked + ", \"damagedPages\": " + damagedPages
                + ", \"brokenJumps\": " + brokenJumps + ", \"problems\": " + problems
                + ", \"pagesSwapped\": " + pagesSwapped.json() + ", \"roundTripNanos\": " + roundTripNanos.json()
                + ", \"calleeInstructions\": " + calleeInstructions.json() + ", \"calleeNanos\": " + calleeNanos.json()
                + ", \"swapNanos\": " + swapNanos.json() + "}";
    }
}
