package dev.kjump.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;

/** Options shared by every command that builds a machine. */
public final class MachineOptions {
    long memory;
    String peerMem;

    /** The {@code --disk} image, or null. */
    java.nio.file.Path disk;

    /** Whether {@code --disk FILE,ro} asked for a read-only disk. */
    boolean diskReadOnly;

    /**
     * {@code --disk FILE[,ro]}: a trailing {@code ,ro} makes the disk read-only ({@code ,rw}, the default, lets a
     * file whose name ends in {@code ,ro} be named).
     */
    void disk(String spec) {
        diskReadOnly = spec.endsWith(",ro");
        disk = java.nio.file.Path.of(spec.endsWith(",ro") || spec.endsWith(",rw")
                ? spec.substring(0, spec.length() - 3) : spec);
    }

    int mips = 100;
    double timeoutSeconds;
    String translate;

    /** These options' model ({@link CliModel}), to mix into a command's: bound to the fields above. */
    static CommandSpec spec(MachineOptions o) {
        CliModel m = CliModel.mixin(o);
        m.add(m.option("memory", "--mem").paramLabel("SIZE").converters(new SizeConverter()).defaultValue("128M")
                .description("guest RAM: bytes or with K/M/G suffix, 4 KiB granular, at most 4G (default: "
                        + "${DEFAULT-VALUE})"));
        m.add(m.option("peerMem", "--peer-mem").paramLabel("SIZE[@ADDR]")
                .description("the peer region: RAM the Java kernel never allocates, left to a kernel it jumps into (a "
                        + "bzImage runs there); SIZE with K/M/G, at ADDR or else at the top of RAM (of low memory, the "
                        + "first 896M); 0 = none "
                        + "(default: the upper half of RAM from 64M of RAM, none below; RAM above 896M, which the "
                        + "kernel does not map, is left out)"));
        m.add(m.option("mips", "--mips").paramLabel("N").defaultValue("100").converters(new Numbers.Mips())
                .description("virtual time runs at N million instructions per second (timers, RTC; N divides 1000; "
                        + "default: ${DEFAULT-VALUE})"));
        m.add(m.option("timeoutSeconds", "--timeout").paramLabel("SECONDS").defaultValue("60")
                .converters(new Numbers.Seconds())
                .description("stop the image after this many wall-clock seconds (default: ${DEFAULT-VALUE}; 0 = "
                        + "none; at least 1e-9, rounded to whole nanoseconds)"));
        m.add(m.option("translate", "--translate").paramLabel("off|N")
                .description("the translator of guest code to JVM bytecode: off (interpret only), or translate a "
                        + "block once it has run N times (0: at once; default: "
                        + dev.kjump.machine.cpu.Cpu.DEFAULT_TRANSLATION_THRESHOLD + ", or the system property "
                        + "kjump.translate); what the guest sees is the same either way"));
        m.add(m.optionSetter("disk", String.class, "--disk").paramLabel("FILE[,ro]")
                .description("attach FILE as the ATA disk on the primary channel, read and written in place and "
                        + "locked against other kjumps; FILE,ro: read-only (the guest's writes fail with ERR/ABRT, the "
                        + "file is opened for reading and may be shared with other read-only users)"));
        return m.spec();
    }

    /** What {@code --mips} takes. */
    static final String MIPS_ALLOWED = "N must divide 1000, a whole number of virtual ns per instruction: 1, 2, 4, "
            + "5, 8, 10, 20, 25, 40, 50, 100, 125, 200, 250, 500 or 1000";

    /** The machine {@link #build} made last and has not closed yet, or null. */
    private dev.kjump.machine.Machine built;

