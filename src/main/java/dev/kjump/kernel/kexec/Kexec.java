package dev.kjump.kernel.kexec;

import dev.kjump.kernel.KernelLog;
import dev.kjump.kernel.mm.KernelMemory;
import dev.kjump.kernel.mm.PageAllocator;
import dev.kjump.machine.PhysicalMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * kernel/kexec.c: {@code sys_kexec_load} and the kimage machinery — segment checks, source pages chosen by
 * {@code kimage_alloc_page}'s rules, the indirection list in guest pages, the control page and the seed's swap
 * page — plus {@code kexec_lock}, {@code kexec_image} and {@code kexec_crash_image}.
 */
public final class Kexec {
    /** kexec_load flags. */
    public static final int KEXEC_ON_CRASH = 0x1, KEXEC_PRESERVE_CONTEXT = 0x2;
    /** The architecture field of the flags. */
    public static final int KEXEC_ARCH_MASK = 0xffff0000, KEXEC_ARCH_DEFAULT = 0, KEXEC_ARCH_386 = 3 << 16;
    /** At most this many segments. */
    public static final int KEXEC_SEGMENT_MAX = 16;
    /** Indirection list entry flags. */
    public static final int IND_DESTINATION = 0x1, IND_INDIRECTION = 0x2, IND_DONE = 0x4, IND_SOURCE = 0x8;
    /** {@code kimage_alloc_page}'s "no destination". */
    static final long KIMAGE_NO_DEST = -1L;

    private static final int EPERM = -1, ENOMEM = -12, EFAULT = -14, EBUSY = -16, EINVAL = -22, ENOSYS = -38,
            EADDRNOTAVAIL = -99;

    private final KernelMemory km;
    private final PageAllocator pages;
    private final KernelLog log;
    private final boolean configKexec;
    private final boolean configKexecJump;
    private final long ramBytes;

    /** {@code kexec_lock}: taken by kexec_load and kernel_kexec with an atomic exchange. */
    public final AtomicInteger kexecLock = new AtomicInteger();
    private volatile Kimage kexecImage;
    private volatile Kimage kexecCrashImage;

    /**
     * @param configKexec CONFIG_KEXEC
     * @param configKexecJump CONFIG_KEXEC_JUMP (the preserve-context flag is legal only with it)
     */
    public Kexec(KernelMemory km, PageAllocator pages, KernelLog log, long ramBytes, boolean configKexec,
                 boolean configKexecJump) {
        this.km = km;
        this.pages = pages;
        this.log = log;
        this.ramBytes = ramBytes;
        this.configKexec = configKexec;
        this.configKexecJump = configKexecJump;
    }

    /** {@code kexec_image}: the loaded image, or null. */
    public Kimage image() {
        return kexecImage;
    }

    /** {@code kexec_crash_image}, or null. */
    public Kimage crashImage() {
        return kexecCrashImage;
    }

    /** CONFIG_KEXEC. */
    public boolean configKexec() {
        return configKexec;
    }

