package dev.kjump.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A Linux {@code System.map} (the {@code nm} listing of {@code vmlinux}: {@code ADDRESS TYPE NAME} a line): the
 * kernel's symbols without the ELF file, for naming the EIP of a stop ({@code start_kernel+0x1c}) and for finding a
 * symbol's address (a gdb breakpoint on {@code start_kernel}). Addresses are the kernel's virtual addresses
 * ({@code PAGE_OFFSET} + physical on i386). Instances are immutable.
 */
public final class SystemMap {
    private final long[] addresses;
    private final String[] names;
    private final boolean[] text;

    private SystemMap(long[] addresses, String[] names, boolean[] text) {
        this.addresses = addresses;
        this.names = names;
        this.text = text;
    }

    /**
     * Reads a System.map.
     *
     * @param path the file
     * @return the map
     * @throws ImageException when it cannot be read or a line is not {@code ADDRESS TYPE NAME}
     */
    public static SystemMap load(Path path) throws ImageException {
        try {
            return parse(Files.readString(path, StandardCharsets.ISO_8859_1), path.toString());
        } catch (IOException e) {
            throw new ImageException(path.toString(), "cannot read System.map: " + e, e);
        }
    }

    /**
     * The System.map next to a bzImage ({@code DIR/System.map} for {@code DIR/bzImage}), if there is a readable one.
     *
     * @param bzImage the kernel's path
     * @return the map, or empty
     */
    public static Optional<SystemMap> besides(Path bzImage) {
        Path dir = bzImage.toAbsolutePath().getParent();
        Path map = dir == null ? null : dir.resolve("System.map");
        if (map == null || !Files.isReadable(map)) {
            return Optional.empty();
        }
        try {
            return Optional.of(load(map));
        } catch (ImageException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses System.map text.
     *
     * @param text the file's contents
     * @param name the name for messages
     * @return the map, sorted by address
     * @throws ImageException for a malformed line
     */
    /**
     * The whitespace-separated fields of a stripped line, at most four (enough to tell a malformed line): a hand
     * scan, not a regular expression, since a kernel's map has tens of thousands of lines and a split by pattern
     * costs a fresh process a tenth of a second.
     */
    private static String[] fields(String line) {
        String[] f = new String[4];
        int n = 0;
        int i = 0;
        int len = line.length();
        while (i < len && n < 4) {
            int start = i;
            while (i < len && !space(line.charAt(i))) {
                i++;
            }
            f[n++] = line.substring(start, i);
            while (i < len && space(line.charAt(i))) {
                i++;
            }
        }
        return Arrays.copyOf(f, n);
    }

    /** The characters of the pattern {@code \\s}: space, tab, line feed, vertical tab, form feed, carriage return. */
    private static boolean space(char c) {
        return c == ' ' || c >= '\t' && c <= '\r';
    }

    public static SystemMap parse(String text, String name) throws ImageException {
        String[] lines = text.split("\n");
        Entry[] entries = new Entry[lines.length];
        int n = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = fields(line);
            if (f.length != 3 || f[1].length() != 1) {
                throw new ImageException(name, "line " + (i + 1) + " is not \"ADDRESS TYPE NAME\": " + line);
            }
            try {
                entries[n++] = new Entry(Long.parseUnsignedLong(f[0], 16), f[2], "tTwW".indexOf(f[1].charAt(0)) >= 0);
            } catch (NumberFormatException e) {
                throw new ImageException(name, "line " + (i + 1) + " has a bad address: " + line);
            }
        }
        Entry[] sorted = Arrays.copyOf(entries, n);
        Arrays.sort(sorted, (a, b) -> Long.compareUnsigned(a.address, b.address));
        long[] addresses = new long[n];
        String[] names = new String[n];
        boolean[] text2 = new boolean[n];
        for (int i = 0; i < n; i++) {
            addresses[i] = sorted[i].address;
            names[i] = sorted[i].name;
            text2[i] = sorted[i].text;
        }
        return new SystemMap(addresses, names, text2);
    }

    private record Entry(long address, String name, boolean text) {
    }

    /** The number of symbols. */
    public int size() {
        return names.length;
    }

    /**
     * The address of a symbol (the first one of that name).
     *
     * @param name the symbol, e.g. {@code start_kernel}
     * @return its address, or empty
     */
    public OptionalLong address(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return OptionalLong.of(addresses[i]);
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Names the code address {@code addr} as {@code symbol+0xoffset}: the nearest text symbol at or below it, as
     * long as it lies below the last symbol ({@code _end}), i.e. inside the kernel.
     *
     * @param addr a virtual address, e.g. a stop's EIP
     * @return the symbolic form, or empty outside the kernel's text
     */
    public Optional<String> symbolAt(long addr) {
        if (names.length == 0 || Long.compareUnsigned(addr, addresses[names.length - 1]) >= 0) {
            return Optional.empty();
        }
        for (int i = names.length - 1; i >= 0; i--) {
            if (text[i] && Long.compareUnsigned(addresses[i], addr) <= 0) {
                return Optional.of(names[i] + "+0x" + Long.toHexString(addr - addresses[i]));
            }
        }
        return Optional.empty();
    }
}
