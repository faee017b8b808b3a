package dev.kjump.kernel;

import dev.kjump.cli.KernelSession;
import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.image.KexecLoader;
import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.Kimage;
import dev.kjump.machine.Machine;
import dev.kjump.machine.PhysicalMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Boots a kernel (through the CLI's {@link KernelSession}, the one place that builds it) on a machine whose COM1
 * goes into a byte buffer, loads example images the way {@code kexec -l} does and jumps with
 * {@code reboot(LINUX_REBOOT_CMD_KEXEC)}.
 */
public final class KernelFixture {
    /** Where the example images live, relative to the project directory. */
    public static final Path EXAMPLES = Path.of("images/examples/elf");
    /** The flags {@code kexec --load-preserve-context} passes. */
    public static final long PRESERVE = Kexec.KEXEC_ARCH_386 | Kexec.KEXEC_PRESERVE_CONTEXT;
    /** The flags {@code kexec -l} passes. */
    public static final long NO_PRESERVE = Kexec.KEXEC_ARCH_386;

    private final ByteArrayOutputStream com1 = new ByteArrayOutputStream();
    private final Kernel kernel;

    public KernelFixture() {
        this(KernelConfig.defaults());
    }

    public KernelFixture(KernelConfig config) {
        this(config, Machine.DEFAULT_MEMORY);
    }

    public KernelFixture(KernelConfig config, long memory) {
        this.kernel = new KernelSession(memory, config, com1, null).kernel();
    }

    public Kernel kernel() {
        return kernel;
    }

    public Machine machine() {
        return kernel.machine();
    }

    /** An example image, e.g. {@code "hello.elf"} or {@code "wild.elf64"}. */
    public static Image image(String file) {
        try {
            return Image.load(EXAMPLES.resolve(file));
        } catch (ImageException e) {
            throw new AssertionError("cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    /** kexec-tools' segments for an example image with {@code cmdline} (may be null). */
    public static KexecSegment[] segments(String file, String cmdline) {
        try {
            return KernelSession.kexecSegments(KexecLoader.segments(image(file), cmdline));
        } catch (ImageException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** kexec_load of an example image as root with {@code flags}. */
    public int load(String file, String cmdline, long flags) {
        KexecSegment[] segs = segments(file, cmdline);
        return kernel.kexecLoad(Credentials.ROOT, image(file).entry(), segs.length, segs, flags);
    }

    /** kexec_load with KEXEC_PRESERVE_CONTEXT, no command line. */
    public int load(String file) {
        return load(file, null, PRESERVE);
    }

    /** kexec_load of raw segments as root. */
    public int load(long entry, long flags, KexecSegment... segs) {
        return kernel.kexecLoad(Credentials.ROOT, entry, segs.length, segs, flags);
    }

    /** reboot(MAGIC1, MAGIC2, LINUX_REBOOT_CMD_KEXEC) as root. */
    public int exec() {
        return kernel.reboot(Credentials.ROOT, Kernel.LINUX_REBOOT_MAGIC1, Kernel.LINUX_REBOOT_MAGIC2,
                Kernel.LINUX_REBOOT_CMD_KEXEC);
    }

    /** Loads (preserve_context) and jumps once; fails the test when either call fails. */
    public JumpReport loadAndJump(String file, String cmdline) {
        int r = load(file, cmdline, PRESERVE);
        if (r != 0) {
            throw new AssertionError("kexec_load(" + file + ") = " + Errno.describe(r));
        }
        r = exec();
        if (r != 0) {
            throw new AssertionError("reboot(KEXEC) = " + Errno.describe(r) + "\n" + String.join("\n", dmesg()));
        }
        return kernel.lastJump();
    }

    /** Everything the guest wrote to COM1 so far. */
    public String transcript() {
        return com1.toString(StandardCharsets.ISO_8859_1);
    }

    /** Forgets the COM1 transcript so far. */
    public void clearTranscript() {
        com1.reset();
    }

    public List<String> dmesg() {
        return kernel.log().dmesg();
    }

    public int usedPages() {
        return kernel.pageAllocator().usedPages();
    }

    public Kimage image() {
        return kernel.kexec().image();
    }

    /** {@code len} bytes of physical memory at {@code pa}, read with paging ignored. */
    public byte[] phys(long pa, int len) {
        byte[] b = new byte[len];
        machine().memory().read((int) pa, b, 0, len);
        return b;
    }

    /** A physical page. */
    public byte[] page(long pa) {
        return phys(pa & ~0xFFFL, PhysicalMemory.PAGE_SIZE);
    }
}
