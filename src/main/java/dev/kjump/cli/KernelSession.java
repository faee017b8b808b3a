package dev.kjump.cli;

import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.image.KexecLoader;
import dev.kjump.image.Segment;
import dev.kjump.kernel.Credentials;
import dev.kjump.kernel.Errno;
import dev.kjump.kernel.Kernel;
import dev.kjump.kernel.KernelConfig;
import dev.kjump.kernel.KernelLog;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.machine.Machine;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * Boots the Java kernel on a fresh machine and plays the user-space side of kexec-tools: loads an image with
 * {@code kexec_load} and jumps with {@code reboot(LINUX_REBOOT_CMD_KEXEC)}. Shared by the commands.
 */
public final class KernelSession {
    private final Kernel kernel;

    /**
     * @param memory RAM size
     * @param config the kernel configuration
     * @param console where the guest's COM1 bytes go
     * @param kernelConsole where the kernel log goes (null: kept only in dmesg)
     */
    public KernelSession(long memory, KernelConfig config, OutputStream console, PrintStream kernelConsole) {
        this(new Machine(memory, console), config, kernelConsole);
    }

    /** Boots the kernel on {@code machine} (e.g. one with a disk attached). */
    public KernelSession(Machine machine, KernelConfig config, PrintStream kernelConsole) {
        this.kernel = new Kernel(machine, config, new KernelLog(kernelConsole));
    }

    public Kernel kernel() {
        return kernel;
    }

    /**
     * {@code kexec -l} / {@code --load-preserve-context}: loads {@code image} with {@code append} as its
     * command line.
     *
     * @return kexec_load's result (0 or a negative errno)
     * @throws ImageException when the command line cannot be passed
     */
    public int load(Image image, String append, boolean preserveContext) throws ImageException {
        List<Segment> segments = KexecLoader.segments(image, append);
        lastSegments = segments;
        KexecSegment[] segs = kexecSegments(segments);
        long flags = Kexec.KEXEC_ARCH_386 | (preserveContext ? Kexec.KEXEC_PRESERVE_CONTEXT : 0);
        return kernel.kexecLoad(Credentials.ROOT, image.entry(), segs.length, segs, flags);
    }

    /** The segments of the last {@link #load}, for {@link #describeLoad}. */
    private List<Segment> lastSegments = List.of();

    /**
     * The last {@link #load}'s refusal for people, in one line: the errno and, for EADDRNOTAVAIL, the segment that
     * is the reason, e.g. {@code EADDRNOTAVAIL (Cannot assign requested address): segment 01000000-01001fff lies
     * beyond RAM (16 MiB); give more --mem}.
     */
    public String describeLoad(int result) {
        return describeLoad(result, lastSegments, kernel.machine().memory().size());
    }

    /**
     * {@code kexec_load}'s result for {@code segments} on {@code ram} bytes of RAM, for people (one line): the
     * errno, and for EADDRNOTAVAIL which segment is not page aligned, wraps past 4 GiB or lies beyond RAM.
     */
    public static String describeLoad(int result, List<Segment> segments, long ram) {
        String errno = Errno.describe(result);
        String why = result == Errno.EADDRNOTAVAIL.negative() ? unavailable(segments, ram) : null;
        return why == null ? errno : errno + ": " + why;
    }

    /**
     * The segment that makes {@code kexec_load} answer EADDRNOTAVAIL on {@code ram} bytes of RAM, e.g. {@code
     * segment 01000000-01001fff lies beyond RAM (16 MiB); give more --mem}, or null when none is.
     */
    static String unavailable(List<Segment> segments, long ram) {
        for (Segment s : segments) {
            long start = s.physAddr();
            long end = start + s.memSize();
            String range = String.format("segment %08x-%08x", start, end - 1);
            if ((start & 0xFFF) != 0 || (s.memSize() & 0xFFF) != 0) {
                return range + " is not page aligned";
            }
            if (end > 1L << 32) {
                return range + " runs past 4 GiB";
            }
            if (end > ram) {
                return range + " lies beyond RAM (" + MachineOptions.human(ram) + "); give more --mem";
            }
        }
        return null;
    }

    /**
     * The image layer's segments as the {@code struct kexec_segment}s user space hands {@code kexec_load}:
     * {@code buf}/{@code bufsz} the segment's file bytes, {@code mem}/{@code memsz} its destination.
     */
    public static KexecSegment[] kexecSegments(List<Segment> segments) {
        return segments.stream().map(s -> KexecSegment.of(s.data(), s.physAddr(), s.memSize()))
                .toArray(KexecSegment[]::new);
    }

    /**
     * {@code kexec -e}: reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC), with the
     * report of the jump.
     */
    public KexecResult exec() {
        return kernel.rebootKexec(Credentials.ROOT);
    }

    /** A syscall result for people, e.g. {@code EBUSY (Device or resource busy)}. */
    public static String describe(int result) {
        return Errno.describe(result);
    }
}
