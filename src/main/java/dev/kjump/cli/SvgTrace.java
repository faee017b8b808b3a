package dev.kjump.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A self-contained SVG picture of the jumps (no scripts, fonts or style sheets from elsewhere), in the order they
 * ran: per jump a summary line, and for the first {@link #MAX_DETAILED} a waterfall under it, one labelled row per
 * span — the PM steps, machine_kexec and its swap in, callee and swap back — with start and duration in the label
 * column and a bar on a linear time axis; the last line counts the jumps. Bars are at least 2 px wide, so the
 * sub-microsecond steps stay visible next to a callee that ran for seconds; the labels carry the exact numbers,
 * and every bar has a tooltip with the details.
 *
 * <p>The file is {@link #head} (whose height has a fixed width), then each jump's {@link #jump} in turn, then
 * {@link #tail}: a jump is appended by writing it over the tail, the tail after it and the head's new height.
 */
final class SvgTrace {
    /** At most this many jumps get a waterfall (all have a summary line, and all are in the JSON trace). */
    static final int MAX_DETAILED = 50;

    /** Where the first jump's summary line goes. */
    static final int FIRST_Y = 50;

    private static final int WIDTH = 1200, LABEL_X = 12, START_X = 300, DUR_X = 380, EXTRA_X = 390, BAR_X = 530, BAR_W = WIDTH - BAR_X - 20, ROW = 16;

    private SvgTrace() {
    }

    /** The start of the file, for a picture {@code height} px high; its length does not depend on the height. */
    static String head(int height) {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%010d\" viewBox=\"0 0 %d %010d\">%n",
                WIDTH, height, WIDTH, height));
        sb.append("<style>\n")
                .append("text { font-family: monospace; font-size: 11px; fill: #222; white-space: pre; }\n")
                .append(".title { font-size: 15px; font-weight: bold; }\n")
                .append(".head { font-size: 12px; font-weight: bold; }\n")
                .append(".bad { fill: #b00; }\n")
                .append(".axis { fill: #777; }\n")
                .append(".JUMP { fill: #9aa5b1; } .STEP { fill: #4a7fc1; } .FAILED_STEP { fill: #d33; }\n")
                .append(".MACHINE_KEXEC { fill: #e08a2c; } .SWAP { fill: #3a9a5b; } .CALLEE { fill: #8e5bb5; }\n")
                .append("</style>\n");
        sb.append(String.format("<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>%n"));
        sb.append(text(LABEL_X, 28, "kjump: kexec jump timeline: a line per jump, the first " + MAX_DETAILED
                + " with their waterfall", "title")).append('\n');
        return sb.toString();
    }

    /**
     * One jump, its summary line at {@code y}: appended to {@code sb}.
     *
     * @param index the jump's index in the trace (0 for the first): the first {@link #MAX_DETAILED} get a waterfall
     * @param spans its spans ({@link TraceModel#spans})
     * @return where the next jump's summary line goes
     */
    static int jump(int index, TraceModel.Jump j, List<TraceModel.Span> spans, int y, StringBuilder sb) {
        List<String> body = new ArrayList<>();
        if (index == MAX_DETAILED) {
            y += ROW;
            body.add(text(LABEL_X, y, "from here on a line per jump; the .json trace has every span of every jump", "sum"));
            y += ROW;
        }
        body.add(text(LABEL_X, y, TraceModel.summary(j), j.report().ok() ? "sum" : "sum bad"));
        y += ROW;
        if (index < MAX_DETAILED) {
            y = jump(body, j, spans, y + 18) + ROW;
        }
        for (String s : body) {
            sb.append(s).append('\n');
        }
        return y;
    }

    /** The end of the file after {@code count} jumps, the next line at {@code y}. */
    static String tail(int count, int y) {
        return text(LABEL_X, y + ROW, count + " jump(s)", "head") + "\n</svg>\n";
    }

    /** The picture's height for a tail at {@code y}. */
    static int height(int y) {
        return y + ROW + 20;
    }

    private static int jump(List<String> body, TraceModel.Jump j, List<TraceModel.Span> spans, int y) {
        TraceModel.Span top = spans.get(0);
        body.add(text(LABEL_X, y, "jump #" + j.report().number() + " (" + j.image() + "): "
                + TraceModel.duration(top.dur()) + " round trip", "head"));
        y += 6;
        // axis: 0, half, total
        body.add(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\"/>", BAR_X, y, BAR_X + BAR_W, y));
        for (int k = 0; k <= 4; k++) {
            int x = BAR_X + BAR_W * k / 4;
            body.add(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\"/>", x, y - 3, x, y + 3));
            String label = TraceModel.duration(top.dur() * k / 4);
            body.add(text(k == 4 ? x - 7 * label.length() : x, y - 5, label, "axis"));
        }
        y += 4;
        body.add(text(LABEL_X, y + 12, "step", "axis"));
        body.add(textEnd(START_X, y + 12, "start", "axis"));
        body.add(textEnd(DUR_X, y + 12, "duration", "axis"));
        y += ROW;
        for (TraceModel.Span s : spans) {
            String cls = s.kind() == TraceModel.Kind.FAILED_STEP ? "bad" : null;
            body.add(text(LABEL_X + 14 * s.depth(), y + 12, s.name(), cls));
            body.add(textEnd(START_X, y + 12, "+" + TraceModel.duration(s.start() - top.start()), cls));
            body.add(textEnd(DUR_X, y + 12, TraceModel.duration(s.dur()), cls));
            String extra = s.kind() == TraceModel.Kind.SWAP ? s.args().get("pages") + " pages"
                    : s.kind() == TraceModel.Kind.CALLEE ? s.args().get("instructions") + " insns"
                    : s.kind() == TraceModel.Kind.FAILED_STEP ? s.args().get("result") : "";
            if (!extra.isEmpty()) {
                body.add(text(EXTRA_X, y + 12, extra, cls));
            }
            double scale = top.dur() == 0 ? 0 : (double) BAR_W / top.dur();
            double x = BAR_X + (s.start() - top.start()) * scale;
            double w = Math.max(2, s.dur() * scale);
            if (x + w > BAR_X + BAR_W) {
                x = BAR_X + BAR_W - w;
            }
            StringBuilder tip = new StringBuilder(s.name() + ": start +" + TraceModel.duration(s.start() - top.start())
                    + ", " + TraceModel.duration(s.dur()));
            for (Map.Entry<String, String> e : s.args().entrySet()) {
                tip.append("\n").append(e.getKey()).append(": ").append(e.getValue());
            }
            body.add(String.format("<rect class=\"%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\"><title>%s</title></rect>",
                    s.kind().name(), x, y + 3, w, ROW - 5, esc(tip.toString())));
            y += ROW;
        }
        TraceModel.Span mk = spans.stream().filter(s -> s.kind() == TraceModel.Kind.MACHINE_KEXEC).findFirst().orElse(null);
        String integrity = (mk != null ? mk.args() : top.args()).get("integrity");
        body.add(text(LABEL_X, y + 12, "integrity " + (integrity != null ? integrity : "not checked (the callee never ran)"),
                integrity != null && integrity.startsWith("held") ? null : "bad"));
        return y + ROW;
    }

    private static String textEnd(double x, int y, String s, String cls) {
        return text(x, y, s, cls).replaceFirst("<text ", "<text text-anchor=\"end\" ");
    }

    private static String text(double x, int y, String s, String cls) {
        return String.format("<text x=\"%.0f\" y=\"%d\"%s>%s</text>", x, y, cls == null ? "" : " class=\"" + cls + "\"",
                esc(s));
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\n' -> sb.append("&#10;");
                default -> {
                    if (c < 0x20 && c != '\t') {
                        sb.append('?');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
