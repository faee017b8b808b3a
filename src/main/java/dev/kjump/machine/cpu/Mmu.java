package dev.kjump.machine.cpu;

import dev.kjump.machine.PhysicalMemory;

/**
 * The i386 paging unit: 2-level page tables with 4 KiB pages and, with CR4.PSE, 4 MiB pages; a TLB that CR3
 * writes, paging mode changes and INVLPG flush; accessed and dirty bits set in the tables as the hardware
 * does; page faults with CR2 and the error code. A user-mode access (CPL 3) needs U/S set in both levels and,
 * for a write, R/W in both; a supervisor access is denied a write only by a clear R/W with CR0.WP set. User and
 * supervisor translations are cached apart, so a change of CPL needs no flush.
 */
public final class Mmu implements PhysicalMemory.FastPathListener {
    /** Access kinds. */
    static final int READ = 0;
    static final int WRITE = 1;
    static final int FETCH = 2;

    static final int PTE_P = 0x1;
    static final int PTE_RW = 0x2;
    static final int PTE_US = 0x4;
    static final int PTE_A = 0x20;
    static final int PTE_D = 0x40;
    static final int PDE_PS = 0x80;

    private static final int TLB_BITS = 10;
    private static final int TLB_SIZE = 1 << TLB_BITS;
    static final int TLB_MASK = TLB_SIZE - 1;
    /** A fast-path tag no access matches (the tags are page addresses). */
    static final int NO_PAGE = 1;

    private final PhysicalMemory mem;
    private final CpuFault fault;

    boolean paging;
    boolean writeProtect;
    boolean pse;
    int cr3;
    /** Linear address of the last page fault. */
    int cr2;

    /**
     * TLB tags: (linear page address | 1) when valid, for reads and for writes (writes need D set), and the
     * frames; one set for supervisor accesses, one for user accesses, and the set in use.
     */
    private final int[] supRead = new int[TLB_SIZE], supWrite = new int[TLB_SIZE], supFrame = new int[TLB_SIZE];
    private final int[] userRead = new int[TLB_SIZE], userWrite = new int[TLB_SIZE], userFrame = new int[TLB_SIZE];
    private int[] tagRead = supRead, tagWrite = supWrite, frame = supFrame;
    /** Accesses are user-mode accesses (CPL 3, and not an implicit supervisor access such as a descriptor read). */
    private boolean user;
    private boolean largePagesCached;
    private long walks;
    /**
     * Counts changes to the TLB (an entry filled or dropped, a flush, a switch between the user and supervisor
     * sets): while it stays the same, a fetch from an address that hit or was filled before hits again, with no
     * side effect, to the same frame. Block links hold the count they were made at ({@link Block#linked}).
     */
    long epoch;

    /*
     * The fast path (the softmmu idea): beside each TLB entry, the host array of its frame, so that a load or store
     * that hits needs no call. Entry i holds linear page L (tag L, a page address; NO_PAGE when empty) only while
     * the TLB entry i of the same set holds L, or paging is off (then L is the frame): for loads when the frame has
     * an array, for stores when the frame is also ready for writing (PhysicalMemory.fastWritePage: logged, not
     * watched, no decodes), until PhysicalMemory says otherwise. An access matches with tag == (linear + size - 1)
     * & ~0xFFF, which also fails for an access that crosses into the next page. A hit skips only what a TLB hit
     * and a ready frame skip anyway, so the guest cannot tell (Operands takes the slow path on any miss).
     */
    private final int[] supFastReadTag = emptyTags(), supFastWriteTag = emptyTags();
    private final byte[][] supFastReadPage = new byte[TLB_SIZE][], supFastWritePage = new byte[TLB_SIZE][];
    private final int[] userFastReadTag = emptyTags(), userFastWriteTag = emptyTags();
    private final byte[][] userFastReadPage = new byte[TLB_SIZE][], userFastWritePage = new byte[TLB_SIZE][];
    /** The fast-path set in use (read by Operands and by translated blocks). */
    int[] fastReadTag = supFastReadTag, fastWriteTag = supFastWriteTag;
    byte[][] fastReadPage = supFastReadPage, fastWritePage = supFastWritePage;

