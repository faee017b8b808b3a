package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.Kimage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;

/**
 * kexec_load with random segment lists (aligned or not, inside RAM or not, overlapping or not, short buffers):
 * it either loads an image whose indirection list holds exactly the segments' bytes, or fails with one of the
 * kernel's errnos having changed nothing; unloading gives every page back.
 */
class KexecLoadProperties {
    private static final long RAM = 32L << 20;
    private static final Set<Integer> ERRNOS = Set.of(Errno.EINVAL.negative(), Errno.EADDRNOTAVAIL.negative(),
            Errno.EFAULT.negative(), Errno.ENOMEM.negative());
    private KernelFixture f;

    @BeforeProperty
    void boot() {
        f = new KernelFixture(KernelConfig.defaults().withRamdiskPages(16), RAM);
    }

    @Provide
    Arbitrary<KexecSegment> segment() {
        Arbitrary<Long> pageAddr = Arbitraries.longs().between(0, (RAM >> 12) + 8).map(p -> p << 12);
        Arbitrary<Long> skew = Arbitraries.of(0L, 0L, 0L, 0L, 1L, 0x800L);
        Arbitrary<Integer> pages = Arbitraries.integers().between(0, 24);
        Arbitrary<Integer> fill = Arbitraries.integers().between(0, 24 * 4096);
        Arbitrary<Integer> shortBy = Arbitraries.of(0, 0, 0, 0, 1, 100);
        return Combinators.combine(pageAddr, skew, pages, fill, shortBy).as((mem, sk, np, bytes, missing) -> {
            long memsz = (long) np * 4096 + (sk == 1L ? 1 : 0);
            int bufsz = (int) Math.min(bytes, Math.max(0, memsz + (missing == 100 ? 4096 : 0)));
            byte[] buf = new byte[Math.max(0, bufsz - missing)];
            for (int i = 0; i < buf.length; i++) {
                buf[i] = (byte) (i * 7 + np);
            }
            return new KexecSegment(buf, bufsz, mem + sk, memsz);
        });
    }

    @Provide
    Arbitrary<List<KexecSegment>> segments() {
        return segment().list().ofMaxSize(17);
    }

    @Property(tries = 400)
    void loadsExactlyOrChangesNothing(@ForAll("segments") List<KexecSegment> segs) {
        Kernel k = f.kernel();
        int baseline = k.pageAllocator().usedPages();
        KexecSegment[] arr = segs.toArray(new KexecSegment[0]);
        int r = k.kexecLoad(Credentials.ROOT, 0x400000, arr.length, arr, Kexec.KEXEC_ARCH_386 | Kexec.KEXEC_PRESERVE_CONTEXT);
        Statistics.collect(r == 0 ? (arr.length == 0 ? "unloaded" : "loaded") : Errno.of(r).name());
        Statistics.coverage(c -> {
            c.check("loaded").count(n -> n >= 10);
            c.check("EINVAL").count(n -> n >= 1);
            c.check("EADDRNOTAVAIL").count(n -> n >= 1);
        });
        if (r != 0) {
            assertThat(ERRNOS).as("errno %d", r).contains(r);
            assertThat(k.pageAllocator().usedPages()).as("nothing allocated on failure").isEqualTo(baseline);
            assertThat(k.kexec().image()).isNull();
            assertThat(k.kexec().kexecLock.get()).isZero();
            return;
        }
        if (arr.length > 0) {
            Kimage img = k.kexec().image();
            assertThat(img).isNotNull();
            // every destination page has one source page holding the segment's bytes (zero past bufsz)
            List<long[]> pairs = img.pagePairs();
            List<Long> dests = new ArrayList<>();
            for (KexecSegment s : arr) {
                for (long p = 0; p < s.memsz(); p += 4096) {
                    dests.add(s.mem() + p);
                }
            }
            assertThat(pairs.stream().map(p -> p[0]).toList()).containsExactlyElementsOf(dests);
            int idx = 0;
            for (KexecSegment s : arr) {
                for (long p = 0; p < s.memsz(); p += 4096, idx++) {
                    byte[] page = f.page(pairs.get(idx)[1]);
                    for (int i = 0; i < 4096; i++) {
                        long off = p + i;
                        byte want = off < s.bufsz() ? s.buf()[(int) off] : 0;
                        if (page[i] != want) {
                            throw new AssertionError(String.format("source of %x differs at +%x", s.mem() + p, i));
                        }
                    }
                }
            }
        }
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, new KexecSegment[0], 0)).isZero();
        assertThat(k.kexec().image()).isNull();
        assertThat(k.pageAllocator().usedPages()).as("unload gives every page back").isEqualTo(baseline);
    }
}