    /**
     * {@code sys_kexec_load(entry, nr_segments, segments, flags)}.
     *
     * @param capSysBoot whether the caller has CAP_SYS_BOOT
     * @param segments the caller's segment array (null: a bad pointer); {@code nr_segments} entries are read
     * @return 0 or a negative errno
     */
    public int sysKexecLoad(boolean capSysBoot, long entry, long nrSegments, KexecSegment[] segments, long flags) {
        if (!configKexec) {
            return ENOSYS;
        }
        if (!capSysBoot) {
            return EPERM;
        }
        long legal = KEXEC_ON_CRASH | (configKexecJump ? KEXEC_PRESERVE_CONTEXT : 0);
        long nonArch = flags & ~(KEXEC_ARCH_MASK & 0xFFFFFFFFL);
        if ((flags & legal) != nonArch) {
            return EINVAL;
        }
        long arch = flags & (KEXEC_ARCH_MASK & 0xFFFFFFFFL);
        if (arch != KEXEC_ARCH_386 && arch != KEXEC_ARCH_DEFAULT) {
            return EINVAL;
        }
        if (nrSegments > KEXEC_SEGMENT_MAX || nrSegments < 0) {
            return EINVAL;
        }
        if (kexecLock.getAndSet(1) != 0) {
            return EBUSY;
        }
        Kimage image = null;
        int result = 0;
        try {
            boolean crash = (flags & KEXEC_ON_CRASH) != 0;
            if (nrSegments > 0) {
                if (crash) {
                    log.printk("kexec: no crashkernel= region is reserved");
                    return EADDRNOTAVAIL;
                }
                Kimage[] out = new Kimage[1];
                result = kimageNormalAlloc(out, entry, (int) nrSegments, segments);
                image = out[0];
                if (result != 0) {
                    return result;
                }
                if ((flags & KEXEC_PRESERVE_CONTEXT) != 0) {
                    image.set(Kimage.PRESERVE, 1);
                }
                for (int i = 0; i < nrSegments; i++) {
                    result = kimageLoadSegment(image, i, segments[i]);
                    if (result != 0) {
                        return result;
                    }
                }
                kimageTerminate(image);
                log.printk("kexec: loaded image: entry %08x, %d segment(s), %d source page(s)%s", entry, nrSegments,
                        image.pagePairs().size(), image.preserveContext() ? ", preserve_context" : "");
            } else {
                log.printk("kexec: %s unloaded", crash ? "crash image" : "image");
            }
            Kimage old;
            if (crash) {
                old = kexecCrashImage;
                kexecCrashImage = image;
            } else {
                old = kexecImage;
                kexecImage = image;
            }
            image = old;
            return 0;
        } finally {
            // free under kexec_lock: kimage_free writes the page allocator's bitmap through the kernel's page
            // tables, which must not happen while a jump that got the lock has them switched off
            if (image != null) {
                kimageFree(image);
            }
            kexecLock.set(0);
        }
    }

    // ---------------------------------------------------------------- kimage allocation

    private int kimageNormalAlloc(Kimage[] out, long entry, int nr, KexecSegment[] segments) {
        int pfn = pages.allocPage();
        if (pfn < 0) {
            return ENOMEM;
        }
        int va = KernelMemory.va((long) pfn << 12);
        km.fill(va, 4096, 0);
        Kimage image = new Kimage(km, va);
        out[0] = image;
        image.set(Kimage.HEAD, 0);
        image.set(Kimage.ENTRY, va + Kimage.HEAD);
        image.set(Kimage.LAST_ENTRY, va + Kimage.HEAD);
        image.set(Kimage.START, (int) entry);
        image.set(Kimage.TYPE, 0);
        // copy_from_user of the segment array
        if (segments == null || segments.length < nr) {
            return EFAULT;
        }
        image.set(Kimage.NR_SEGMENTS, nr);
        for (int i = 0; i < nr; i++) {
            KexecSegment s = segments[i];
            if (s == null) {
                return EFAULT;
            }
            image.set(Kimage.SEGMENTS + 16 * i, (int) s.mem());
            image.set(Kimage.SEGMENTS + 16 * i + 4, (int) s.memsz());
            image.set(Kimage.SEGMENTS + 16 * i + 8, (int) s.bufsz());
        }
        int r = sanityCheckSegmentList(segments, nr);
        if (r != 0) {
            return r;
        }
        int control = kimageAllocControlPage(image);
        if (control < 0) {
            log.printk("kexec: Could not allocate control_code_buffer");
            return ENOMEM;
        }
        image.set(Kimage.CONTROL, control << 12);
        int swap = kimageAllocControlPage(image);
        if (swap < 0) {
            log.printk("kexec: Could not allocate swap buffer");
            return ENOMEM;
        }
        image.set(Kimage.SWAP, swap << 12);
        return 0;
    }