    /*
     * Translated blocks read the fast-path arrays through tagAt and pageAt: a plain array access costs a range check
     * the JIT cannot drop (it does not know the arrays' length), two compare-and-branches per guest load or store
     * (bench-long's warm run 0.49 -> 0.42 s without them, min of 16). Both are safe for any index: it is masked to the
     * TLB's size, which every fast-path array has. And a page entry is non-null wherever its tag matches, which is
     * what makes the raw load from the page after a tag hit safe: cacheRead and cacheWrite set a tag only with a
     * non-null array, and every other change clears the tag (pages are never freed, so an array stays valid).
     */
    private static final sun.misc.Unsafe U;
    private static final long INT_BASE, REF_BASE;
    private static final int REF_SHIFT;

    static {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            U = (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        INT_BASE = U.arrayBaseOffset(int[].class);
        REF_BASE = U.arrayBaseOffset(byte[][].class);
        REF_SHIFT = Integer.numberOfTrailingZeros(U.arrayIndexScale(byte[][].class));
    }

    /** True when every fast-path entry, of both sets, that holds a page has that page's array (see tagAt). */
    boolean fastEntriesHavePages() {
        for (int i = 0; i < TLB_SIZE; i++) {
            if (supFastReadTag[i] != NO_PAGE && supFastReadPage[i] == null
                    || supFastWriteTag[i] != NO_PAGE && supFastWritePage[i] == null
                    || userFastReadTag[i] != NO_PAGE && userFastReadPage[i] == null
                    || userFastWriteTag[i] != NO_PAGE && userFastWritePage[i] == null) {
                return false;
            }
        }
        return true;
    }

    /** Entry {@code i} (masked to the TLB's size) of a fast-path tag array, unchecked. */
    static int tagAt(int[] tags, int i) {
        return U.getInt(tags, INT_BASE + ((long) (i & TLB_MASK) << 2));
    }

    /** Entry {@code i} (masked to the TLB's size) of a fast-path page array, unchecked. */
    static byte[] pageAt(byte[][] pages, int i) {
        return (byte[]) U.getObject(pages, REF_BASE + ((long) (i & TLB_MASK) << REF_SHIFT));
    }

    Mmu(PhysicalMemory mem, CpuFault fault) {
        this.mem = mem;
        this.fault = fault;
        mem.addFastPathListener(this);
    }

    private static int[] emptyTags() {
        int[] t = new int[TLB_SIZE];
        java.util.Arrays.fill(t, NO_PAGE);
        return t;
    }

    /** After a load at {@code linear} that translated to frame {@code pfn}: loads there may take the fast path. */
    void cacheRead(int linear, int pfn) {
        byte[] p = mem.fastReadPage(pfn);
        if (p != null) {
            int i = (linear >>> 12) & TLB_MASK;
            fastReadTag[i] = linear & 0xFFFFF000;
            fastReadPage[i] = p;
        }
    }

    /** After a store at {@code linear} that translated to frame {@code pfn}: stores (and loads) there may take the fast path. */
    void cacheWrite(int linear, int pfn) {
        byte[] p = pfn < mem.pageCount() ? mem.fastWritePage(pfn) : null;
        if (p != null) {
            int i = (linear >>> 12) & TLB_MASK;
            int tag = linear & 0xFFFFF000;
            fastWriteTag[i] = tag;
            fastWritePage[i] = p;
            fastReadTag[i] = tag;
            fastReadPage[i] = p;
        }
    }

    @Override
    public void notWritable(byte[] page) {
        for (int i = 0; i < TLB_SIZE; i++) {
            if (supFastWritePage[i] == page) {
                supFastWriteTag[i] = NO_PAGE;
                supFastWritePage[i] = null;
            }
            if (userFastWritePage[i] == page) {
                userFastWriteTag[i] = NO_PAGE;
                userFastWritePage[i] = null;
            }
        }
    }

    @Override
    public void noneWritable() {
        java.util.Arrays.fill(supFastWriteTag, NO_PAGE);
        java.util.Arrays.fill(userFastWriteTag, NO_PAGE);
        java.util.Arrays.fill(supFastWritePage, null);
        java.util.Arrays.fill(userFastWritePage, null);
    }

    private void dropFast(int i) {
        supFastReadTag[i] = NO_PAGE;
        supFastWriteTag[i] = NO_PAGE;
        userFastReadTag[i] = NO_PAGE;
        userFastWriteTag[i] = NO_PAGE;
        supFastWritePage[i] = null;
        userFastWritePage[i] = null;
    }

    /** Number of page-table walks done so far (TLB misses with paging on). */
    public long walks() {
        return walks;
    }

    /** Drops every cached translation. */
    void flush() {
        epoch++;
        java.util.Arrays.fill(supRead, 0);
        java.util.Arrays.fill(supWrite, 0);
        java.util.Arrays.fill(userRead, 0);
        java.util.Arrays.fill(userWrite, 0);
        largePagesCached = false;
        java.util.Arrays.fill(supFastReadTag, NO_PAGE);
        java.util.Arrays.fill(userFastReadTag, NO_PAGE);
        noneWritable();
    }

    /**
     * Makes the following accesses user-mode (true) or supervisor (false) accesses; returns the previous mode, so
     * that an implicit supervisor access (GDT, IDT, TSS) can put it back.
     */
    boolean setUser(boolean u) {
        boolean was = user;
        if (u != was) {
            epoch++;
        }
        user = u;
        tagRead = u ? userRead : supRead;
        tagWrite = u ? userWrite : supWrite;
        frame = u ? userFrame : supFrame;
        fastReadTag = u ? userFastReadTag : supFastReadTag;
        fastReadPage = u ? userFastReadPage : supFastReadPage;
        fastWriteTag = u ? userFastWriteTag : supFastWriteTag;
        fastWritePage = u ? userFastWritePage : supFastWritePage;
        return was;
    }

    /** True when accesses are user-mode accesses. */
    boolean user() {
        return user;
    }

    /** INVLPG: drops the translation of the page holding {@code linear}. */
    void invlpg(int linear) {
        epoch++;
        if (largePagesCached) {
            flush();
            return;
        }
        int i = (linear >>> 12) & TLB_MASK;
        supRead[i] = 0;
        supWrite[i] = 0;
        userRead[i] = 0;
        userWrite[i] = 0;
        dropFast(i);
    }

    /** Translates for a read; throws the CPU's #PF fault. */
    int read(int linear) {
        return lookup(linear, tagRead, READ);
    }

    /** Translates for a write; throws the CPU's #PF fault. */
    int write(int linear) {
        return lookup(linear, tagWrite, WRITE);
    }

    /** Translates for an instruction fetch; throws the CPU's #PF fault. */
    int fetch(int linear) {
        return lookup(linear, tagRead, FETCH);
    }

    /** The TLB lookup of {@code linear} in {@code tags}, walking the tables on a miss. */
    private int lookup(int linear, int[] tags, int access) {
        if (!paging) {
            return linear;
        }
        int i = (linear >>> 12) & TLB_MASK;
        if (tags[i] == ((linear & 0xFFFFF000) | 1)) {
            return frame[i] | (linear & 0xFFF);
        }
        return walk(linear, access);
    }

    /**
     * Translates {@code linear} as the hardware does for a data access by code running on this CPU at ring 0 —
     * TLB, page walk, accessed and dirty bits — for host code that plays the kernel (the Java kernel's loads
     * and stores go through here). Unlike a guest access, a fault does not touch CR2 or the CPU: it is thrown.
     *
     * @throws PageFaultException when the page is not present, or not writable for a write with CR0.WP set
     */
    public int translate(int linear, boolean write) {
        int savedCr2 = cr2;
        boolean wasUser = setUser(false);
        try {
            return write ? write(linear) : read(linear);
        } catch (CpuFault f) {
            cr2 = savedCr2;
            throw new PageFaultException(linear, f.errorCode);
        } finally {
            setUser(wasUser);
        }
    }

    /** True when paging is on (CR0.PG). */
    public boolean pagingEnabled() {
        return paging;
    }

    /**
     * Translates without side effects (no A/D bits, no TLB fill, no fault): for debuggers and dumps.
     *
     * @return the physical address, or -1L when not mapped
     */
    public long probe(int linear) {
        if (!paging) {
            return linear & 0xFFFFFFFFL;
        }
        int pde = mem.read32((cr3 & 0xFFFFF000) + ((linear >>> 22) << 2));
        if ((pde & PTE_P) == 0) {
            return -1L;
        }
        if ((pde & PDE_PS) != 0 && pse) {
            return ((pde & 0xFFC00000) | (linear & 0x3FFFFF)) & 0xFFFFFFFFL;
        }
        int pte = mem.read32((pde & 0xFFFFF000) + (((linear >>> 12) & 0x3FF) << 2));
        if ((pte & PTE_P) == 0) {
            return -1L;
        }
        return ((pte & 0xFFFFF000) | (linear & 0xFFF)) & 0xFFFFFFFFL;
    }

    private int walk(int linear, int access) {
        walks++;
        boolean isWrite = access == WRITE;
        int pdeAddr = (cr3 & 0xFFFFF000) + ((linear >>> 22) << 2);
        int pde = mem.read32(pdeAddr);
        if ((pde & PTE_P) == 0) {
            throw pageFault(linear, 0, isWrite);
        }
        int phys;
        int u = user ? PTE_US : 0;
        int i = (linear >>> 12) & TLB_MASK;
        if ((pde & PDE_PS) != 0 && pse) {
            if ((pde & u) != u || isWrite && (pde & PTE_RW) == 0 && (writeProtect || user)) {
                throw pageFault(linear, 1, isWrite);
            }
            int set = PTE_A | (isWrite ? PTE_D : 0);
            if ((pde & set) != set) {
                mem.write32(pdeAddr, pde | set);
            }
            phys = (pde & 0xFFC00000) | (linear & 0x003FF000);
            largePagesCached = true;
            boolean dirty = ((pde | set) & PTE_D) != 0;
            fill(i, linear, phys, dirty && (!(writeProtect || user) || (pde & PTE_RW) != 0));
        } else {
            // as QEMU does: the directory entry's accessed bit is set before the table entry is looked at
            if ((pde & PTE_A) == 0) {
                mem.write32(pdeAddr, pde | PTE_A);
            }
            int pteAddr = (pde & 0xFFFFF000) + (((linear >>> 12) & 0x3FF) << 2);
            int pte = mem.read32(pteAddr);
            if ((pte & PTE_P) == 0) {
                throw pageFault(linear, 0, isWrite);
            }
            boolean writable = (pde & pte & PTE_RW) != 0;
            if ((pde & pte & u) != u || isWrite && !writable && (writeProtect || user)) {
                throw pageFault(linear, 1, isWrite);
            }
            int set = PTE_A | (isWrite ? PTE_D : 0);
            if ((pte & set) != set) {
                mem.write32(pteAddr, pte | set);
            }
            phys = pte & 0xFFFFF000;
            boolean dirty = ((pte | set) & PTE_D) != 0;
            fill(i, linear, phys, dirty && (!(writeProtect || user) || writable));
        }
        if (access == FETCH && fetchWalkListener != null) {
            fetchWalkListener.mapped(linear & 0xFFFFF000, phys);
        }
        return phys | (linear & 0xFFF);
    }

    /** Told of every page an instruction fetch maps anew (a TLB fill), while set. */
    interface FetchWalkListener {
        /** Linear page {@code linearPage} now maps to the frame at {@code physPage}. */
        void mapped(int linearPage, int physPage);
    }

    private FetchWalkListener fetchWalkListener;

    /** Sets (or, with null, clears) the listener for fetch walks: the debugger's breakpoints use it. */
    void setFetchWalkListener(FetchWalkListener l) {
        fetchWalkListener = l;
    }

    private void fill(int i, int linear, int phys, boolean writeOk) {
        epoch++;
        fastReadTag[i] = NO_PAGE;
        fastWriteTag[i] = NO_PAGE;
        fastWritePage[i] = null;
        int tag = (linear & 0xFFFFF000) | 1;
        tagRead[i] = tag;
        frame[i] = phys;
        tagWrite[i] = writeOk ? tag : 0;
    }

    private CpuFault pageFault(int linear, int present, boolean write) {
        cr2 = linear;
        return fault.set(X86.V_PF, true, present | (write ? 2 : 0) | (user ? 4 : 0));
    }
}