    /**
     * The machine these options describe, COM1 into {@code console}. With {@code --disk} the image is opened and
     * locked (exclusively, or shared for {@code ,ro}) until {@link #close()}; the machine built before by these
     * options is closed first, so a command that builds one machine after another (bench's runs) never meets its
     * own lock.
     *
     * @throws IllegalArgumentException one line naming the problem, e.g. {@code --disk d.img: in use by another
     *     kjump (locked)}
     */
    dev.kjump.machine.Machine build(java.io.OutputStream console) {
        close();
        String heap = heapRefusal(memory, Runtime.getRuntime().maxMemory());
        if (heap != null) {
            throw new IllegalArgumentException(heap);
        }
        checkDisk(disk);
        long nanos = nanosPerInstruction();
        dev.kjump.machine.AtaDisk d = null;
        if (disk != null) {
            try {
                d = dev.kjump.machine.AtaDisk.open(disk, diskReadOnly);
            } catch (dev.kjump.machine.AtaDisk.InUseException e) {
                throw new IllegalArgumentException("--disk " + disk + ": in use by another kjump (locked)", e);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--disk " + disk + ": " + dev.kjump.image.HostFiles.errno(e)
                        + (diskReadOnly ? "" : "; FILE,ro opens it read-only"), e);
            }
        }
        built = dev.kjump.machine.Machine.withDisk(memory, console, d, nanos);
        Integer threshold = translationThreshold();
        if (threshold != null) {
            built.cpu().setTranslation(threshold);
        }
        return built;
    }

    /**
     * Closes the last machine {@link #build} made: the disk's sectors written back, its lock released. Called when
     * a command ends (Main), and safe to call again. A failure to write back is one line on stderr.
     */
    void close() {
        dev.kjump.machine.Machine m = built;
        built = null;
        if (m != null) {
            try {
                m.close();
            } catch (java.io.UncheckedIOException e) {
                System.err.println("kjump: --disk " + disk + ": " + e.getMessage());
            }
        }
    }

    /**
     * Refuses a {@code --disk} that cannot be a disk image, naming what it is: missing (ENOENT), a directory
     * (EISDIR), a device, FIFO or socket such as {@code /dev/null} (not a regular file), or shorter than one sector.
     *
     * @throws IllegalArgumentException one line, e.g. {@code --disk /tmp: EISDIR (Is a directory)}
     */
    static void checkDisk(java.nio.file.Path disk) {
        if (disk == null) {
            return;
        }
        String what = "--disk " + disk + ": ";
        if (java.nio.file.Files.isDirectory(disk)) {
            throw new IllegalArgumentException(what + "EISDIR (Is a directory); give a disk image file");
        }
        if (!java.nio.file.Files.exists(disk)) {
            throw new IllegalArgumentException(what + "ENOENT (No such file or directory)");
        }
        if (!java.nio.file.Files.isRegularFile(disk)) {
            throw new IllegalArgumentException(what + "not a regular file (a device, FIFO or socket); give a disk "
                    + "image file");
        }
        try {
            if (java.nio.file.Files.size(disk) < dev.kjump.machine.AtaDisk.SECTOR_SIZE) {
                throw new IllegalArgumentException(what + "empty: a disk image holds at least one 512-byte sector");
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(what + dev.kjump.image.HostFiles.errno(e));
        }
    }

    /** {@code --translate} as a threshold (-1: off), or null when not given (the CPU's default applies). */
    Integer translationThreshold() {
        return translate == null ? null : dev.kjump.machine.cpu.Cpu.parseTranslation(translate, "--translate");
    }

    /**
     * Host heap that always stays free of guest RAM: the kernel, the decode cache's floor, reports, the JVM's own
     * structures.
     */
    static final long HEAP_RESERVE = 64L << 20;

    /**
     * The Java heap a machine with {@code ram} bytes of RAM needs when its guest writes all of it: every 4 KiB page
     * is a {@code byte[4096]} allocated on first write (plus its header and its slots in {@link
     * dev.kjump.machine.PhysicalMemory}'s page tables, less than 1/128 of the page), and {@link #HEAP_RESERVE}.
     * The kernel's integrity check keeps copies only of the pages it owns, so a callee rewriting RAM costs no more.
     */
    static long heapNeeded(long ram) {
        return ram + ram / 128 + HEAP_RESERVE;
    }

    /**
     * The {@code -Xmx} to suggest for {@code ram}: {@link #heapNeeded} with room for a full decode cache and the
     * collector, and 15% more because some collectors report less usable heap than {@code -Xmx}; in MiB, a multiple
     * of 64. The launcher script computes the same.
     */
    static long suggestedXmxMiB(long ram) {
        long mib = ((heapNeeded(ram) >> 20) + 192) * 115 / 100;
        return (mib + 63) / 64 * 64;
    }

    /**
     * Why {@code ram} bytes of guest RAM cannot run in a heap of {@code maxHeap} bytes (one line naming the
     * {@code KJUMP_JAVA_OPTS} that would do), or null when it fits. Guest pages are allocated as they are written,
     * so a guest might never need it all; but one that does would end in an out-of-memory error half way, so kjump
     * refuses at the start instead.
     */
    static String heapRefusal(long ram, long maxHeap) {
        long need = heapNeeded(ram);
        if (maxHeap >= need) {
            return null;
        }
        return String.format("--mem %s needs a Java heap of %d MiB, this JVM has %d MiB: run with "
                + "KJUMP_JAVA_OPTS=-Xmx%dm", human(ram), need >> 20, maxHeap >> 20, suggestedXmxMiB(ram));
    }

    /** A size for people: {@code 16 MiB}, {@code 4 KiB}, {@code 1536 KiB}, or bytes when not whole KiB. */
    static String human(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    /** The least RAM for which the peer region defaults to the upper half. */
    static final long PEER_DEFAULT_MIN_RAM = 64L << 20;

    /**
     * The peer region {@code {start, size}} that {@code --peer-mem} asks for on {@code ram} bytes of RAM, or the
     * default (the upper half from {@link #PEER_DEFAULT_MIN_RAM}, else none: {@code {0, 0}}). Both lie in the
     * kernel's low memory (the RAM below {@link dev.kjump.kernel.mm.KernelMemory#LOWMEM_LIMIT}, 896 MiB, which it
     * maps): the default is the upper half of that, and a SIZE without {@code @ADDR} ends at its top.
     *
     * @throws IllegalArgumentException for a malformed value (one line)
     */
    static long[] peerRegion(String spec, long ram) {
        long low = Math.min(ram, dev.kjump.kernel.mm.KernelMemory.LOWMEM_LIMIT);
        if (spec == null) {
            return low >= PEER_DEFAULT_MIN_RAM ? new long[] {low / 2 & ~0xFFFL, low - (low / 2 & ~0xFFFL)}
                    : new long[] {0, 0};
        }
        String[] parts = spec.split("@", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("--peer-mem: '" + spec + "' is not SIZE[@ADDR] (e.g. 64M@64M)");
        }
        long size;
        long start;
        try {
            size = parts[0].trim().equals("0") ? 0 : new SizeConverter().convert(parts[0]);
            start = parts.length == 2 ? new SizeConverter().convert(parts[1]) : low - size;
        } catch (picocli.CommandLine.TypeConversionException e) {
            throw new IllegalArgumentException("--peer-mem: " + e.getMessage());
        }
        if (size == 0) {
            return new long[] {0, 0};
        }
        if (start < 0 || start + size > ram) {
            throw new IllegalArgumentException(String.format("--peer-mem: %s does not fit in %s of RAM", spec,
                    human(ram)));
        }
        return new long[] {start, size};
    }

    /**
     * {@code base} with this machine's peer region.
     *
     * @throws IllegalArgumentException when {@code --mem} is below the kernel's minimum or {@code --peer-mem} is bad
     */
    dev.kjump.kernel.KernelConfig kernelConfig(dev.kjump.kernel.KernelConfig base) {
        if (memory < dev.kjump.kernel.Kernel.MIN_RAM) {
            throw new IllegalArgumentException("--mem " + human(memory) + ": the kernel needs at least "
                    + human(dev.kjump.kernel.Kernel.MIN_RAM) + " of RAM (only run --bare takes less)");
        }
        long[] r = peerRegion(peerMem, memory);
        return base.withPeer(r[0], r[1]);
    }

    /** Virtual nanoseconds per instruction for {@code --mips}: 1000 / N, which must be a whole number. */
    long nanosPerInstruction() {
        if (mips < 1 || mips > 1000 || 1000 % mips != 0) {
            throw new IllegalArgumentException("--mips: " + mips + ": " + MIPS_ALLOWED);
        }
        return 1000 / mips;
    }

    /** {@code --timeout} in nanoseconds, rounded to the nearest and at least 1; 0 for no timeout. */
    long timeoutNanos() {
        if (!(timeoutSeconds > 0)) {
            return 0;
        }
        return timeoutSeconds >= Numbers.Seconds.MAX ? Long.MAX_VALUE : Math.max(1, Math.round(timeoutSeconds * 1e9));
    }

    /**
     * Parses sizes like {@code 128M}, {@code 4G}, {@code 65536}: decimal digits with an optional K, M or G suffix
     * (KiB, MiB, GiB; a trailing B or iB is allowed, case does not matter), a multiple of 4 KiB from 4K to 4G.
     * Anything else, including a value too large to compute, is one line saying what is wrong.
     */
    static final class SizeConverter implements ITypeConverter<Long> {
        private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("([0-9]+)([KMG]?)");

        @Override
        public Long convert(String value) {
            String v = value.toUpperCase(java.util.Locale.ROOT);
            if (v.endsWith("IB")) {
                v = v.substring(0, v.length() - 2);
            } else if (v.endsWith("B")) {
                v = v.substring(0, v.length() - 1);
            }
            java.util.regex.Matcher m = SIZE.matcher(v);
            if (!m.matches()) {
                throw new picocli.CommandLine.TypeConversionException("not a size: '" + value + "' (try 128M, 1G)");
            }
            int shift = switch (m.group(2)) {
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                default -> 0;
            };
            String digits = m.group(1).replaceFirst("^0+(?=.)", "");
            // more than 4G whatever the digits: no overflow can make a huge value look small
            if (digits.length() > 11 || Long.parseLong(digits) > dev.kjump.machine.PhysicalMemory.MAX_SIZE >> shift) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is more than 4G: memory sizes "
                        + "are multiples of 4 KiB from 4K to 4G");
            }
            long n = Long.parseLong(digits) << shift;
            if (n == 0) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is no memory: sizes are "
                        + "multiples of 4 KiB from 4K to 4G");
            }
            if (n < 4096 || n % 4096 != 0) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a multiple of 4 KiB "
                        + "from 4K to 4G");
            }
            return n;
        }
    }
}