    private int sanityCheckSegmentList(KexecSegment[] segments, int nr) {
        for (int i = 0; i < nr; i++) {
            long mstart = segments[i].mem();
            long mend = mstart + segments[i].memsz();
            if ((mstart & 0xFFF) != 0 || (mend & 0xFFF) != 0 || mstart < 0 || segments[i].memsz() < 0
                    || mend < mstart) { // mem + memsz wrapped around
                return EADDRNOTAVAIL;
            }
            if (mend > ramBytes) {
                return EADDRNOTAVAIL;
            }
        }
        for (int i = 0; i < nr; i++) {
            long ms = segments[i].mem();
            long me = ms + segments[i].memsz();
            for (int j = 0; j < i; j++) {
                long ps = segments[j].mem();
                long pe = ps + segments[j].memsz();
                if (me > ps && ms < pe) {
                    return EINVAL;
                }
            }
        }
        for (int i = 0; i < nr; i++) {
            if (segments[i].bufsz() > segments[i].memsz() || segments[i].bufsz() < 0) {
                return EINVAL;
            }
        }
        return 0;
    }

    /** {@code kimage_is_destination_range}. */
    boolean isDestinationRange(Kimage image, long start, long end) {
        for (int i = 0; i < image.nrSegments(); i++) {
            long ms = image.segmentMem(i);
            long me = ms + image.segmentMemsz(i);
            if (end > ms && start < me) {
                return true;
            }
        }
        return false;
    }

    /** {@code kimage_alloc_normal_control_pages} for one page: a frame no destination will overwrite. */
    private int kimageAllocControlPage(Kimage image) {
        List<Integer> extra = new ArrayList<>();
        int found = -1;
        while (true) {
            int pfn = pages.allocPage();
            if (pfn < 0) {
                break;
            }
            long addr = (long) pfn << 12;
            if (isDestinationRange(image, addr, addr + 4096)) {
                extra.add(pfn);
                continue;
            }
            found = pfn;
            image.controlPages.add(pfn);
            break;
        }
        for (int p : extra) {
            pages.freePage(p);
        }
        return found;
    }

    /**
     * {@code kimage_alloc_page}: a page to hold data for {@code destination}, never one a later destination
     * would overwrite before it is read: a free frame that is itself some destination is kept on dest_pages for
     * that destination; a frame already used as the source of a destination is swapped over.
     *
     * @return the frame, or -1
     */
    int kimageAllocPage(Kimage image, long destination) {
        for (int i = 0; i < image.destPages.size(); i++) {
            int pfn = image.destPages.get(i);
            if (((long) pfn << 12) == destination) {
                image.destPages.remove(i);
                return pfn;
            }
        }
        while (true) {
            int pfn = pages.allocPage();
            if (pfn < 0) {
                return -1;
            }
            long addr = (long) pfn << 12;
            if (addr == destination) {
                return pfn;
            }
            if (!isDestinationRange(image, addr, addr + 4096)) {
                return pfn;
            }
            int oldSlot = dstUsed(image, addr);
            if (oldSlot != 0) {
                // addr is the destination of an existing source page: move that data here, hand out the old page
                int old = km.read32(oldSlot);
                long oldAddr = old & 0xFFFFF000L;
                byte[] buf = new byte[4096];
                km.read(KernelMemory.va(oldAddr), buf, 0, 4096);
                km.write(KernelMemory.va(addr), buf, 0, 4096);
                km.write32(oldSlot, (int) addr | (old & 0xFFF));
                return (int) (oldAddr >>> 12);
            }
            image.destPages.add(pfn);
        }
    }

    /** {@code kimage_dst_used}: the list slot (kernel virtual address) of the source page for {@code page}, or 0. */
    private int dstUsed(Kimage image, long page) {
        long dest = 0;
        int e = image.head();
        int ptr = 0;
        int slot = image.va() + Kimage.HEAD;
        while (e != 0 && (e & IND_DONE) == 0) {
            long addr = e & 0xFFFFF000L;
            if ((e & IND_DESTINATION) != 0) {
                dest = addr;
            } else if ((e & IND_INDIRECTION) != 0) {
                ptr = KernelMemory.va(addr);
            } else if ((e & IND_SOURCE) != 0) {
                if (dest == page) {
                    return slot;
                }
                dest += 4096;
            }
            if (ptr == 0) {
                break;
            }
            slot = ptr;
            e = km.read32(ptr);
            ptr += 4;
        }
        return 0;
    }

