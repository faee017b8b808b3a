package dev.kjump.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What kexec-tools' ELF loader does for {@code kexec -l}: turns an image's PT_LOAD segments into the segments
 * it hands {@code kexec_load} — destinations widened to whole pages (the kernel demands page-aligned {@code mem}
 * and {@code memsz}), segments that then share a page merged — and passes the command line. The result is
 * {@link Segment}s of this layer; the cli turns them into the kernel's {@code struct kexec_segment}s.
 *
 * <p>The command line ({@code --append}) contract: an image that wants one defines a global object
 * {@code char kjump_cmdline[N]} (in a loaded, file-backed part of a segment); the loader writes the text there,
 * NUL-terminated, before loading. Text longer than {@code N - 1} bytes, or an image without the symbol, is an
 * error.
 */
public final class KexecLoader {
    /** The symbol an image defines to receive {@code --append}. */
    public static final String CMDLINE_SYMBOL = "kjump_cmdline";

    private KexecLoader() {
    }

    /**
     * The segments to load for {@code image}, page aligned and merged, with {@code append} (may be null) written
     * into {@code kjump_cmdline}.
     *
     * @throws ImageException when the command line cannot be passed
     */
    public static List<Segment> segments(Image image, String append) throws ImageException {
        List<long[]> ranges = new ArrayList<>(); // [start, end) page-aligned
        List<Segment> segs = image.segments();
        for (Segment s : segs) {
            long start = s.physAddr() & ~0xFFFL;
            long end = (s.physAddr() + s.memSize() + 0xFFF) & ~0xFFFL;
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] >= start) {
                ranges.get(ranges.size() - 1)[1] = Math.max(end, ranges.get(ranges.size() - 1)[1]);
            } else {
                ranges.add(new long[] {start, end});
            }
        }
        List<byte[]> bufs = new ArrayList<>();
        for (long[] r : ranges) {
            long fileEnd = r[0];
            for (Segment s : segs) {
                if (s.physAddr() >= r[0] && s.physAddr() < r[1]) {
                    fileEnd = Math.max(fileEnd, s.physAddr() + s.data().length);
                }
            }
            byte[] buf = new byte[(int) (fileEnd - r[0])];
            for (Segment s : segs) {
                if (s.physAddr() >= r[0] && s.physAddr() < r[1]) {
                    System.arraycopy(s.data(), 0, buf, (int) (s.physAddr() - r[0]), s.data().length);
                }
            }
            bufs.add(buf);
        }
        if (append != null) {
            long at = image.symbol(CMDLINE_SYMBOL).orElseThrow(() -> new ImageException(image.name(),
                    "--append given, but the image has no '" + CMDLINE_SYMBOL + "' symbol to receive it"));
            long size = image.symbolSize(CMDLINE_SYMBOL).orElse(0);
            byte[] text = append.getBytes(StandardCharsets.UTF_8);
            if (size > 0 && text.length + 1 > size) {
                throw new ImageException(image.name(), String.format(
                        "--append text is %d bytes; '%s' holds at most %d", text.length, CMDLINE_SYMBOL, size - 1));
            }
            boolean placed = false;
            for (int i = 0; i < ranges.size(); i++) {
                long[] r = ranges.get(i);
                byte[] buf = bufs.get(i);
                if (at >= r[0] && at + text.length + 1 <= r[0] + buf.length) {
                    int off = (int) (at - r[0]);
                    System.arraycopy(text, 0, buf, off, text.length);
                    buf[off + text.length] = 0;
                    placed = true;
                }
            }
            if (!placed) {
                throw new ImageException(image.name(), String.format(
                        "'%s' at %08x is not in the file-backed part of a segment", CMDLINE_SYMBOL, at));
            }
        }
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            long[] r = ranges.get(i);
            out.add(new Segment(r[0], bufs.get(i), r[1] - r[0]));
        }
        return out;
    }
}
