package dev.kjump.kernel;

import static dev.kjump.kernel.kexec.Kexec.IND_DESTINATION;
import static dev.kjump.kernel.kexec.Kexec.IND_DONE;
import static dev.kjump.kernel.kexec.Kexec.IND_INDIRECTION;
import static dev.kjump.kernel.kexec.Kexec.IND_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.Kimage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sys_kexec_load: every errno path with nothing leaked, and the kimage's indirection list in guest pages. */
class KexecLoadTest {
    private static final long P = KernelFixture.PRESERVE;
    private KernelFixture f;
    private Kernel k;

    @BeforeEach
    void boot() {
        f = new KernelFixture();
        k = f.kernel();
    }

    /** A segment of {@code pages} pages at {@code mem} whose buffer is a pattern of {@code bufsz} bytes. */
    static KexecSegment seg(long mem, int pages, int bufsz) {
        byte[] b = new byte[bufsz];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 13 + (mem >>> 12) + (i >>> 12) * 7 + 1);
        }
        return KexecSegment.of(b, mem, (long) pages << 12);
    }

    private int load(long flags, KexecSegment... segs) {
        return k.kexecLoad(Credentials.ROOT, 0x400000, segs.length, segs, flags);
    }

    /** Runs a load that must fail with {@code e} and checks that nothing changed: no page, no image. */
    private void assertFails(Errno e, IntSupplier call) {
        int used = f.usedPages();
        Kimage before = f.image();
        List<Integer> entries = before == null ? null : before.entries();
        int start = before == null ? 0 : before.start();
        var owned = k.ownedFrames();
        assertThat(call.getAsInt()).as("errno").isEqualTo(e.negative());
        assertThat(f.usedPages()).as("pages in use after a failed load").isEqualTo(used);
        assertThat(k.ownedFrames()).as("owned frames after a failed load").isEqualTo(owned);
        assertThat(f.image()).as("kexec_image after a failed load").isSameAs(before);
        if (before != null) {
            assertThat(before.entries()).isEqualTo(entries);
            assertThat(before.start()).isEqualTo(start);
        }
        assertThat(k.kexec().kexecLock.get()).as("kexec_lock released").isZero();
    }

    private void preload() {
        assertThat(f.load("hello.elf")).isZero();
        assertThat(f.image()).isNotNull();
    }

    @Test
    void withoutCapSysBootEpermAndNothingAllocated() {
        KexecSegment[] s = KernelFixture.segments("hello.elf", null);
        assertFails(Errno.EPERM, () -> k.kexecLoad(Credentials.USER, 0x400000, s.length, s, P));
        assertThat(f.image()).isNull();
        preload();
        assertFails(Errno.EPERM, () -> k.kexecLoad(Credentials.USER, 0x400000, s.length, s, P));
        assertFails(Errno.EPERM, () -> k.kexecLoad(Credentials.USER, 0, 0, null, P));
        assertThat(f.image()).as("an unprivileged unload does nothing").isNotNull();
    }

    @Test
    void badFlagBitsEinval() {
        preload();
        for (long bad : new long[] {0x4, 0x8, 0x10, 0x8000, 0x6, Kexec.KEXEC_ARCH_386 | 0x100, 1L << 32}) {
            assertFails(Errno.EINVAL, () -> load(bad, seg(0x800000, 1, 10)));
        }
    }

    @Test
    void badArchEinvalAnd386AndDefaultAccepted() {
        preload();
        for (long arch : new long[] {62L << 16, 40L << 16, 1L << 16, 0xffff0000L}) {
            assertFails(Errno.EINVAL, () -> load(arch | Kexec.KEXEC_PRESERVE_CONTEXT, seg(0x800000, 1, 10)));
        }
        assertThat(load(Kexec.KEXEC_ARCH_386, seg(0x800000, 1, 10))).isZero();
        assertThat(f.image().preserveContext()).isFalse();
        assertThat(load(Kexec.KEXEC_ARCH_DEFAULT | Kexec.KEXEC_PRESERVE_CONTEXT, seg(0x800000, 1, 10))).isZero();
        assertThat(f.image().preserveContext()).isTrue();
    }

    @Test
    void tooManySegmentsEinval() {
        preload();
        KexecSegment[] s = new KexecSegment[17];
        for (int i = 0; i < s.length; i++) {
            s[i] = seg(0x800000 + i * 0x2000L, 1, 100);
        }
        assertFails(Errno.EINVAL, () -> load(P, s));
        assertFails(Errno.EINVAL, () -> k.kexecLoad(Credentials.ROOT, 0, 1000, s, P));
        // 16 is the maximum
        assertThat(load(P, Arrays.copyOf(s, 16))).isZero();
        assertThat(f.image().nrSegments()).isEqualTo(16);
    }

    @Test
    void unalignedOrOutsideRamEaddrnotavail() {
        preload();
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, new KexecSegment(new byte[8], 8, 0x800010, 0x1000)));
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, new KexecSegment(new byte[8], 8, 0x800000, 0x1800)));
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, seg(0x800000, 1, 8),
                new KexecSegment(new byte[8], 8, 0x900000, 0xFFF)));
        long ram = f.machine().memory().size();
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, seg(ram - 0x1000, 2, 8)));
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, seg(ram, 1, 8)));
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, seg(0x100000000L, 1, 8)));
        // mem + memsz wrapping around must not pass for "below the limit"
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, new KexecSegment(new byte[8], 8, 0x1000, 0x7FFFFFFFFFFFF000L)));
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P, new KexecSegment(new byte[8], 8, 0x1000, 0xFFFFF000L)));
        // the last page of RAM is a legal destination
        assertThat(load(P, seg(ram - 0x1000, 1, 8))).isZero();
    }

    @Test
    void overlappingDestinationsEinval() {
        preload();
        assertFails(Errno.EINVAL, () -> load(P, seg(0x800000, 4, 10), seg(0x803000, 1, 10)));
        assertFails(Errno.EINVAL, () -> load(P, seg(0x803000, 1, 10), seg(0x800000, 4, 10)));
        assertFails(Errno.EINVAL, () -> load(P, seg(0x800000, 1, 10), seg(0x800000, 1, 10)));
        // adjacent is fine
        assertThat(load(P, seg(0x800000, 4, 10), seg(0x804000, 1, 10))).isZero();
    }

    @Test
    void bufszLargerThanMemszEinval() {
        preload();
        assertFails(Errno.EINVAL, () -> load(P, seg(0x800000, 1, 0x1001)));
        assertFails(Errno.EINVAL, () -> load(P, seg(0x900000, 2, 100), seg(0x800000, 1, 0x1001)));
    }

    @Test
    void badUserPointersEfault() {
        preload();
        assertFails(Errno.EFAULT, () -> k.kexecLoad(Credentials.ROOT, 0x400000, 1, null, P));
        assertFails(Errno.EFAULT, () -> k.kexecLoad(Credentials.ROOT, 0x400000, 3,
                new KexecSegment[] {seg(0x800000, 1, 8)}, P));
        // bufsz beyond the bytes really there: copy_from_user faults part-way through the segment
        assertFails(Errno.EFAULT, () -> load(P, new KexecSegment(new byte[0x1800], 0x3000, 0x800000, 0x4000)));
        assertFails(Errno.EFAULT, () -> load(P, seg(0x900000, 3, 0x2100),
                new KexecSegment(null, 16, 0x800000, 0x1000)));
        assertFails(Errno.EFAULT, () -> load(P, seg(0x900000, 1, 8), null));
        // a null buffer with bufsz 0 is a zero-filled segment, not a fault
        assertThat(load(P, new KexecSegment(null, 0, 0x800000, 0x2000))).isZero();
        for (long[] p : f.image().pagePairs()) {
            assertThat(f.page(p[1])).containsOnly(0);
        }
    }

    @Test
    void withoutConfigKexecEnosys() {
        f = new KernelFixture(KernelConfig.defaults().withKexec(false, false));
        k = f.kernel();
        assertFails(Errno.ENOSYS, () -> f.load("hello.elf", null, P));
        assertFails(Errno.ENOSYS, () -> f.load("hello.elf", null, KernelFixture.NO_PRESERVE));
        assertFails(Errno.ENOSYS, () -> k.kexecLoad(Credentials.USER, 0, 0, null, 0));
    }

    @Test
    void withoutConfigKexecJumpPreserveContextIsInvalid() {
        f = new KernelFixture(KernelConfig.defaults().withKexec(true, false));
        k = f.kernel();
        assertFails(Errno.EINVAL, () -> f.load("hello.elf", null, P));
        assertThat(f.load("hello.elf", null, KernelFixture.NO_PRESERVE)).isZero();
        assertThat(f.image().preserveContext()).isFalse();
        assertFails(Errno.EINVAL, () -> f.load("hello.elf", null, P));
    }

    @Test
    void onCrashWithoutACrashRegionEaddrnotavail() {
        preload();
        assertFails(Errno.EADDRNOTAVAIL, () -> load(P | Kexec.KEXEC_ON_CRASH, seg(0x800000, 1, 8)));
        assertThat(k.kexec().crashImage()).isNull();
        // unloading the (absent) crash image is fine and leaves the normal image alone
        Kimage img = f.image();
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, null, Kexec.KEXEC_ON_CRASH)).isZero();
        assertThat(f.image()).isSameAs(img);
    }

    @Test
    void kexecLockHeldEbusy() {
        preload();
        k.kexec().kexecLock.set(1);
        try {
            int used = f.usedPages();
            Kimage img = f.image();
            assertThat(load(P, seg(0x800000, 1, 8))).isEqualTo(Errno.EBUSY.negative());
            assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, null, P)).isEqualTo(Errno.EBUSY.negative());
            assertThat(f.usedPages()).isEqualTo(used);
            assertThat(f.image()).isSameAs(img);
            assertThat(k.kexec().kexecLock.get()).as("a busy load must not release someone else's lock").isOne();
        } finally {
            k.kexec().kexecLock.set(0);
        }
    }

    @Test
    void zeroSegmentsUnloadsAndFreesEveryPage() {
        int used = f.usedPages();
        var ownedBefore = k.ownedFrames();
        preload();
        Kimage img = f.image();
        Set<Integer> imagePages = imageFrames(img);
        assertThat(f.usedPages()).isEqualTo(used + imagePages.size());
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, null, P)).isZero();
        assertThat(f.image()).isNull();
        assertThat(f.usedPages()).isEqualTo(used);
        assertThat(k.ownedFrames()).isEqualTo(ownedBefore);
        for (int pfn : imagePages) {
            assertThat(k.pageAllocator().inUse(pfn)).as("frame %x after unload", pfn).isFalse();
        }
        // unloading again is harmless
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, new KexecSegment[0], P)).isZero();
        assertThat(f.usedPages()).isEqualTo(used);
    }

    @Test
    void loadingTwiceFreesTheFirstImage() {
        preload();
        Kimage first = f.image();
        Set<Integer> firstPages = imageFrames(first);
        int used = f.usedPages();
        preload();
        assertThat(f.image()).isNotSameAs(first);
        assertThat(f.usedPages()).isEqualTo(used);
        for (int pfn : firstPages) {
            assertThat(k.pageAllocator().inUse(pfn)).as("frame %x of the first image", pfn).isFalse();
        }
        Set<Integer> second = imageFrames(f.image());
        assertThat(second).doesNotContainAnyElementsOf(firstPages);
    }

    /** Every frame a kimage holds: its structure, list pages, source pages, control and swap page. */
    private static Set<Integer> imageFrames(Kimage img) {
        Set<Integer> s = new HashSet<>();
        s.add((int) (dev.kjump.kernel.mm.KernelMemory.pa(img.va()) >>> 12));
        for (int e : img.entries()) {
            if ((e & (IND_SOURCE | IND_INDIRECTION)) != 0) {
                s.add(e >>> 12);
            }
        }
        s.add(img.controlPage() >>> 12);
        s.add(img.swapPage() >>> 12);
        return s;
    }

    // ---------------------------------------------------------------- the indirection list

    /** Checks the list's shape and every source page's contents against the segments. */
    private void checkList(KexecSegment... segs) {
        Kimage img = f.image();
        List<Integer> e = img.entries();
        assertThat(e.get(0) & 0xFFF).as("head").isEqualTo(IND_INDIRECTION);
        assertThat(e.get(e.size() - 1)).as("last entry").isEqualTo(IND_DONE);
        // rebuild (destination, source) pairs by hand and compare with the segments
        List<long[]> pairs = new ArrayList<>();
        int seg = -1;
        long dest = 0;
        for (int i = 0; i < e.size() - 1; i++) {
            int x = e.get(i);
            int flag = x & 0xFFF;
            assertThat(flag).as("entry %d = %08x", i, x)
                    .isIn(IND_INDIRECTION, IND_DESTINATION, IND_SOURCE);
            if (flag == IND_DESTINATION) {
                seg++;
                assertThat(x & 0xFFFFF000L).isEqualTo(segs[seg].mem());
                dest = x & 0xFFFFF000L;
            } else if (flag == IND_SOURCE) {
                pairs.add(new long[] {dest, x & 0xFFFFF000L});
                dest += 4096;
            }
        }
        assertThat(seg + 1).as("one IND_DESTINATION per segment").isEqualTo(segs.length);
        assertThat(pairs).hasSize(Arrays.stream(segs).mapToInt(s -> (int) (s.memsz() >>> 12)).sum());
        assertThat(img.pagePairs()).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(pairs);
        int p = 0;
        for (KexecSegment s : segs) {
            byte[] want = Arrays.copyOf(s.buf() == null ? new byte[0] : s.buf(), (int) s.memsz());
            for (int i = 0; i < s.memsz() >>> 12; i++, p++) {
                assertThat(pairs.get(p)[0]).isEqualTo(s.mem() + i * 4096L);
                assertThat(f.page(pairs.get(p)[1])).as("source page for %x", pairs.get(p)[0])
                        .isEqualTo(Arrays.copyOfRange(want, i * 4096, (i + 1) * 4096));
            }
        }
        // kimage_alloc_page: a source page is never inside a destination range unless it is its own destination
        Set<Long> sources = new HashSet<>();
        for (long[] pr : pairs) {
            assertThat(sources.add(pr[1])).as("source %x used twice", pr[1]).isTrue();
            if (pr[0] != pr[1]) {
                assertThat(inDestination(segs, pr[1])).as("source %x for destination %x", pr[1], pr[0]).isFalse();
            }
            assertThat(k.pageAllocator().inUse((int) (pr[1] >>> 12))).isTrue();
        }
        for (int ind : img.indirectionPages()) {
            assertThat(inDestination(segs, (long) ind << 12)).as("indirection page %x", ind).isFalse();
        }
        assertThat(inDestination(segs, img.controlPage())).as("control page").isFalse();
        assertThat(inDestination(segs, img.swapPage())).as("swap page").isFalse();
        assertThat(img.controlPage()).isNotEqualTo(img.swapPage());
        assertThat(img.nrSegments()).isEqualTo(segs.length);
        for (int i = 0; i < segs.length; i++) {
            assertThat(img.segmentMem(i)).isEqualTo(segs[i].mem());
            assertThat(img.segmentMemsz(i)).isEqualTo(segs[i].memsz());
            assertThat(img.segmentBufsz(i)).isEqualTo(segs[i].bufsz());
        }
    }

    private static boolean inDestination(KexecSegment[] segs, long pa) {
        for (KexecSegment s : segs) {
            if (pa >= s.mem() && pa < s.mem() + s.memsz()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void helloIndirectionList() {
        KexecSegment[] s = KernelFixture.segments("hello.elf", null);
        assertThat(f.load("hello.elf")).isZero();
        checkList(s);
        List<Integer> e = f.image().entries();
        assertThat(e.get(1)).isEqualTo(0x400000 | IND_DESTINATION);
        assertThat(f.image().indirectionPages()).hasSize(1);
        assertThat(f.image().start()).isEqualTo((int) KernelFixture.image("hello.elf").entry());
        assertThat(f.image().preserveContext()).isTrue();
    }

    @Test
    void severalSegmentsZeroFilledBeyondBufsz() {
        KexecSegment[] s = {seg(0x900000, 3, 0x2345), seg(0x800000, 2, 0), seg(0xA00000, 1, 0x1000)};
        assertThat(load(P, s)).isZero();
        checkList(s);
    }

    @Test
    void destinationsOverFreeFramesAreNeverUsedAsOtherPagesSources() {
        // find where the allocator hands out frames next and put a destination right over them
        int next = k.pageAllocator().allocPage();
        k.pageAllocator().freePage(next);
        long base = (long) next << 12;
        KexecSegment[] s = {seg(base + 0x10000, 64, 64 * 4096 - 100), seg(base + 0x60000, 8, 5000),
            seg(0x400000, 4, 0x3000)};
        int used = f.usedPages();
        assertThat(load(P, s)).isZero();
        checkList(s);
        long own = f.image().pagePairs().stream().filter(pr -> pr[0] == pr[1]).count();
        assertThat(own).as("some destination pages are their own source here").isPositive();
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, null, P)).isZero();
        assertThat(f.usedPages()).as("dest_pages freed with the image too").isEqualTo(used);
    }

    @Test
    void bigSegmentNeedsASecondIndirectionPage() {
        KexecSegment big = seg(0x2000000, 1100, 1100 * 4096);
        assertThat(load(P, big)).isZero();
        checkList(big);
        List<Integer> ind = f.image().indirectionPages();
        assertThat(ind).hasSize(2);
        // the first page is full: 1023 entries then the link to the next page in its last slot
        int firstPage = ind.get(0);
        int link = f.machine().memory().read32((firstPage << 12) + 4092);
        assertThat(link).isEqualTo((ind.get(1) << 12) | IND_INDIRECTION);
        // 1022 pages fit the first page (after IND_DESTINATION): 1023 pages do not
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, null, P)).isZero();
        assertThat(load(P, seg(0x2000000, 1022, 10))).isZero();
        assertThat(f.image().indirectionPages()).hasSize(1);
        assertThat(load(P, seg(0x2000000, 1023, 10))).isZero();
        assertThat(f.image().indirectionPages()).hasSize(2);
    }

    @Test
    void outOfMemoryEnomemLeaksNothing() {
        // 32 MiB of RAM: a 7000-page segment cannot be backed by source pages
        f = new KernelFixture(KernelConfig.defaults(), 32L << 20);
        k = f.kernel();
        preload();
        assertFails(Errno.ENOMEM, () -> load(P, seg(0x1000000, 4000, 10), seg(0x400000, 3000, 10)));
    }
}
