package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/** Properties of {@link Image#parse}: written layouts read back the same, and corrupt files fail only cleanly. */
class ImageProperties {

    /** A file to write: class, entry, and segments in the order their program headers appear. */
    record Layout(int elfClass, long entry, List<Segment> segments) {
        /** Writes the layout with one function symbol {@code f<i>} at the start of each segment. */
        byte[] write() {
            ElfWriter w = ElfWriter.elf(elfClass).entry(entry);
            for (int i = 0; i < segments.size(); i++) {
                Segment s = segments.get(i);
                w.load(s.physAddr(), s.data(), s.memSize());
                w.function("f" + i, s.physAddr(), s.memSize());
            }
            return w.bytes();
        }

        List<Segment> sorted() {
            List<Segment> sorted = new ArrayList<>(segments);
            sorted.sort((a, b) -> Long.compare(a.physAddr(), b.physAddr()));
            return sorted;
        }
    }

    /** One non-overlapping piece of a layout, placed {@code gap} bytes after the previous one. */
    private record Piece(long gap, byte[] data, long bss) {
    }

    @Provide
    Arbitrary<Layout> layouts() {
        Arbitrary<Piece> piece = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.longs().between(0, 0x100), Arbitraries.longs().between(0, 0x4000_0000L)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 0x10_0000)))
                .as(Piece::new);
        return Combinators.combine(
                Arbitraries.of(32, 64),
                piece.list().ofMinSize(1).ofMaxSize(6),
                Arbitraries.longs().between(0, 0xffff_ffffL),
                Arbitraries.randoms())
                .as((elfClass, pieces, entry, random) -> {
                    List<Segment> segments = new ArrayList<>();
                    long address = 0;
                    for (Piece p : pieces) {
                        address += p.gap;
                        long memSize = Math.max(1, p.data.length + p.bss);
                        if (address + memSize > 1L << 32) {
                            break;
                        }
                        segments.add(new Segment(address, p.data, memSize));
                        address += memSize;
                    }
                    if (segments.isEmpty()) {
                        segments.add(new Segment(0, new byte[] {1}, 1));
                    }
                    Collections.shuffle(segments, random);
                    return new Layout(elfClass, entry, segments);
                });
    }

    @Property(tries = 300)
    void writtenLayoutsParseBackIdentically(@ForAll("layouts") Layout layout) throws ImageException {
        Image image = Image.parse(layout.write(), "prop.elf");

        assertThat(image.elfClass()).isEqualTo(layout.elfClass());
        assertThat(image.entry()).isEqualTo(layout.entry());
        assertThat(image.segments()).containsExactlyElementsOf(layout.sorted());
        for (int i = 0; i < layout.segments().size(); i++) {
            Segment s = layout.segments().get(i);
            assertThat(image.symbol("f" + i)).isEqualTo(OptionalLong.of(s.physAddr()));
            assertThat(image.symbolAt(s.end() - 1)).contains("f" + i + "+0x" + Long.toHexString(s.memSize() - 1));
        }
    }

    /** Where and how to damage a file: a byte, an extreme address-sized word, or a cut. */
    record Damage(int kind, double where, long value) {
        void applyTo(byte[][] file, boolean is64) {
            byte[] f = file[0];
            int at = (int) (where * f.length);
            switch (kind) {
                case 0 -> f[at] = (byte) value;
                case 1 -> {
                    // a header-area word: most of the fields that matter are in the first few hundred bytes
                    int width = is64 ? 8 : 4;
                    int pos = (int) (where * Math.min(f.length - width, 400)) / width * width;
                    ElfWriter.putWord(f, is64, pos, value);
                }
                case 2 -> {
                    // a word in the section header table region at the end of the file
                    int width = is64 ? 8 : 4;
                    int tail = Math.min(f.length - width, 4 * ElfWriter.shentsize(is64));
                    int pos = f.length - width - (int) (where * tail) / width * width;
                    ElfWriter.putWord(f, is64, pos, value);
                }
                default -> file[0] = Arrays.copyOf(f, at);
            }
        }
    }

    @Provide
    Arbitrary<List<Damage>> damages() {
        Arbitrary<Long> values = Arbitraries.oneOf(
                Arbitraries.longs(),
                Arbitraries.longs().between(-2, 300),
                Arbitraries.of(0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0x1_0000_0000L, Long.MAX_VALUE,
                        Long.MIN_VALUE, 0x7fffL, 0x8000L, 0xffffL));
        Arbitrary<Damage> damage = Combinators.combine(
                Arbitraries.frequency(
                        Tuple.of(5, 0), Tuple.of(3, 1), Tuple.of(3, 2), Tuple.of(1, 3)),
                Arbitraries.doubles().between(0, 1).filter(d -> d < 1),
                values).as(Damage::new);
        return damage.list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 3000)
    void corruptFilesParseOrFailWithImageException(@ForAll("layouts") Layout layout,
                                                   @ForAll("damages") List<Damage> damages) {
        parseDamaged(layout.write(), layout.elfClass() == 64, damages);
    }

    @Property(tries = 1000)
    void corruptRealFilesParseOrFailWithImageException(@ForAll boolean is64, @ForAll("damages") List<Damage> damages)
            throws IOException {
        parseDamaged(resource(is64 ? "kjump-test.elf64" : "kjump-test.elf32"), is64, damages);
    }

    /** Damages {@code original} and parses it: either it parses or fails with an {@link ImageException}. */
    private static void parseDamaged(byte[] original, boolean is64, List<Damage> damages) {
        byte[][] file = {original};
        for (Damage d : damages) {
            if (file[0].length > 8) {
                d.applyTo(file, is64);
            }
        }
        String outcome;
        try {
            Image image = Image.parse(file[0], "corrupt.elf");
            assertThat(image.segments()).isNotEmpty();
            assertThat(image.entry()).isBetween(0L, 0xffff_ffffL);
            outcome = "parsed";
        } catch (ImageException e) {
            assertThat(e.getMessage()).startsWith("corrupt.elf: ");
            outcome = e.problem().replaceAll("[0-9(\\[].*", "").trim();
        }
        Statistics.collect(outcome);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ImageProperties.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name).readAllBytes();
        }
    }
}
