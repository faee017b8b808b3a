package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.kernel.mm.KernelMemory;
import dev.kjump.kernel.pm.PmDevice;
import dev.kjump.kernel.pm.Task;
import dev.kjump.machine.DeviceState;
import dev.kjump.machine.IoDevice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Many threads calling reboot(KEXEC) and kexec_load at once on a loaded hello image: kexec_lock lets one through
 * at a time, the others get EBUSY, and afterwards the kernel's memory, page accounting and kimage are consistent.
 */
class ConcurrencyTest {
    private static final int THREADS = 16;

    /** A device that notices two jumps inside the PM sequence at once. */
    static final class Overlap implements IoDevice {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger maxInside = new AtomicInteger();
        private int saves;

        record S() implements DeviceState {
            @Override
            public Map<String, Long> registers() {
                return Map.of();
            }
        }

        @Override
        public String name() {
            return "overlap";
        }

        @Override
        public int in(int port, int size) {
            return 0;
        }

        @Override
        public void out(int port, int size, int value) {
        }

        @Override
        public DeviceState saveState() {
            if (saves++ % 2 == 0) { // suspend: entering
                maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            }
            return new S();
        }

        private int restores;

        @Override
        public void restoreState(DeviceState s) {
            if (restores++ % 2 == 1) { // resume: leaving
                inside.decrementAndGet();
            }
        }
    }

    @RepeatedTest(3)
    void rebootsAndLoadsRace() throws Exception {
        race(KernelFixture.segments("hello.elf", null), 6);
    }

    /**
     * hello plus a 3000-page zero segment: freeing the replaced image takes long enough that a jump starting
     * right after the load's lock is released would overlap it (kimage_free must run under kexec_lock).
     */
    @Test
    void bigImagesFreedWhileOthersJump() throws Exception {
        List<KexecSegment> l = new ArrayList<>(List.of(KernelFixture.segments("hello.elf", null)));
        l.add(new KexecSegment(null, 0, 0x3000000, 3000L * 4096));
        race(l.toArray(new KexecSegment[0]), 2);
    }

    private void race(KexecSegment[] segs, int ops) throws Exception {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        Overlap overlap = new Overlap();
        k.devices().register(new PmDevice("overlap", overlap));
        int baseline = f.usedPages();
        byte[] disk = k.ramdisk().read(0, k.ramdisk().pageCount() * 4096);
        List<byte[]> blocks = new ArrayList<>();
        for (Task t : k.tasks()) {
            byte[] b = new byte[Task.BLOCK_SIZE];
            k.memory().read(t.blockVa(), b, 0, b.length);
            blocks.add(b);
        }
        long entry = KernelFixture.image("hello.elf").entry();
        assertThat(k.kexecLoad(Credentials.ROOT, entry, segs.length, segs, KernelFixture.PRESERVE)).isZero();
        int imagePages = f.usedPages() - baseline;
        int sourcePages = f.image().pagePairs().size();

        CyclicBarrier go = new CyclicBarrier(THREADS);
        Map<Integer, AtomicInteger> results = new ConcurrentHashMap<>();
        List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
        List<String> notOk = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            fs.add(pool.submit(() -> {
                try {
                    go.await();
                    for (int i = 0; i < ops; i++) {
                        boolean load = (id + i) % 3 == 0;
                        int r;
                        do { // retry until this call gets through, so loads and jumps follow each other closely
                            if (load) {
                                r = k.kexecLoad(Credentials.ROOT, entry, segs.length, segs, KernelFixture.PRESERVE);
                            } else {
                                KexecResult res = k.rebootKexec(Credentials.ROOT);
                                r = res.result();
                                JumpReport j = res.report();
                                if (j != null && !j.ok()) {
                                    notOk.add(String.format("jump %d: %s, damaged %s", j.number(), j.outcome(),
                                            j.integrity() == null ? null : JumpReport.hexList(j.integrity().damaged())));
                                }
                            }
                            results.computeIfAbsent(load ? 1000 + r : r, x -> new AtomicInteger()).incrementAndGet();
                            Thread.onSpinWait();
                        } while (r == Errno.EBUSY.negative());
                    }
                } catch (Throwable e) {
                    thrown.add(e);
                }
                return null;
            }));
        }
        for (Future<?> x : fs) {
            x.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(thrown).as("exceptions in callers").isEmpty();
        System.out.printf("ConcurrencyTest: results (1000+r for kexec_load) %s%n", results);
        assertThat(results.keySet()).as("results").isSubsetOf(0, Errno.EBUSY.negative(), 1000,
                1000 + Errno.EBUSY.negative());
        assertThat(results.get(0)).as("some jumps succeeded").isNotNull();
        assertThat(results.get(1000)).as("some loads succeeded").isNotNull();
        assertThat(overlap.maxInside.get()).as("jumps inside the PM sequence at once").isOne();
        assertThat(overlap.inside.get()).isZero();
        assertThat(k.kexec().kexecLock.get()).isZero();
        assertThat(k.jumpCount()).isEqualTo(results.get(0).get());
        assertThat(notOk).as("jumps that were not ok").isEmpty();

        // consistent afterwards: one image's worth of pages, its list intact, the kernel's memory untouched
        assertThat(f.usedPages()).as("pages in use").isEqualTo(baseline + imagePages);
        Kimage img = f.image();
        assertThat(img.pagePairs()).hasSize(sourcePages);
        for (int i = 0; i < 11; i++) {
            long[] p = img.pagePairs().get(i);
            assertThat(p[0]).isEqualTo(0x400000L + i * 4096L);
            assertThat(k.pageAllocator().inUse((int) (p[1] >>> 12))).isTrue();
        }
        assertThat(k.pageAllocator().inUse((int) (KernelMemory.pa(img.va()) >>> 12))).isTrue();
        assertThat(k.pageAllocator().inUse(img.controlPage() >>> 12)).isTrue();
        assertThat(k.pageAllocator().inUse(img.swapPage() >>> 12)).isTrue();
        assertThat(k.ramdisk().read(0, disk.length)).isEqualTo(disk);
        for (int i = 0; i < blocks.size(); i++) {
            byte[] b = new byte[Task.BLOCK_SIZE];
            k.memory().read(k.tasks().get(i).blockVa(), b, 0, b.length);
            assertThat(b).isEqualTo(blocks.get(i));
        }
        assertThat(k.machine().cpu().mmu().pagingEnabled()).isTrue();
        f.clearTranscript();
        assertThat(f.exec()).isZero();
        assertThat(k.lastJump().ok()).isTrue();
        assertThat(f.transcript()).startsWith("hello from a jump-back image (entry ");
        assertThat(k.kexecLoad(Credentials.ROOT, 0, 0, null, 0)).isZero();
        assertThat(f.usedPages()).as("after the unload").isEqualTo(baseline);
    }
}
