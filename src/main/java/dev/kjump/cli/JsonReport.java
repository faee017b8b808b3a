package dev.kjump.cli;

import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.Kernel;
import dev.kjump.kernel.kexec.MachineKexec;
import java.util.List;

/** The {@code --json} report: a small hand-written JSON writer (no library needed for this shape). */
final class JsonReport {
    private JsonReport() {
    }

    static String of(String image, List<JumpReport> reports, Kernel kernel) {
        return of(image, reports, kernel, false);
    }

    /**
     * The report; with {@code peer}, the callee of a last jump that did not come back also has
     * {@code "lastConsoleLine"}: what the peer said last on COM1, its panic line if it panicked
     * ({@link PeerLoad#lastWords}).
     */
    static String of(String image, List<JumpReport> reports, Kernel kernel, boolean peer) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"image\": ").append(str(image)).append(",\n");
        sb.append("  \"memoryBytes\": ").append(kernel.machine().memory().size()).append(",\n");
        sb.append("  \"cpus\": ").append(kernel.cpus().count()).append(",\n");
        sb.append("  \"jumps\": [");
        for (int i = 0; i < reports.size(); i++) {
            JumpReport r = reports.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {");
            sb.append("\"number\": ").append(r.number());
            sb.append(", \"result\": ").append(r.result());
            sb.append(", \"errno\": ").append(r.result() < 0 ? str(Errno.of(r.result()).name()) : "null");
            sb.append(", \"ok\": ").append(r.ok());
            sb.append(", \"startBefore\": ").append(str(String.format("0x%08x", r.startBefore())));
            sb.append(", \"totalNanos\": ").append(r.totalNanos());
            sb.append(",\n      \"steps\": [");
            for (int j = 0; j < r.steps().size(); j++) {
                JumpReport.Step s = r.steps().get(j);
                sb.append(j == 0 ? "" : ", ").append("{\"name\": ").append(str(s.name())).append(", \"startNanos\": ")
                        .append(s.startNanos()).append(", \"durationNanos\": ").append(s.durationNanos())
                        .append(", \"result\": ").append(s.result()).append('}');
            }
            sb.append("]");
            if (r.outcome() != null) {
                var o = r.outcome();
                sb.append(",\n      \"callee\": {\"outcome\": ").append(str(o.kind().name()))
                        .append(", \"returned\": ").append(o.returned())
                        .append(", \"eax\": ").append(o.eax() & 0xFFFFFFFFL)
                        .append(", \"reentry\": ").append(str(String.format("0x%08x", o.reentry())))
                        .append(", \"instructions\": ").append(o.calleeInstructions())
                        .append(", \"nanos\": ").append(o.calleeNanos())
                        .append(", \"stop\": ").append(str(o.stop().message()))
                        .append(", \"pagesSwapped\": ").append(o.pagesSwapped())
                        .append(", \"bytesSwapped\": ").append(o.pagesSwapped() * 4096L)
                        .append(", \"swapInNanos\": ").append(o.swapInNanos())
                        .append(", \"swapBackNanos\": ").append(o.swapBackNanos())
                        .append(", \"problems\": [");
                for (int j = 0; j < o.problems().size(); j++) {
                    sb.append(j == 0 ? "" : ", ").append(str(o.problems().get(j)));
                }
                sb.append("]");
                if (peer && i == reports.size() - 1 && o.kind() != MachineKexec.Kind.JUMPED_BACK) {
                    sb.append(", \"lastConsoleLine\": ").append(str(PeerLoad.lastWords(kernel.machine())));
                }
                sb.append('}');
            }
            if (r.integrity() != null) {
                var g = r.integrity();
                sb.append(",\n      \"integrity\": {\"intact\": ").append(g.intact())
                        .append(", \"pagesChecked\": ").append(g.pagesChecked())
                        .append(", \"destinationPages\": ").append(g.destinationPages())
                        .append(", \"damaged\": [");
                for (int j = 0; j < g.damaged().size(); j++) {
                    sb.append(j == 0 ? "" : ", ").append(str(String.format("0x%08x", g.damaged().get(j))));
                }
                sb.append("]}");
            }
            sb.append('}');
        }
        sb.append(reports.isEmpty() ? "]\n" : "\n  ]\n");
        sb.append("}\n");
        return sb.toString();
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
