package dev.kjump.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.kernel.Credentials;
import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.KernelConfig;
import dev.kjump.kernel.KernelOops;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.machine.PhysicalMemory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated ELF images through the path {@code kjump run} takes (issue 13, "Must hold"): the committed example images
 * ({@code images/elf}, {@code images/examples/elf}, ELF32 and ELF64) with bit flips, byte overwrites,
 * truncations, header, program header and section header field edits, code overwrites and splices, from a seeded
 * generator (a failure names the mutant's number and what was done to it, so it can be made again). Each mutant is
 * parsed ({@link Image#parse}, some read from a file with {@link Image#load}), loaded with {@code kexec_load}
 * through {@link KernelSession#load} into one booted kernel on the machine {@link MachineOptions} builds, and a
 * fraction is jumped into with {@code reboot(LINUX_REBOOT_CMD_KEXEC)} under a small instruction budget.
 *
 * <p>What must hold for every mutant:
 * <ul>
 *   <li>nothing escapes but the documented error type ({@link ImageException} from the loader; a jump may end the
 *       kernel only with {@link KernelOops});</li>
 *   <li>every message a user would see (the image error, {@code kexec_load failed: ...}, the stop of a callee that
 *       did not come back) is one line without Java class names;</li>
 *   <li>{@code kexec_load} answers 0 or a documented errno, and a load followed by an unload leaves every page the
 *       kernel owned byte for byte as it was, with no page leaked (checked with physical memory's write log);</li>
 *   <li>a jump ends in 0 or -EFAULT / -ETIMEDOUT with a report whose exit status is one of the table's, the kernel
 *       says whether its memory held, and when it says it held the kernel goes on working (a hello image loads, jumps
 *       and comes back intact).</li>
 * </ul>
 */
class ElfFuzzTest {
    /** Mutants in the suite ({@code -Dkjump.fuzz.mutants=N} for a longer hunt). */
    static final int MUTANTS = Integer.getInteger("kjump.fuzz.mutants", 12_000);
    /** The generator's seed: mutant {@code i} comes from {@code SEED + i} ({@code -Dkjump.fuzz.seed=S} for others). */
    static final long SEED = Long.getLong("kjump.fuzz.seed", 0x13_0000_0000L);
    /** One loaded mutant in this many is also jumped into. */
    static final int JUMP_ONE_IN = 6;
    /** Instructions a jumped mutant may run. */
    static final long BUDGET = 20_000;

    private static final Pattern JAVA_NAMES = Pattern.compile(
            "\\b(java|javax|jdk|sun|net\\.fornwall|dev\\.kjump)\\.[a-z]|[A-Za-z]+(Exception|Error)\\b");
    private static final Set<Errno> LOAD_ERRNOS = Set.of(Errno.EINVAL, Errno.EADDRNOTAVAIL, Errno.ENOMEM);
    private static final Set<Integer> JUMP_STATUSES = Set.of(Main.EXIT_OK, Main.EXIT_FAULT, Main.EXIT_NONZERO,
            Main.EXIT_TIMEOUT);

    @TempDir
    Path tmp;

    /** One committed image. */
    record Source(String name, byte[] bytes) {
        boolean is64() {
            return bytes.length > 4 && bytes[4] == 2;
        }
    }

    /** A mutant and what was done to it. */
    record Mutant(int number, Source source, byte[] bytes, String how, boolean codeChanged) {
        String describe() {
            return String.format("mutant #%d (seed 0x%x) of %s: %s", number, SEED + number, source.name(), how);
        }
    }

    /** The kernel under test, booted as {@code kjump run} boots it, and what it owned after booting. */
    private static final class Target {
        final KernelSession session;
        final PhysicalMemory mem;
        final BitSet owned;
        /** The kernel's page directory and page tables, where the CPU sets Accessed and Dirty bits as it goes. */
        final BitSet pageTables = new BitSet();
        final int usedPages;
        final MachineOptions options = new MachineOptions();
        /** The mutants this kernel jumped into, to make a failure again. */
        final List<Integer> history = new ArrayList<>();

        Target() {
            options.memory = 128L << 20; // the CLI's default --mem
            options.timeoutSeconds = 10;
            KernelConfig config = options.kernelConfig(KernelConfig.defaults().withLimits(BUDGET,
                    options.timeoutNanos()));
            session = new KernelSession(options.build(OutputStream.nullOutputStream()), config, null);
            session.kernel().runTasks(2);
            mem = session.kernel().machine().memory();
            owned = session.kernel().ownedFrames();
            usedPages = session.kernel().pageAllocator().usedPages();
            int pgd = session.kernel().machine().cpu().cr3() & 0xFFFFF000;
            pageTables.set(pgd >>> 12);
            for (int i = 0; i < 1024; i++) {
                int pde = mem.read32(pgd + 4 * i);
                if ((pde & 1) != 0 && (pde & 0x80) == 0) {
                    pageTables.set(pde >>> 12);
                }
            }
        }

        /** Whether frame {@code pfn} holds {@code before}, Accessed/Dirty bits aside in page tables. */
        boolean unchanged(int pfn, byte[] before) {
            if (!pageTables.get(pfn)) {
                return mem.pageEquals(pfn, before);
            }
            ByteBuffer was = ByteBuffer.wrap(before).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 4096; i += 4) {
                if (((mem.read32((pfn << 12) + i) ^ was.getInt(i)) & ~0x60) != 0) {
                    return false;
                }
            }
            return true;
        }

        int unload() {
            return session.kernel().kexecLoad(Credentials.ROOT, 0, 0, new KexecSegment[0], Kexec.KEXEC_ARCH_386);
        }
    }

    /** Outcome counts, for the closing report. */
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();

    private void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    private void fail(Mutant m, String problem) {
        if (failures.size() < 20) {
            failures.add(m.describe() + ": " + problem);
        }
    }

    /** A message a user would see: one line, no Java class names. */
    private void forPeople(Mutant m, String where, String message) {
        if (message == null || message.isBlank() || message.contains("\n") || JAVA_NAMES.matcher(message).find()) {
            fail(m, where + " is not one line for people: " + message);
        }
    }

    @Test
    void mutatedImagesFailCleanlyAndNeverHurtTheKernel() throws Exception {
        List<Source> sources = sources();
        long t0 = System.nanoTime();
        Target target = new Target();
        Image hello = Image.load(Path.of("images/examples/elf/hello.elf"));
        for (int i = 0; i < MUTANTS && failures.size() < 20; i++) {
            SplittableRandom rnd = new SplittableRandom(SEED + i);
            Mutant m = mutate(i, sources.get(rnd.nextInt(sources.size())), rnd);
            try {
                boolean jump = rnd.nextInt(JUMP_ONE_IN) == 0 || m.codeChanged() && rnd.nextInt(2) == 0;
                Target after = run(m, target, jump, hello, rnd.nextInt(40) == 0);
                if (after != target) {
                    target = after;
                    count("kernel booted again");
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable e) {
                StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
                fail(m, "escaped: " + e + " at " + at);
                target = new Target();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        target.options.close();
        System.out.printf("ElfFuzzTest: %d mutants of %d images in %.1f s (%d jumped into): %s%n", MUTANTS,
                sources.size(), secs, outcomes.getOrDefault("jumped", 0), outcomes);
        assertThat(failures).as("mutants that broke a rule").isEmpty();
        assertThat(outcomes.getOrDefault("loaded", 0)).as("mutants that loaded").isGreaterThan(MUTANTS / 20);
        assertThat(outcomes.getOrDefault("jump: came back", 0)).as("jumps that came back").isPositive();
        assertThat(outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("jump: did not come back"))
                .mapToInt(Map.Entry::getValue).sum()).as("jumps that did not come back").isPositive();
    }

    /**
     * Parses, loads and (when {@code jump}) jumps into one mutant, checking the rules; returns the kernel to go on
     * with (a fresh one when this one died or says its memory was damaged).
     */
    private Target run(Mutant m, Target t, boolean jump, Image hello, boolean viaFile) throws IOException {
        Image image;
        String name = "mutant-" + m.number() + ".elf";
        try {
            if (viaFile) {
                Path p = Files.write(tmp.resolve(name), m.bytes());
                image = Image.load(p);
                Files.delete(p);
            } else {
                image = Image.parse(m.bytes(), name);
            }
        } catch (ImageException e) {
            forPeople(m, "the image error", e.getMessage());
            if (!e.getMessage().contains(name)) {
                fail(m, "the image error does not name the file: " + e.getMessage());
            }
            count("refused by the loader");
            return t;
        }
        t.mem.startWriteLog(t.owned);
        int r;
        try {
            r = t.session.load(image, null, true);
        } catch (ImageException e) {
            t.mem.stopWriteLog();
            forPeople(m, "the load error", e.getMessage());
            count("refused by the loader");
            return t;
        } catch (RuntimeException | Error e) {
            t.mem.stopWriteLog();
            throw e;
        }
        if (r != 0) {
            Errno errno = Errno.of(r);
            if (!LOAD_ERRNOS.contains(errno)) {
                fail(m, "kexec_load returned " + Errno.describe(r));
            }
            forPeople(m, "kexec_load's refusal", "kjump run: kexec_load failed: " + t.session.describeLoad(r));
            count("kexec_load: " + errno.name());
            checkUnchanged(m, t, t.mem.stopWriteLog());
            return t;
        }
        count("loaded");
        if (!jump) {
            int u = t.unload();
            PhysicalMemory.WriteLog log = t.mem.stopWriteLog();
            if (u != 0) {
                fail(m, "unload returned " + Errno.describe(u));
            }
            checkUnchanged(m, t, log);
            return t;
        }
        t.mem.stopWriteLog(); // the jump's integrity check runs its own log
        return jump(m, t, image, hello);
    }

    /** After a refused load, or a load and unload: the kernel's pages as they were, none leaked, nothing loaded. */
    private void checkUnchanged(Mutant m, Target t, PhysicalMemory.WriteLog log) {
        BitSet written = log.written();
        written.and(t.owned);
        for (int pfn = written.nextSetBit(0); pfn >= 0; pfn = written.nextSetBit(pfn + 1)) {
            if (!t.unchanged(pfn, log.original(pfn))) {
                fail(m, String.format("kernel page %08x changed", (long) pfn << 12));
                return;
            }
        }
        if (t.session.kernel().pageAllocator().usedPages() != t.usedPages) {
            fail(m, "pages leaked: " + t.session.kernel().pageAllocator().usedPages() + " in use, not " + t.usedPages);
        }
        if (t.session.kernel().kexecLoaded()) {
            fail(m, "an image is still loaded");
        }
    }

    /** Jumps into a loaded mutant as {@code kjump run} does and checks the outcome; returns the kernel to go on with. */
    private Target jump(Mutant m, Target t, Image image, Image hello) {
        KexecResult res;
        t.history.add(m.number());
        count("jumped");
        try {
            res = t.session.exec();
        } catch (KernelOops oops) {
            forPeople(m, "the oops", oops.getMessage());
            count("jump: the kernel oopsed (exit 2)");
            return new Target();
        }
        int status = ExitStatus.jump(res);
        JumpReport rep = res.report();
        if (!JUMP_STATUSES.contains(status)) {
            fail(m, "exit status " + status);
        }
        if (res.result() != 0 && res.result() != Errno.EFAULT.negative() && res.result() != Errno.ETIMEDOUT.negative()) {
            fail(m, "reboot returned " + Errno.describe(res.result()));
        }
        if (rep == null || rep.outcome() == null || rep.integrity() == null) {
            fail(m, "a jump without its report: " + rep);
            return new Target();
        }
        if (res.result() != 0) {
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            RunCommand.describeStop(new PrintStream(said, true, StandardCharsets.UTF_8), image::symbolAt,
                    rep.outcome().stop());
            for (String line : said.toString(StandardCharsets.UTF_8).split("\n")) {
                forPeople(m, "the stop", line);
            }
            count("jump: did not come back (" + rep.outcome().stop().kind() + ")");
        } else {
            count("jump: came back");
        }
        if (!rep.integrity().intact()) {
            count("jump: integrity BROKEN, reported (exit 2)");
            if (status != Main.EXIT_FAULT) {
                fail(m, "integrity broken but exit " + status);
            }
            return new Target();
        }
        // the kernel says its memory held: then it must go on working
        if (t.unload() != 0 || t.session.kernel().pageAllocator().usedPages() != t.usedPages) {
            fail(m, "after the jump the kernel does not unload cleanly ("
                    + t.session.kernel().pageAllocator().usedPages() + " pages in use, not " + t.usedPages + ")");
            return new Target();
        }
        try {
            int r = t.session.load(hello, null, true);
            KexecResult next = r == 0 ? t.session.exec() : null;
            if (next == null || next.result() != 0 || !next.report().ok()) {
                fail(m, "integrity held (" + rep.outcome().stop().message() + "), yet the kernel cannot run hello.elf"
                        + " after it: load " + Errno.describe(r) + (next == null ? "" : ", reboot "
                        + Errno.describe(next.result()) + ": " + (next.report() == null || next.report().outcome()
                        == null ? "no report" : next.report().outcome().stop().message() + " at eip "
                        + Integer.toHexString(next.report().outcome().stop().eip()))) + "; the kernel ran mutants "
                        + t.history + " since it booted");
                return new Target();
            }
        } catch (ImageException | RuntimeException e) {
            fail(m, "integrity held, yet hello.elf after it failed: " + e);
            return new Target();
        }
        t.unload();
        return t;
    }

    // ------------------------------------------------------------------ the generator

    static List<Source> sources() throws IOException {
        List<Source> out = new ArrayList<>();
        for (String dir : new String[] {"images/elf", "images/examples/elf"}) {
            try (Stream<Path> files = Files.list(Path.of(dir))) {
                for (Path p : files.sorted().toList()) {
                    String n = p.getFileName().toString();
                    if (n.endsWith(".elf") || n.endsWith(".elf64")) {
                        out.add(new Source(dir + "/" + n, Files.readAllBytes(p)));
                    }
                }
            }
        }
        assertThat(out).as("committed example images").hasSizeGreaterThan(50);
        return out;
    }

    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x1001, 0x7fff,
        0x8000, 0xffff, 0x10000, 0x100000, 0x3ff000, 0x400000, 0x401000, 0x4f6000, 0x7ff000, 0x1000000, 0x7fff000,
        0x8000000, 0x8001000, 0x7fffffffL, 0x80000000L, 0xfffff000L, 0xffffffffL, 0x100000000L, 0x7fffffffffffffffL,
        0x8000000000000000L, -1L, -4096L};

    /** A new value for a field of {@code width} bytes that held {@code old}, in a file of {@code length} bytes. */
    private static long value(SplittableRandom rnd, long old, int width, int length) {
        long v = switch (rnd.nextInt(7)) {
            case 0 -> INTERESTING[rnd.nextInt(INTERESTING.length)];
            case 1 -> old + rnd.nextInt(-4, 5);
            case 2 -> old + (rnd.nextBoolean() ? 1 : -1) * 0x1000L * rnd.nextInt(1, 64);
            case 3 -> old ^ 1L << rnd.nextInt(width * 8);
            case 4 -> length + rnd.nextInt(-64, 65);
            case 5 -> rnd.nextLong();
            default -> rnd.nextLong(0x1_0000_0000L);
        };
        return width == 8 ? v : v & (1L << width * 8) - 1;
    }

    /** Little-endian field access that ignores what lies outside the file. */
    private static long get(byte[] f, int at, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = v << 8 | (at + i >= 0 && at + i < f.length ? f[at + i] & 0xff : 0);
        }
        return v;
    }

    private static void put(byte[] f, int at, int width, long v) {
        for (int i = 0; i < width; i++) {
            if (at + i >= 0 && at + i < f.length) {
                f[at + i] = (byte) (v >>> 8 * i);
            }
        }
    }

    /** ELF header fields: {offset, width} for ELF32 and ELF64. */
    private static final int[][] EHDR32 = {{4, 1}, {5, 1}, {6, 1}, {16, 2}, {18, 2}, {20, 4}, {24, 4}, {28, 4},
        {32, 4}, {40, 2}, {42, 2}, {44, 2}, {46, 2}, {48, 2}, {50, 2}};
    private static final int[][] EHDR64 = {{4, 1}, {5, 1}, {6, 1}, {16, 2}, {18, 2}, {20, 4}, {24, 8}, {32, 8},
        {40, 8}, {52, 2}, {54, 2}, {56, 2}, {58, 2}, {60, 2}, {62, 2}};
    /** Program header fields (p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align). */
    private static final int[][] PHDR32 = {{0, 4}, {4, 4}, {8, 4}, {12, 4}, {16, 4}, {20, 4}, {24, 4}, {28, 4}};
    private static final int[][] PHDR64 = {{0, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 8}, {40, 8}, {4, 4}, {48, 8}};
    /** Section header fields (name, type, flags, addr, offset, size, link, info, addralign, entsize). */
    private static final int[][] SHDR32 = {{0, 4}, {4, 4}, {8, 4}, {12, 4}, {16, 4}, {20, 4}, {24, 4}, {28, 4},
        {32, 4}, {36, 4}};
    private static final int[][] SHDR64 = {{0, 4}, {4, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 8}, {40, 4}, {44, 4},
        {48, 8}, {56, 8}};
    private static final String[] PHDR_NAMES = {"p_type", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz",
        "p_flags", "p_align"};

    /** One to three damages to a copy of {@code src}. */
    static Mutant mutate(int number, Source src, SplittableRandom rnd) {
        byte[] f = src.bytes().clone();
        boolean is64 = src.is64();
        int phoff = (int) get(f, is64 ? 32 : 28, is64 ? 8 : 4);
        int phentsize = (int) get(f, is64 ? 54 : 42, 2);
        int phnum = (int) get(f, is64 ? 56 : 44, 2);
        int shoff = (int) get(f, is64 ? 40 : 32, is64 ? 8 : 4);
        int shentsize = (int) get(f, is64 ? 58 : 46, 2);
        int shnum = (int) get(f, is64 ? 60 : 48, 2);
        StringBuilder how = new StringBuilder();
        boolean code = false;
        int n = 1 + (rnd.nextInt(4) == 0 ? rnd.nextInt(1, 3) : 0);
        for (int k = 0; k < n && f.length > 0; k++) {
            if (how.length() > 0) {
                how.append("; ");
            }
            switch (rnd.nextInt(10)) {
                case 0 -> { // bit flips, mostly in the headers
                    int flips = rnd.nextInt(1, 9);
                    int range = rnd.nextBoolean() ? Math.min(f.length, 0x200) : f.length;
                    how.append(flips).append(" bit flip(s) in the first ").append(range).append(" bytes");
                    for (int j = 0; j < flips; j++) {
                        f[rnd.nextInt(range)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                case 1 -> { // byte overwrites
                    int count = rnd.nextInt(1, 17);
                    int at = rnd.nextInt(f.length);
                    how.append(count).append(" byte(s) overwritten at ").append(at);
                    for (int j = 0; j < count && at + j < f.length; j++) {
                        f[at + j] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : new int[] {0, 0xff, 0x7f, 0x80}[
                                rnd.nextInt(4)]);
                    }
                }
                case 2 -> { // truncation
                    int[] marks = {0, 1, 4, 16, 51, 52, 63, 64, phoff, phoff + phentsize - 1, phoff + phentsize,
                        shoff, shoff + shentsize, f.length - 1, rnd.nextInt(f.length)};
                    int to = Math.max(0, Math.min(f.length - 1, marks[rnd.nextInt(marks.length)]));
                    how.append("cut to ").append(to).append(" bytes");
                    f = Arrays.copyOf(f, to);
                }
                case 3 -> { // an ELF header field
                    int[] fld = (is64 ? EHDR64 : EHDR32)[rnd.nextInt(EHDR32.length)];
                    long v = value(rnd, get(f, fld[0], fld[1]), fld[1], f.length);
                    how.append(String.format("ELF header field at %d := 0x%x", fld[0], v));
                    put(f, fld[0], fld[1], v);
                }
                case 4, 5 -> { // a program header field (e_phoff-based, as read from the original)
                    int i = rnd.nextInt(Math.max(1, Math.min(phnum, 8)));
                    int field = rnd.nextInt(PHDR32.length);
                    int[] fld = (is64 ? PHDR64 : PHDR32)[field];
                    int at = phoff + i * phentsize + fld[0];
                    long v = value(rnd, get(f, at, fld[1]), fld[1], f.length);
                    how.append(String.format("phdr %d %s := 0x%x", i, PHDR_NAMES[field], v));
                    put(f, at, fld[1], v);
                }
                case 6 -> { // a section header field
                    int i = rnd.nextInt(Math.max(1, Math.min(shnum, 64)));
                    int[] fld = (is64 ? SHDR64 : SHDR32)[rnd.nextInt(SHDR32.length)];
                    int at = shoff + i * shentsize + fld[0];
                    long v = value(rnd, get(f, at, fld[1]), fld[1], f.length);
                    how.append(String.format("shdr %d field at %d := 0x%x", i, fld[0], v));
                    put(f, at, fld[1], v);
                }
                case 7, 8 -> { // the code: bytes of the first segment's file data
                    int off = (int) get(f, phoff + (is64 ? 8 : 4), is64 ? 8 : 4);
                    int size = (int) Math.min(get(f, phoff + (is64 ? 32 : 16), is64 ? 8 : 4), 0x4000);
                    if (off <= 0 || size <= 0 || off >= f.length) {
                        how.append("no code to change");
                        break;
                    }
                    int count = rnd.nextInt(1, 33);
                    int at = off + rnd.nextInt(Math.min(size, f.length - off));
                    how.append(count).append(" code byte(s) overwritten at file offset ").append(at);
                    for (int j = 0; j < count && at + j < f.length; j++) {
                        f[at + j] = (byte) rnd.nextInt(256);
                    }
                    code = true;
                }
                default -> { // a splice: a piece of the file copied over another place
                    int len = rnd.nextInt(1, 257);
                    int from = rnd.nextInt(f.length);
                    int to = rnd.nextInt(f.length);
                    how.append(String.format("%d byte(s) from %d copied to %d", len, from, to));
                    byte[] piece = Arrays.copyOfRange(f, from, Math.min(f.length, from + len));
                    System.arraycopy(piece, 0, f, to, Math.min(piece.length, f.length - to));
                }
            }
        }
        return new Mutant(number, src, f, how.toString(), code);
    }

    /** The generator is deterministic: a mutant can be made again from its number. */
    @Test
    void mutantsAreReproducible() throws IOException {
        List<Source> sources = sources();
        for (int i : new int[] {0, 1, 4242, MUTANTS - 1}) {
            SplittableRandom a = new SplittableRandom(SEED + i);
            SplittableRandom b = new SplittableRandom(SEED + i);
            Mutant x = mutate(i, sources.get(a.nextInt(sources.size())), a);
            Mutant y = mutate(i, sources.get(b.nextInt(sources.size())), b);
            assertThat(x.bytes()).isEqualTo(y.bytes());
            assertThat(x.how()).isEqualTo(y.how());
        }
        assertThat(ByteBuffer.wrap(sources.get(0).bytes()).order(ByteOrder.BIG_ENDIAN).getInt()).isEqualTo(0x7f454c46);
    }
}