    /** {@code kimage_add_entry}: 0 or -ENOMEM. */
    private int kimageAddEntry(Kimage image, int entry) {
        int slot = image.get(Kimage.ENTRY);
        if (km.read32(slot) != 0) {
            slot += 4;
            image.set(Kimage.ENTRY, slot);
        }
        if (slot == image.get(Kimage.LAST_ENTRY)) {
            int pfn = kimageAllocPage(image, KIMAGE_NO_DEST);
            if (pfn < 0) {
                return ENOMEM;
            }
            int ind = KernelMemory.va((long) pfn << 12);
            km.fill(ind, 4096, 0);
            km.write32(slot, (pfn << 12) | IND_INDIRECTION);
            slot = ind;
            image.set(Kimage.ENTRY, slot);
            image.set(Kimage.LAST_ENTRY, ind + 4096 - 4);
        }
        km.write32(slot, entry);
        slot += 4;
        image.set(Kimage.ENTRY, slot);
        km.write32(slot, 0);
        return 0;
    }

    private int kimageSetDestination(Kimage image, long destination) {
        destination &= ~0xFFFL;
        int r = kimageAddEntry(image, (int) destination | IND_DESTINATION);
        if (r == 0) {
            image.set(Kimage.DESTINATION, (int) destination);
        }
        return r;
    }

    private int kimageAddPage(Kimage image, long page) {
        page &= ~0xFFFL;
        int r = kimageAddEntry(image, (int) page | IND_SOURCE);
        if (r == 0) {
            image.set(Kimage.DESTINATION, image.get(Kimage.DESTINATION) + 4096);
        }
        return r;
    }

    /** {@code kimage_terminate}. */
    private void kimageTerminate(Kimage image) {
        int slot = image.get(Kimage.ENTRY);
        if (km.read32(slot) != 0) {
            slot += 4;
            image.set(Kimage.ENTRY, slot);
        }
        km.write32(slot, IND_DONE);
    }

    /** {@code kimage_load_normal_segment}: copies one segment into source pages, a page at a time. */
    private int kimageLoadSegment(Kimage image, int index, KexecSegment seg) {
        long maddr = seg.mem();
        long mbytes = seg.memsz();
        long ubytes = seg.bufsz();
        int uoff = 0;
        int r = kimageSetDestination(image, maddr);
        if (r != 0) {
            return r;
        }
        while (mbytes > 0) {
            int pfn = kimageAllocPage(image, maddr);
            if (pfn < 0) {
                return ENOMEM;
            }
            r = kimageAddPage(image, (long) pfn << 12);
            if (r != 0) {
                pages.freePage(pfn);
                return r;
            }
            int va = KernelMemory.va((long) pfn << 12);
            km.fill(va, 4096, 0);
            int chunk = (int) Math.min(4096 - (maddr & 0xFFF), mbytes);
            int ucopy = (int) Math.min(chunk, ubytes);
            if (ucopy > 0) {
                if (seg.buf() == null || uoff + ucopy > seg.buf().length) {
                    return EFAULT; // copy_from_user faulted
                }
                km.write(va + (int) (maddr & 0xFFF), seg.buf(), uoff, ucopy);
            }
            ubytes -= ucopy;
            uoff += ucopy;
            maddr += chunk;
            mbytes -= chunk;
        }
        return 0;
    }

    /** {@code kimage_free}: source, indirection, control, swap and spare pages, then the structure. */
    void kimageFree(Kimage image) {
        List<Integer> toFree = new ArrayList<>();
        if (image.head() != 0) {
            for (int e : image.entries()) {
                if ((e & (IND_SOURCE | IND_INDIRECTION)) != 0) {
                    toFree.add(e >>> 12);
                }
            }
        }
        toFree.addAll(image.controlPages);
        toFree.addAll(image.destPages);
        toFree.addAll(image.unusablePages);
        for (int pfn : toFree) {
            pages.freePage(pfn);
        }
        image.controlPages.clear();
        image.destPages.clear();
        image.unusablePages.clear();
        pages.freePage((int) (KernelMemory.pa(image.va()) >>> PhysicalMemory.PAGE_SHIFT));
    }
}
