package dev.kjump.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Strict parsers for the numeric options of every command: decimal digits only (no {@code 0x}, no {@code +}, no
 * spaces), checked against the option's range, so that a bad value is one line naming it instead of a silent
 * default, an overflow or a negative count. The messages follow picocli's {@code Invalid value for option
 * '--jumps': } and say what is allowed.
 */
final class Numbers {
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    /** A plain decimal number of seconds: digits, an optional fraction, an optional exponent. */
    private static final Pattern DECIMAL = Pattern.compile("-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");

    private Numbers() {
    }

    /**
     * {@code text} as a whole number between {@code min} and {@code max}.
     *
     * @param allowed what the option takes, for the message (e.g. {@code "at least 1"})
     * @throws TypeConversionException naming the value and what is allowed
     */
    static long whole(String text, long min, long max, String allowed) {
        if (!INTEGER.matcher(text).matches()) {
            throw new TypeConversionException("'" + text + "' is not a whole number (" + allowed + ")");
        }
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is out of range (" + allowed + ")");
        }
        if (v < min || v > max) {
            throw new TypeConversionException("'" + text + "' is out of range (" + allowed + ")");
        }
        return v;
    }

    /** A count that is at least 1 ({@code --jumps}, {@code --runs}). */
    static final class AtLeastOne implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) whole(value, 1, Integer.MAX_VALUE, "at least 1");
        }
    }

    /** A count that may be 0 ({@code --warmup}, {@code bench --jumps}). */
    static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) whole(value, 0, Integer.MAX_VALUE, "0 or more");
        }
    }

    /** The kernel's CPUs: 1 to 64. */
    static final class Cpus implements ITypeConverter<Integer> {
        /** The most CPUs the kernel brings up. */
        static final int MAX = 64;

        @Override
        public Integer convert(String value) {
            return (int) whole(value, 1, MAX, "1 to " + MAX);
        }
    }

    /** A TCP port for {@code --gdb}: 0 (a free one) to 65535. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) whole(value, 0, 65535, "a TCP port, 1 to 65535, or 0 for a free one");
        }
    }

    /** An instruction budget ({@code --max-instructions}): at least 1. */
    static final class Instructions implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return whole(value, 1, Long.MAX_VALUE, "at least 1");
        }
    }

    /** {@code --mips}: a divisor of 1000, so an instruction is a whole number of virtual nanoseconds. */
    static final class Mips implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = (int) whole(value, 1, 1000, MachineOptions.MIPS_ALLOWED);
            if (1000 % n != 0) {
                throw new TypeConversionException("'" + value + "' does not divide 1000 (" + MachineOptions.MIPS_ALLOWED
                        + ")");
            }
            return n;
        }
    }

    /**
     * {@code --timeout SECONDS}: a plain decimal number (an exponent is allowed); 0 means no timeout. NaN,
     * infinities, negative values and positive values below one nanosecond (the unit the run loop counts in) are
     * errors rather than "no timeout"; other values are rounded to the nearest nanosecond.
     */
    static final class Seconds implements ITypeConverter<Double> {
        /** The longest timeout: {@link Long#MAX_VALUE} nanoseconds, about 292 years. */
        static final double MAX = Long.MAX_VALUE / 1e9;
        private static final String ALLOWED = "e.g. 60 or 0.5; 0 = no timeout";

        @Override
        public Double convert(String value) {
            if (!DECIMAL.matcher(value).matches()) {
                throw new TypeConversionException("'" + value + "' is not a number of seconds (" + ALLOWED + ")");
            }
            double s = Double.parseDouble(value);
            if (s < 0) {
                throw new TypeConversionException("'" + value + "' is negative (" + ALLOWED + ")");
            }
            if (s > 0 && s < 1e-9) {
                throw new TypeConversionException("'" + value + "' is below one nanosecond (" + ALLOWED + ")");
            }
            if (s > MAX) {
                throw new TypeConversionException(String.format("'%s' is too long (at most %.0f seconds; 0 = no "
                        + "timeout)", value, Math.floor(MAX)));
            }
            return s;
        }
    }
}
