package dev.kjump.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Options shared by every command that builds a machine. */
public final class MachineOptions {
    @Option(names = "--mem", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "128M",
            description = "guest RAM: bytes or with K/M/G suffix, 4 KiB granular, at most 4G (default: ${DEFAULT-VALUE})")
    long memory;

    @Option(names = "--disk", paramLabel = "FILE",
            description = "attach FILE as the ATA disk on the primary channel (read and written in place)")
    java.nio.file.Path disk;

    @Option(names = "--mips", paramLabel = "N", defaultValue = "100",
            description = "virtual time runs at N million instructions per second (timers, RTC; N divides 1000; "
                    + "default: ${DEFAULT-VALUE})")
    int mips = 100;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "stop the image after this many wall-clock seconds (default: ${DEFAULT-VALUE}; 0 = none)")
    double timeoutSeconds;

    /** The machine these options describe, COM1 into {@code console}. */
    dev.kjump.machine.Machine build(java.io.OutputStream console) {
        if (disk != null && !java.nio.file.Files.isRegularFile(disk)) {
            throw new IllegalArgumentException("--disk: " + disk + ": ENOENT (No such file or directory)");
        }
        try {
            return new dev.kjump.machine.Machine(memory, console, disk, nanosPerInstruction());
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("--disk: " + e.getMessage(), e);
        }
    }

    /** Virtual nanoseconds per instruction for {@code --mips}: 1000 / N, which must be a whole number. */
    long nanosPerInstruction() {
        if (mips < 1 || mips > 1000 || 1000 % mips != 0) {
            throw new IllegalArgumentException("--mips: " + mips + ": must divide 1000 (a whole number of virtual ns "
                    + "per instruction: 1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 125, 200, 250, 500 or 1000)");
        }
        return 1000 / mips;
    }

    long timeoutNanos() {
        return timeoutSeconds <= 0 ? 0 : (long) (timeoutSeconds * 1e9);
    }

    /** Parses sizes like {@code 128M}, {@code 4G}, {@code 65536}. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(java.util.Locale.ROOT);
            long mul = 1;
            if (v.endsWith("IB")) {
                v = v.substring(0, v.length() - 2);
            } else if (v.endsWith("B")) {
                v = v.substring(0, v.length() - 1);
            }
            if (v.endsWith("K")) {
                mul = 1L << 10;
            } else if (v.endsWith("M")) {
                mul = 1L << 20;
            } else if (v.endsWith("G")) {
                mul = 1L << 30;
            }
            if (mul != 1) {
                v = v.substring(0, v.length() - 1);
            }
            long n;
            try {
                n = Long.parseLong(v) * mul;
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.TypeConversionException("not a size: '" + value + "' (try 128M, 1G)");
            }
            if (n < 4096 || n > (1L << 32) || n % 4096 != 0) {
                throw new picocli.CommandLine.TypeConversionException(
                        "memory size must be a multiple of 4 KiB between 4K and 4G: '" + value + "'");
            }
            return n;
        }
    }
}
