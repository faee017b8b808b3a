package dev.kjump.machine;

import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.Insn;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The PC's physical memory: RAM of a fixed size (up to 4 GiB) whose 4 KiB pages are allocated on first
 * write, so a large guest costs the host only what it touches. Reads of RAM never written return zero;
 * reads outside RAM return all-ones and writes there are dropped, as on a PC with nothing decoding the
 * address.
 *
 * <p>Physical addresses are 32-bit values treated as unsigned. Any write to a page that holds decoded
 * instructions drops that page's decode cache (see {@link Cpu} and {@link #decodeCache()}), whichever path the write takes: CPU stores,
 * bulk copies of the kernel's swap, or the host loading an image.
 */
public final class PhysicalMemory {
    /** log2 of the page size. */
    public static final int PAGE_SHIFT = 12;
    /** The page size, 4 KiB. */
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    /** Largest RAM size: the whole 32-bit physical address space. */
    public static final long MAX_SIZE = 1L << 32;

    /*
     * Guest words are read and written with sun.misc.Unsafe (jdk.unsupported) rather than a byte-array VarHandle: the
     * same single load or store once compiled, but a VarHandle access is a chain of nine small methods the JIT must
     * inline at every guest memory access of every translated block, which made each block's compilation several
     * times larger. Every access below is to a whole page array at an offset checked to be inside it.
     */
    private static final sun.misc.Unsafe U = unsafe();
    private static final long BASE = U.arrayBaseOffset(byte[].class);
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private static sun.misc.Unsafe unsafe() {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A host-order int as the guest's little-endian one (and back). */
    private static int le(int v) {
        return LITTLE ? v : Integer.reverseBytes(v);
    }

    private final long size;
    private final int pageCount;
    private final byte[][] pages;
    /** Per physical page: the decoded instructions cached there, or null. Owned by {@link Cpu}. */
    private final Insn[][] code;
    private int allocatedPages;
    private WriteLog writeLog;
    private boolean[] watchedFrames;
    private Runnable onWatchedWrite;

    /** True while a debugger watches frames ({@link #watchFrames}). */
    public boolean watching() {
        return watchedFrames != null;
    }

    /**
     * Calls {@code onWrite} whenever one of {@code pfns} is about to be written (by any path), for a debugger's
     * write watchpoints: frames not listed cost nothing. An empty list turns watching off.
     */
    public void watchFrames(int[] pfns, Runnable onWrite) {
        noneReady();
        decodesChanged(); // blocks do not run while watching
        if (pfns.length == 0) {
            watchedFrames = null;
            onWatchedWrite = null;
            return;
        }
        boolean[] w = new boolean[pageCount];
        for (int pfn : pfns) {
            if (pfn >= 0 && pfn < pageCount) {
                w[pfn] = true;
            }
        }
        onWatchedWrite = onWrite;
        watchedFrames = w;
    }

    /**
     * A record of which frames were written since it started, with each written frame's contents as they were
     * before its first write (for the frames it was asked to keep them for). Every write path of this class goes
     * through one place, so a frame not in the log provably did not change.
     */
    public static final class WriteLog {
        private final java.util.BitSet written = new java.util.BitSet();
        private final java.util.Map<Integer, byte[]> originals = new java.util.HashMap<>();
        /** The frames whose original contents are kept, or null for all. */
        private final java.util.BitSet keep;

        WriteLog(java.util.BitSet keep) {
            this.keep = keep == null ? null : (java.util.BitSet) keep.clone();
        }

        void note(int pfn, byte[] current) {
            if (!written.get(pfn)) {
                written.set(pfn);
                if (keep == null || keep.get(pfn)) {
                    originals.put(pfn, current == null ? null : current.clone());
                }
            }
        }

        /** Frames written while the log ran. */
        public java.util.BitSet written() {
            return (java.util.BitSet) written.clone();
        }

        /**
         * The contents of {@code pfn} before its first write (all zero for a never-written frame).
         *
         * @throws IllegalArgumentException for a written frame whose contents the log was not asked to keep
         */
        public byte[] original(int pfn) {
            if (keep != null && !keep.get(pfn) && written.get(pfn)) {
                throw new IllegalArgumentException("frame " + pfn + " was written, but its contents were not kept");
            }
            byte[] b = originals.get(pfn);
            return b == null ? new byte[PAGE_SIZE] : b.clone();
        }
    }

    /** Starts logging writes (one log at a time), keeping every written frame's original contents. */
    public void startWriteLog() {
        startWriteLog(null);
    }

    /**
     * Starts logging writes (one log at a time), keeping the original contents only of the frames in {@code keep}
     * (null: all), so that a guest writing all of RAM costs the log a bit per frame, not a copy of RAM.
     */
    public void startWriteLog(java.util.BitSet keep) {
        if (writeLog != null) {
            throw new IllegalStateException("a write log is already running");
        }
        writeLog = new WriteLog(keep);
        noneReady();
    }

    /** Stops logging writes and returns the log. */
    public WriteLog stopWriteLog() {
        WriteLog l = writeLog;
        if (l == null) {
            throw new IllegalStateException("no write log is running");
        }
        writeLog = null;
        return l;
    }

    /** True when frame {@code pfn} holds exactly {@code contents} (4096 bytes). */
    public boolean pageEquals(int pfn, byte[] contents) {
        checkPfn(pfn);
        byte[] p = pages[pfn];
        return p == null ? isZero(contents) : Arrays.equals(p, contents);
    }

    /**
     * @param size RAM size in bytes: a multiple of 4 KiB, at least one page, at most 4 GiB
     */
    public PhysicalMemory(long size) {
        if (size < PAGE_SIZE || size > MAX_SIZE || (size & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("memory size must be a multiple of 4 KiB between 4 KiB and 4 GiB: " + size);
        }
        this.size = size;
        this.pageCount = (int) (size >>> PAGE_SHIFT);
        this.pages = new byte[pageCount][];
        this.code = new Insn[pageCount][];
        this.ready = new boolean[pageCount];
        this.handedOut = new boolean[pageCount];
    }

    /** RAM size in bytes. */
    public long size() {
        return size;
    }

    /** Number of 4 KiB pages of RAM. */
    public int pageCount() {
        return pageCount;
    }

    /** Pages the host has actually allocated (touched by a write). */
    public int allocatedPages() {
        return allocatedPages;
    }

    /**
     * The decode cache: per physical page, the instructions the CPU decoded there, or null. It belongs to the
     * CPU, which fills it; this class only drops a page's entry when the page is written.
     */
    public Insn[][] decodeCache() {
        return code;
    }

    /**
     * Counts changes to the decode cache that can change which code runs at an address: a page's decodes dropped
     * (here, or by the CPU: evicted, a stop point set) and watching turned on or off. The CPU's block links hold
     * the count they were made at ({@code Block.linked}).
     */
    private long decodeEpoch;

    /** See {@link #decodesChanged()}. */
    public long decodeEpoch() {
        return decodeEpoch;
    }

    /** Notes a change to the decode cache (or to a decode's translated block) that links must not outlive. */
    public void decodesChanged() {
        decodeEpoch++;
    }

    /** Drops frame {@code pfn}'s decodes, if any (its code changed, or the CPU needs it decoded again). */
    public void dropDecodes(int pfn) {
        Insn[] page = code[pfn];
        if (page != null) {
            code[pfn] = null;
            decodeEpoch++;
            for (Insn d : page) { // (a page's decodes go rarely: 87 times in Linux's boot to /init)
                if (d != null) {
                    d.dropped();
                }
            }
        }
    }

    /** True when {@code addr} (unsigned) lies in RAM. */
    public boolean inRam(int addr) {
        return (addr >>> PAGE_SHIFT) < pageCount;
    }

    /**
     * Frames ready for writing: allocated, noted by the running write log, not watched and without decodes, so a
     * write to them needs nothing but the store. A CPU's TLB may keep such a frame's array for stores that bypass
     * this class ({@link #fastWritePage}); it is told through its {@link FastPathListener} as soon as the frame
     * stops being ready: when the CPU caches decodes on it, a write log starts or watching changes.
     */
    private final boolean[] ready;
    /** Frames whose array {@link #fastWritePage} handed out since they last stopped being ready. */
    private final boolean[] handedOut;
    private FastPathListener[] fastPathListeners = new FastPathListener[0];

    /** What keeps a frame's array for direct stores (a CPU's TLB) hears when it must stop using it. */
    public interface FastPathListener {
        /** Stores must no longer go straight to {@code page} (the array of one frame). */
        void notWritable(byte[] page);

        /** Stores must no longer go straight to any frame's array. */
        void noneWritable();
    }

    /** Registers {@code l} (a CPU's TLB) to hear when frames stop being ready for direct stores. */
    public void addFastPathListener(FastPathListener l) {
        FastPathListener[] a = Arrays.copyOf(fastPathListeners, fastPathListeners.length + 1);
        a[a.length - 1] = l;
        fastPathListeners = a;
    }

    /** No frame is ready any more (a write log started, watching changed). */
    private void noneReady() {
        Arrays.fill(ready, false);
        Arrays.fill(handedOut, false);
        for (FastPathListener l : fastPathListeners) {
            l.noneWritable();
        }
    }

    /** The CPU is about to cache decodes on frame {@code pfn}: its next write must drop them. */
    public void decodesCached(int pfn) {
        if (ready[pfn]) {
            ready[pfn] = false;
            if (handedOut[pfn]) {
                handedOut[pfn] = false;
                for (FastPathListener l : fastPathListeners) {
                    l.notWritable(pages[pfn]);
                }
            }
        }
    }

    /**
     * The array of frame {@code pfn} when a store may go straight to it (the frame is ready: see {@link #ready}),
     * else null; the caller keeps it only until its {@link FastPathListener} hears otherwise. For the CPU's TLB
     * after a store through this class has made the frame ready. {@code pfn} must be inside RAM.
     */
    public byte[] fastWritePage(int pfn) {
        if (!ready[pfn]) {
            return null;
        }
        handedOut[pfn] = true;
        return pages[pfn];
    }

    /**
     * The array of frame {@code pfn} for loads straight from it, or null when it has none yet (never written: it
     * reads as zeros) or lies outside RAM. The array of a frame never changes once allocated.
     */
    public byte[] fastReadPage(int pfn) {
        return pfn >= 0 && pfn < pageCount ? pages[pfn] : null;
    }

    private byte[] pageForWrite(int pfn) {
        if (ready[pfn]) {
            return pages[pfn];
        }
        return prepareForWrite(pfn);
    }

    /** A write to a frame that is not ready: logged, watched, allocated, its decodes dropped; then ready unless watched. */
    private byte[] prepareForWrite(int pfn) {
        byte[] p = pages[pfn];
        if (writeLog != null) {
            writeLog.note(pfn, p);
        }
        boolean watched = watchedFrames != null && watchedFrames[pfn];
        if (watched) {
            onWatchedWrite.run();
        }
        if (p == null) {
            p = new byte[PAGE_SIZE];
            pages[pfn] = p;
            allocatedPages++;
        }
        dropDecodes(pfn);
        if (!watched) {
            ready[pfn] = true;
        }
        return p;
    }

    /*
     * Words of a page array, little-endian, for the CPU's TLB fast path, unchecked: {@code page} must be a frame's
     * array and {@code off} must leave the whole word inside its 4 KiB (the TLB checks the access does not cross the
     * page before it comes here).
     */

    /** The byte at {@code off} of {@code page} (zero-extended); {@code off <= 4095}. */
    public static int get8(byte[] page, int off) {
        return U.getByte(page, BASE + off) & 0xFF;
    }

    /** The little-endian 16-bit value at {@code off} of {@code page} (zero-extended); {@code off <= 4094}. */
    public static int get16(byte[] page, int off) {
        short v = U.getShort(page, BASE + off);
        return (LITTLE ? v : Short.reverseBytes(v)) & 0xFFFF;
    }

    /** The little-endian 32-bit value at {@code off} of {@code page}; {@code off <= 4092}. */
    public static int get32(byte[] page, int off) {
        return le(U.getInt(page, BASE + off));
    }

    /** Stores a byte at {@code off} of {@code page}; {@code off <= 4095}. */
    public static void put8(byte[] page, int off, int v) {
        U.putByte(page, BASE + off, (byte) v);
    }

    /** Stores a little-endian 16-bit value at {@code off} of {@code page}; {@code off <= 4094}. */
    public static void put16(byte[] page, int off, int v) {
        U.putShort(page, BASE + off, LITTLE ? (short) v : Short.reverseBytes((short) v));
    }

    /** Stores a little-endian 32-bit value at {@code off} of {@code page}; {@code off <= 4092}. */
    public static void put32(byte[] page, int off, int v) {
        U.putInt(page, BASE + off, le(v));
    }

    /** Reads a byte (zero-extended). */
    public int read8(int addr) {
        int pfn = addr >>> PAGE_SHIFT;
        if (pfn >= pageCount) {
            return 0xFF;
        }
        byte[] p = pages[pfn];
        return p == null ? 0 : p[addr & (PAGE_SIZE - 1)] & 0xFF;
    }

    /** Reads a little-endian 16-bit value (zero-extended). */
    public int read16(int addr) {
        int off = addr & (PAGE_SIZE - 1);
        if (off > PAGE_SIZE - 2) {
            return read8(addr) | read8(addr + 1) << 8;
        }
        int pfn = addr >>> PAGE_SHIFT;
        if (pfn >= pageCount) {
            return 0xFFFF;
        }
        byte[] p = pages[pfn];
        if (p == null) {
            return 0;
        }
        short v = U.getShort(p, BASE + off);
        return (LITTLE ? v : Short.reverseBytes(v)) & 0xFFFF;
    }

    /** Reads a little-endian 32-bit value. */
    public int read32(int addr) {
        int off = addr & (PAGE_SIZE - 1);
        if (off > PAGE_SIZE - 4) {
            return read16(addr) | read16(addr + 2) << 16;
        }
        int pfn = addr >>> PAGE_SHIFT;
        if (pfn >= pageCount) {
            return -1;
        }
        byte[] p = pages[pfn];
        return p == null ? 0 : le(U.getInt(p, BASE + off));
    }

    /** Writes a byte. */
    public void write8(int addr, int value) {
        int pfn = addr >>> PAGE_SHIFT;
        if (pfn >= pageCount) {
            return;
        }
        pageForWrite(pfn)[addr & (PAGE_SIZE - 1)] = (byte) value;
    }

    /** Writes a little-endian 16-bit value. */
    public void write16(int addr, int value) {
        int off = addr & (PAGE_SIZE - 1);
        if (off > PAGE_SIZE - 2) {
            write8(addr, value);
            write8(addr + 1, value >>> 8);
            return;
        }
        int pfn = addr >>> PAGE_SHIFT;
        if (pfn >= pageCount) {
            return;
        }
        U.putShort(pageForWrite(pfn), BASE + off, LITTLE ? (short) value : Short.reverseBytes((short) value));
    }

    /** Writes a little-endian 32-bit value. */
    public void write32(int addr, int value) {
        int off = addr & (PAGE_SIZE - 1);
        if (off > PAGE_SIZE - 4) {
            write16(addr, value);
            write16(addr + 2, value >>> 16);
            return;
        }
        int pfn = addr >>> PAGE_SHIFT;
        if (pfn >= pageCount) {
            return;
        }
        U.putInt(pageForWrite(pfn), BASE + off, le(value));
    }

    /** Copies {@code len} bytes of guest memory at {@code addr} into {@code dst[off..]}. */
    public void read(int addr, byte[] dst, int off, int len) {
        long a = addr & 0xFFFFFFFFL;
        while (len > 0) {
            int pfn = (int) (a >>> PAGE_SHIFT);
            int po = (int) (a & (PAGE_SIZE - 1));
            int n = Math.min(len, PAGE_SIZE - po);
            if (pfn >= pageCount) {
                Arrays.fill(dst, off, off + n, (byte) 0xFF);
            } else if (pages[pfn] == null) {
                Arrays.fill(dst, off, off + n, (byte) 0);
            } else {
                System.arraycopy(pages[pfn], po, dst, off, n);
            }
            a += n;
            off += n;
            len -= n;
        }
    }

    /** Copies {@code src[off..off+len)} into guest memory at {@code addr}. */
    public void write(int addr, byte[] src, int off, int len) {
        long a = addr & 0xFFFFFFFFL;
        while (len > 0) {
            int pfn = (int) (a >>> PAGE_SHIFT);
            int po = (int) (a & (PAGE_SIZE - 1));
            int n = Math.min(len, PAGE_SIZE - po);
            if (pfn < pageCount) {
                System.arraycopy(src, off, pageForWrite(pfn), po, n);
            }
            a += n;
            off += n;
            len -= n;
        }
    }

    /** Fills {@code len} bytes at {@code addr} with {@code value}. */
    public void fill(int addr, int len, int value) {
        long a = addr & 0xFFFFFFFFL;
        while (len > 0) {
            int pfn = (int) (a >>> PAGE_SHIFT);
            int po = (int) (a & (PAGE_SIZE - 1));
            int n = Math.min(len, PAGE_SIZE - po);
            if (pfn < pageCount) {
                if (value == 0 && pages[pfn] == null) {
                    dropDecodes(pfn);
                } else {
                    Arrays.fill(pageForWrite(pfn), po, po + n, (byte) value);
                }
            }
            a += n;
            len -= n;
        }
    }

    /** Copies one whole 4 KiB page: frame {@code srcPfn} to frame {@code dstPfn} (the kernel's copy_page). */
    public void copyPage(int srcPfn, int dstPfn) {
        checkPfn(srcPfn);
        checkPfn(dstPfn);
        byte[] s = pages[srcPfn];
        if (s == null) {
            if (pages[dstPfn] != null) {
                Arrays.fill(pageForWrite(dstPfn), (byte) 0);
            } else {
                dropDecodes(dstPfn);
            }
            return;
        }
        System.arraycopy(s, 0, pageForWrite(dstPfn), 0, PAGE_SIZE);
    }

    /** True when frames {@code a} and {@code b} hold the same bytes. */
    public boolean samePage(int a, int b) {
        checkPfn(a);
        checkPfn(b);
        byte[] pa = pages[a];
        byte[] pb = pages[b];
        if (pa == pb) {
            return true;
        }
        if (pa == null) {
            return isZero(pb);
        }
        if (pb == null) {
            return isZero(pa);
        }
        return Arrays.equals(pa, pb);
    }

    /**
     * A 64-bit fingerprint of frame {@code pfn}'s contents: a multiply-rotate hash over its 64-bit words (the
     * integrity proof compares fingerprints taken before and after a jump). A never-written frame hashes like
     * a zeroed one.
     */
    public long pageFingerprint(int pfn) {
        checkPfn(pfn);
        byte[] p = pages[pfn];
        if (p == null) {
            return ZERO_PAGE_FINGERPRINT;
        }
        return fingerprint(p);
    }

    private static final long ZERO_PAGE_FINGERPRINT = fingerprint(new byte[PAGE_SIZE]);

    private static long fingerprint(byte[] p) {
        long h = 0x243F6A8885A308D3L;
        for (int i = 0; i < PAGE_SIZE; i += 8) {
            long w = LITTLE ? U.getLong(p, BASE + i) : Long.reverseBytes(U.getLong(p, BASE + i));
            h = Long.rotateLeft((h ^ w) * 0x9E3779B97F4A7C15L, 29) + i;
        }
        return h ^ (h >>> 31);
    }

    private static boolean isZero(byte[] p) {
        for (byte b : p) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkPfn(int pfn) {
        if (pfn < 0 || pfn >= pageCount) {
            throw new IllegalArgumentException("page frame outside RAM: 0x" + Integer.toHexString(pfn));
        }
    }
}
