package dev.kjump.kernel;

import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.kernel.mm.KernelMemory;
import dev.kjump.kernel.mm.PageAllocator;
import dev.kjump.kernel.pm.CpuHotplug;
import dev.kjump.kernel.pm.DevicePm;
import dev.kjump.kernel.pm.Freezer;
import dev.kjump.kernel.pm.PmDevice;
import dev.kjump.kernel.pm.Task;
import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.Machine;
import dev.kjump.machine.cpu.PageFaultException;
import dev.kjump.machine.PhysicalMemory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The original kernel, in Java. It owns the machine: its page tables, GDT, stack, page allocator, tasks, RAM
 * disk and kexec structures live in guest RAM and are reached through the MMU with paging on, as a real
 * kernel's are. Its syscalls ({@link #kexecLoad}, {@link #reboot}) return Linux errno results ({@link #rebootKexec}
 * also the report of the jump, as a {@link KexecResult}), and its
 * kexec/PM/reboot paths mirror the seed function by function: {@code kernel_kexec}, {@code kexec_jump},
 * {@code machine_kexec}.
 *
 * <p>Physical layout at boot, from 1 MiB: kernel text, globals, GDT and IDT, a 2-page stack, the page
 * directory ({@code swapper_pg_dir}), page tables identity-mapping the first 16 MiB, the page allocator's
 * bitmap; then, from the allocator, the task blocks, the RAM disk and whatever kexec allocates. Low memory is
 * also mapped at {@link KernelMemory#PAGE_OFFSET} with 4 MiB pages.
 */
public final class Kernel {
    /** {@code reboot} magic numbers and commands (include/linux/reboot.h). */
    public static final int LINUX_REBOOT_MAGIC1 = 0xfee1dead, LINUX_REBOOT_MAGIC2 = 672274793,
            LINUX_REBOOT_MAGIC2A = 85072278, LINUX_REBOOT_MAGIC2B = 369367448, LINUX_REBOOT_MAGIC2C = 537993216;
    public static final int LINUX_REBOOT_CMD_KEXEC = 0x45584543, LINUX_REBOOT_CMD_CAD_ON = 0x89ABCDEF,
            LINUX_REBOOT_CMD_CAD_OFF = 0x00000000;
    /** i386 {@code __KERNEL_CS} and {@code __KERNEL_DS}. */
    public static final int KERNEL_CS = 0x60, KERNEL_DS = 0x68;

    static final int TEXT = 0x100000, GLOBALS = 0x101000, GDT = 0x102000, IDT = 0x102800, STACK = 0x103000,
            STACK_TOP = 0x105000, PGD = 0x105000, IDENT_PT = 0x106000, IDENT_MB = 16, BITMAP = 0x10A000;

    /**
     * The least RAM the kernel boots with: its page tables identity-map 16 MiB, and its boot allocations (1 MiB of
     * firmware, its image, the 4 MiB RAM disk, the tasks) leave room for kimages below that.
     */
    public static final long MIN_RAM = 16L << 20;
    /** The lowest start of a peer region: the kernel's image and its boot allocations stay below. */
    public static final long PEER_MIN_START = 8L << 20;
    /** How many jump reports the kernel keeps ({@link #jumps()}); older ones are dropped. */
    public static final int JUMP_HISTORY = 64;

    private final KernelConfig config;
    private final Machine machine;
    private final KernelLog log;
    private final KernelMemory km;
    private final PageAllocator pages;
    private final Kexec kexec;
    private final MachineKexec machineKexec;
    private final Freezer freezer;
    private final DevicePm devicePm;
    private final CpuHotplug cpus;
    private final List<Task> tasks = new ArrayList<>();
    private final RamDisk ramdisk;
    private final ReentrantLock bigKernelLock = new ReentrantLock();
    /** The reports of the last {@link #JUMP_HISTORY} jumps, oldest first (bounded, as the log's ring is). */
    private final ArrayDeque<JumpReport> jumps = new ArrayDeque<>();
    /** Jumps since boot. */
    private int jumpCount;
    private volatile boolean irqsEnabled = true;
    private volatile boolean alive = true;
    private boolean ctrlAltDel;
    private CpuState savedContext;

    /** Boots the kernel on {@code machine}. */
    public Kernel(Machine machine, KernelConfig config, KernelLog log) {
        this.machine = machine;
        this.config = config;
        this.log = log;
        PhysicalMemory mem = machine.memory();
        if (mem.size() < MIN_RAM) {
            throw new IllegalArgumentException("the kernel needs at least " + (MIN_RAM >> 20) + " MiB of RAM, the "
                    + "machine has " + (mem.size() % (1 << 20) == 0 ? (mem.size() >> 20) + " MiB"
                    : (mem.size() >> 10) + " KiB"));
        }
        checkPeerRegion(config, mem.size());
        log.printk("Linux version 2.6.27-kjump (kexec jump -v8) #1");
        log.printk("Memory: %dk RAM, %dk low memory", mem.size() >> 10, Math.min(mem.size(), KernelMemory.LOWMEM_LIMIT) >> 10);
        if (config.hasPeer()) {
            log.printk("peer region: [mem 0x%08x-0x%08x] (%d MiB), never allocated: left to a kernel it jumps into",
                    config.peerStart(), config.peerStart() + config.peerSize() - 1, config.peerSize() >> 20);
        }
        int firstFree = setupPaging(mem);
        this.km = new KernelMemory(machine.cpu().mmu(), mem);
        this.pages = new PageAllocator(km, KernelMemory.va(BITMAP), mem.size(), firstFree, config.peerStart(),
                config.peerSize());
        log.printk("paging on: swapper_pg_dir at %08x, PAGE_OFFSET %08x, %d page(s) used by the kernel image",
                PGD, KernelMemory.PAGE_OFFSET, firstFree - PageAllocator.FIRST_KERNEL_PFN);
        this.kexec = new Kexec(km, pages, log, mem.size(), config.kexec(), config.kexecJump());
        this.machineKexec = new MachineKexec(machine, km, log, PGD);
        this.freezer = new Freezer(tasks, log);
        this.devicePm = new DevicePm(log);
        this.cpus = new CpuHotplug(config.cpus(), log);
        log.printk("Brought up %d CPU(s)", config.cpus());
        setupConsole();
        devicePm.register(new PmDevice("serial8250 (ttyS0, console)", machine.uart()));
        if (machine.disk() != null) {
            devicePm.register(new PmDevice("ata_piix (sda)", machine.disk()));
            long sectors = machine.disk().capacitySectors();
            log.printk("ata1.00: ATA disk, %d sectors (%d MiB): sda", sectors, sectors * 512 >> 20);
        }
        // rtc_cmos is a platform device; the PIT and the PIC are sysdevs: suspended last, resumed first
        devicePm.register(new PmDevice("rtc_cmos (rtc0)", machine.rtc()));
        devicePm.register(new PmDevice("i8253 (timer_pit)", machine.pit()));
        devicePm.register(new PmDevice("i8259A (pic)", machine.pic()));
        this.ramdisk = new RamDisk(km, pages, config.ramdiskPages(), log);
        int taskPage = allocZeroedPage();
        tasks.add(new Task(km, taskPage, 1, "init", t -> t.setValue(t.value() + 1)));
        tasks.add(new Task(km, taskPage + Task.BLOCK_SIZE, 2, "kjournald", t -> {
            String line = String.format("kjournald: tick %d%n", t.steps());
            t.setValue(t.value() + ramdisk.append(line.getBytes(StandardCharsets.US_ASCII)));
        }));
        tasks.add(new Task(km, taskPage + 2 * Task.BLOCK_SIZE, 3, "kswapd0", t -> t.setValue(ramdisk.checksum())));
        log.printk("Freeing unused kernel memory: %d pages in use", pages.usedPages());
    }

    // ---------------------------------------------------------------- boot

    /** The peer region must be page aligned, in RAM and low memory, and above {@link #PEER_MIN_START}. */
    private static void checkPeerRegion(KernelConfig config, long ram) {
        if (!config.hasPeer()) {
            return;
        }
        long start = config.peerStart();
        long end = start + config.peerSize();
        if ((start & 0xFFF) != 0 || (config.peerSize() & 0xFFF) != 0) {
            throw new IllegalArgumentException(String.format("peer region 0x%x+0x%x is not page aligned", start,
                    config.peerSize()));
        }
        if (start < PEER_MIN_START || end > Math.min(ram, KernelMemory.LOWMEM_LIMIT)) {
            throw new IllegalArgumentException(String.format("peer region 0x%x-0x%x must lie between %d MiB and the "
                    + "end of %s (%d MiB)", start, end - 1, PEER_MIN_START >> 20,
                    ram > KernelMemory.LOWMEM_LIMIT ? "low memory, which the kernel maps," : "RAM",
                    Math.min(ram, KernelMemory.LOWMEM_LIMIT) >> 20));
        }
    }

    private int setupPaging(PhysicalMemory mem) {
        // kernel text: an idle loop (the CPU's EIP while the Java kernel runs)
        mem.write(TEXT, new byte[] {(byte) 0xF4, (byte) 0xEB, (byte) 0xFD}, 0, 3); // 1: hlt; jmp 1b
        // GDT: null ... __KERNEL_CS (index 12), __KERNEL_DS (index 13), flat 4 GiB
        mem.write32(GDT + KERNEL_CS, 0x0000FFFF);
        mem.write32(GDT + KERNEL_CS + 4, 0x00CF9A00);
        mem.write32(GDT + KERNEL_DS, 0x0000FFFF);
        mem.write32(GDT + KERNEL_DS + 4, 0x00CF9200);
        // identity map of the first 16 MiB with 4 KiB pages
        long identEnd = Math.min(mem.size(), (long) IDENT_MB << 20);
        for (int t = 0; t < IDENT_MB / 4; t++) {
            int pt = IDENT_PT + t * 4096;
            for (int i = 0; i < 1024; i++) {
                long pa = ((long) t << 22) + ((long) i << 12);
                mem.write32(pt + i * 4, pa < identEnd ? (int) pa | 0x003 : 0);
            }
            mem.write32(PGD + t * 4, pt | 0x003);
        }
        // PAGE_OFFSET: low memory with 4 MiB pages
        long lowmem = Math.min(mem.size(), KernelMemory.LOWMEM_LIMIT);
        for (long pa = 0; pa < lowmem; pa += 4L << 20) {
            int idx = (int) ((KernelMemory.PAGE_OFFSET + pa) >>> 22) & 0x3FF;
            mem.write32(PGD + idx * 4, (int) pa | 0x083);
        }
        int bitmapPages = (PageAllocator.bitmapBytes(mem.size()) + 4095) / 4096;
        int firstFree = (BITMAP >>> 12) + bitmapPages;
        Cpu cpu = machine.cpu();
        int[] regs = new int[8];
        regs[Cpu.ESP] = KernelMemory.va(STACK_TOP);
        int[] sel = {KERNEL_DS, KERNEL_CS, KERNEL_DS, KERNEL_DS, 0, 0};
        cpu.restoreState(new CpuState(regs, KernelMemory.va(TEXT), 0x202, sel, new int[6],
                Cpu.CR0_PE | Cpu.CR0_ET | Cpu.CR0_WP | Cpu.CR0_PG, 0, PGD, Cpu.CR4_PSE, KernelMemory.va(GDT), 32 * 8 - 1,
                KernelMemory.va(IDT), 256 * 8 - 1));
        return firstFree;
    }

    private void setupConsole() {
        // the kernel's console settings on ttyS0: 9600 8N1, FIFO on, DTR/RTS/OUT2, scratch register marked
        var io = machine.io();
        io.out(0x3FB, 1, 0x83);
        io.out(0x3F8, 1, 12);
        io.out(0x3F9, 1, 0);
        io.out(0x3FB, 1, 0x03);
        io.out(0x3FA, 1, 0xC7);
        io.out(0x3FC, 1, 0x0B);
        io.out(0x3FF, 1, 0xA5);
        log.printk("console [ttyS0] enabled: 9600 8N1");
    }

    private int allocZeroedPage() {
        int pfn = pages.allocPage();
        if (pfn < 0) {
            throw new IllegalStateException("out of memory at boot");
        }
        int va = KernelMemory.va((long) pfn << 12);
        km.fill(va, 4096, 0);
        return va;
    }

    // ---------------------------------------------------------------- accessors

    public Machine machine() {
        return machine;
    }

    public KernelConfig config() {
        return config;
    }

    public KernelLog log() {
        return log;
    }

    public KernelMemory memory() {
        return km;
    }

    public PageAllocator pageAllocator() {
        return pages;
    }

    public Kexec kexec() {
        return kexec;
    }

    public DevicePm devices() {
        return devicePm;
    }

    public CpuHotplug cpus() {
        return cpus;
    }

    public List<Task> tasks() {
        return List.copyOf(tasks);
    }

    public RamDisk ramdisk() {
        return ramdisk;
    }

    /** {@code kexec_image}: the loaded kimage, or null when none is loaded. */
    public Kimage kexecImage() {
        return kexec.image();
    }

    /** {@code /sys/kernel/kexec_loaded}: whether {@code kexec_image} is set. */
    public boolean kexecLoaded() {
        return kexec.image() != null;
    }

    /**
     * The loaded image's {@code image->start}, unsigned: where the next {@code reboot(LINUX_REBOOT_CMD_KEXEC)}
     * enters it (its entry, or the re-entry point the callee handed over on its last jump back); empty when no
     * image is loaded.
     */
    public OptionalLong kexecStart() {
        Kimage image = kexec.image();
        return image == null ? OptionalLong.empty() : OptionalLong.of(image.start() & 0xFFFFFFFFL);
    }

    /** True while interrupts are enabled on the boot CPU. */
    public boolean irqsEnabled() {
        return irqsEnabled;
    }

    /** False once a non-preserving kexec handed the machine over to the image. */
    public boolean alive() {
        return alive;
    }

    /**
     * The reports of the last {@value #JUMP_HISTORY} jumps, oldest first. The kernel keeps no more, so its memory
     * stays flat however many jumps run; {@link #jumpCount()} counts them all.
     */
    public List<JumpReport> jumps() {
        synchronized (jumps) {
            return List.copyOf(jumps);
        }
    }

    /** How many jumps ({@code kexec_jump} calls that produced a report) the kernel made since boot. */
    public int jumpCount() {
        synchronized (jumps) {
            return jumpCount;
        }
    }

    /** The report of the last jump, or null. */
    public JumpReport lastJump() {
        synchronized (jumps) {
            return jumps.peekLast();
        }
    }

    /** Runs the kernel's tasks round-robin for {@code rounds} rounds (frozen tasks do not run). */
    public void runTasks(int rounds) {
        checkAlive();
        bigKernelLock.lock();
        try {
            for (int i = 0; i < rounds; i++) {
                for (Task t : tasks) {
                    if (!t.frozen()) {
                        t.step();
                    }
                }
            }
        } catch (PageFaultException e) {
            throw oops("the kernel's tasks", e);
        } finally {
            bigKernelLock.unlock();
        }
    }

    private void checkAlive() {
        if (!alive) {
            throw new IllegalStateException("the kernel is gone: the machine was handed over to a kexec'd image");
        }
    }

    // ---------------------------------------------------------------- syscalls

    /**
     * {@code sys_kexec_load(entry, nr_segments, segments, flags)}.
     *
     * @return 0 or a negative errno
     */
    public int kexecLoad(Credentials caller, long entry, long nrSegments, KexecSegment[] segments, long flags) {
        checkAlive();
        // the kernel's memory is reached through the one MMU: kexec_load and the tasks take turns (kexec_lock
        // is only tried inside, so this cannot deadlock with reboot, which takes kexec_lock first)
        bigKernelLock.lock();
        try {
            return kexec.sysKexecLoad(caller.capSysBoot(), entry, nrSegments, segments, flags);
        } catch (PageFaultException e) {
            throw oops("sys_kexec_load", e);
        } finally {
            bigKernelLock.unlock();
        }
    }

    /**
     * {@code sys_reboot(magic1, magic2, cmd, arg)}: with {@link #LINUX_REBOOT_CMD_KEXEC}, {@code kernel_kexec}.
     * With a preserve-context image it returns when the callee has jumped back (0) or was stopped (-EFAULT,
     * -ETIMEDOUT, -EINTR); without, the kernel is gone and {@link KernelHandedOver} is thrown: the call does not return.
     * If the callee damaged the kernel beyond repair, the kernel oopses: {@link KernelOops}.
     *
     * @return 0 or a negative errno
     */
    public int reboot(Credentials caller, int magic1, int magic2, int cmd) {
        checkAlive();
        int refused = rebootRefused(caller, magic1, magic2);
        if (refused != 0) {
            return refused;
        }
        switch (cmd) {
            case LINUX_REBOOT_CMD_CAD_ON -> {
                ctrlAltDel = true;
                return 0;
            }
            case LINUX_REBOOT_CMD_CAD_OFF -> {
                ctrlAltDel = false;
                return 0;
            }
            case LINUX_REBOOT_CMD_KEXEC -> {
                return kernelKexec().result();
            }
            default -> {
                return Errno.EINVAL.negative();
            }
        }
    }

    /**
     * {@code reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC)}, as {@code kexec -e} calls
     * it, returning the whole result: the syscall's result and the report of the jump. Everything else is as
     * {@link #reboot}: {@link KernelHandedOver} without preserve_context, {@link KernelOops} when the kernel dies.
     */
    public KexecResult rebootKexec(Credentials caller) {
        checkAlive();
        int refused = rebootRefused(caller, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2);
        return refused != 0 ? KexecResult.refused(refused) : kernelKexec();
    }

    /** sys_reboot's checks: -EPERM without CAP_SYS_BOOT, -EINVAL for wrong magic numbers, else 0. */
    private static int rebootRefused(Credentials caller, int magic1, int magic2) {
        if (!caller.capSysBoot()) {
            return Errno.EPERM.negative();
        }
        if (magic1 != LINUX_REBOOT_MAGIC1 || (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A
                && magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C)) {
            return Errno.EINVAL.negative();
        }
        return 0;
    }

    /** Whether Ctrl-Alt-Del reboots (LINUX_REBOOT_CMD_CAD_ON). */
    public boolean ctrlAltDel() {
        return ctrlAltDel;
    }

    /**
     * {@code kernel_kexec} (kernel/sys.c of the seed): its result, and the report when {@code kexec_jump} ran.
     */
    KexecResult kernelKexec() {
        if (!config.kexec()) {
            return KexecResult.refused(Errno.ENOSYS.negative());
        }
        if (kexec.kexecLock.getAndSet(1) != 0) {
            return KexecResult.refused(Errno.EBUSY.negative());
        }
        bigKernelLock.lock();
        try {
            Kimage image = kexec.image();
            if (image == null) {
                return KexecResult.refused(Errno.EINVAL.negative());
            }
            if (!image.preserveContext()) {
                // kernel_restart_prepare(NULL); machine_shutdown()
                log.printk("Starting new kernel");
                devicePm.deviceSuspend();
                cpus.disableNonbootCpus();
            }
            JumpReport report = kexecJump(image);
            return new KexecResult(report.result(), report);
        } catch (PageFaultException e) {
            throw oops("kexec_jump", e);
        } finally {
            bigKernelLock.unlock();
            kexec.kexecLock.set(0);
        }
    }

    /** The kernel faulted on its own memory (a callee wrecked it): log like Linux, die, and say so. */
    private KernelOops oops(String where, PageFaultException e) {
        alive = false;
        log.printk("BUG: unable to handle kernel paging request at %08x", e.address());
        log.printk("Oops: in %s; the kernel is dead", where);
        return new KernelOops("in " + where, e);
    }

    /**
     * {@code kexec_jump(image)} (kernel/kexec.c of the seed): the PM sequence around {@code machine_kexec},
     * each step unwound in reverse when a later one fails. kjump adds the integrity proof around the jump and
     * crash containment: a callee that does not come back yields -EFAULT or -ETIMEDOUT with the kernel intact.
     *
     * @return the jump's report; its {@link JumpReport#result()} is what the seed's {@code kexec_jump} returns
     */
    JumpReport kexecJump(Kimage image) {
        JumpReport.Builder rec = new JumpReport.Builder(jumpCount() + 1, image.start());
        if (!image.preserveContext()) {
            MachineKexec.Outcome o = machineKexec.machineKexec(image, limits(), MachineKexec.Hooks.NONE);
            alive = false;
            rec.outcome(o);
            JumpReport r = rec.finish(0, null);
            remember(r);
            throw new KernelHandedOver(r);
        }
        int error;
        int stage = 0; // how far the sequence got
        MachineKexec.Outcome outcome = null;
        Integrity integrity = null;
        rec.step("pm_prepare_console", () -> 0);
        error = rec.step("freeze_processes", freezer::freezeProcesses);
        if (error != 0) {
            error = Errno.EBUSY.negative();
        } else {
            stage = 1;
            rec.step("suspend_console", () -> {
                log.suspendConsole();
                return 0;
            });
            error = rec.step("device_suspend", devicePm::deviceSuspend);
            if (error == 0) {
                stage = 2;
                error = rec.step("disable_nonboot_cpus", cpus::disableNonbootCpus);
                if (error == 0) {
                    stage = 3;
                    rec.step("local_irq_disable", () -> {
                        irqsEnabled = false;
                        return 0;
                    });
                    error = rec.step("device_power_down", devicePm::devicePowerDown);
                    if (error == 0) {
                        stage = 4;
                        rec.step("save_processor_state", () -> {
                            savedContext = machine.cpu().saveState();
                            return 0;
                        });
                        integrity = new Integrity(machine.memory(), pages.ownedFrames(), image);
                        Integrity check = integrity;
                        MachineKexec.Outcome[] o = new MachineKexec.Outcome[1];
                        rec.step("machine_kexec", () -> {
                            o[0] = machineKexec.machineKexec(image, limits(), check);
                            return 0;
                        });
                        outcome = o[0];
                        rec.outcome(outcome);
                        rec.step("restore_processor_state", () -> {
                            machine.cpu().restoreState(savedContext);
                            return 0;
                        });
                        rec.step("device_power_up", () -> {
                            devicePm.devicePowerUp();
                            return 0;
                        });
                    }
                }
            }
        }
        // the unwinding, in reverse (the seed's labels)
        if (stage >= 3) {
            rec.step("local_irq_enable", () -> {
                irqsEnabled = true;
                return 0;
            });
            rec.step("enable_nonboot_cpus", () -> {
                cpus.enableNonbootCpus();
                return 0;
            });
        }
        if (stage >= 2) {
            rec.step("device_resume", () -> {
                devicePm.deviceResume();
                return 0;
            });
        }
        if (stage >= 1) {
            rec.step("resume_console", () -> {
                log.resumeConsole();
                return 0;
            });
            rec.step("thaw_processes", () -> {
                freezer.thawProcesses();
                return 0;
            });
        }
        rec.step("pm_restore_console", () -> 0);
        if (error == 0 && outcome != null) {
            if (outcome.kind() == MachineKexec.Kind.CRASHED) {
                error = Errno.EFAULT.negative();
            } else if (outcome.kind() == MachineKexec.Kind.TIMED_OUT) {
                error = Errno.ETIMEDOUT.negative();
            } else if (outcome.kind() == MachineKexec.Kind.INTERRUPTED) {
                error = Errno.EINTR.negative();
            }
        }
        JumpReport report = rec.finish(error, integrity == null ? null : integrity.result());
        report.log(log);
        remember(report);
        return report;
    }

    /** Counts a jump and keeps its report among the last {@link #JUMP_HISTORY}. */
    private void remember(JumpReport r) {
        synchronized (jumps) {
            jumpCount++;
            jumps.addLast(r);
            if (jumps.size() > JUMP_HISTORY) {
                jumps.removeFirst();
            }
        }
    }

    private MachineKexec.Limits limits() {
        return new MachineKexec.Limits(config.maxInstructions(), config.timeoutNanos());
    }

    /** Frames the kernel owns right now (for reports). */
    public BitSet ownedFrames() {
        return pages.ownedFrames();
    }
}
