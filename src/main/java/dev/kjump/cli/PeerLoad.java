package dev.kjump.cli;

import dev.kjump.image.BzImage;
import dev.kjump.image.BzImageKexec;
import dev.kjump.image.ImageException;
import dev.kjump.image.SystemMap;
import dev.kjump.kernel.Credentials;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.Kernel;
import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.machine.Machine;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * A Linux bzImage as the Java kernel's peer, the user-space side: plans the load into the kernel's peer region
 * ({@link BzImageKexec}), loads it with {@code kexec_load(KEXEC_PRESERVE_CONTEXT)} and reports each jump. Shared by
 * {@code kjump run BZIMAGE} and the shell's {@code kexec --load-preserve-context BZIMAGE}.
 */
final class PeerLoad {
    /** The kernel command-line parameter the example /init reads: how many times to jump back. */
    static final String JUMPS_PARAM = "kjump.jumps=";
    private static final Pattern HAS_JUMPS = Pattern.compile("(^|\\s)" + Pattern.quote(JUMPS_PARAM));
    /** {@code LOAD_PHYSICAL_ADDR} of the kernels System.map describes: relocation shifts the virtual addresses. */
    private static final long PAGE_OFFSET = 0xC0000000L;

    /**
     * A planned peer.
     *
     * @param name the bzImage's file name
     * @param kernel the parsed bzImage
     * @param plan its segments and entry
     */
    record Loaded(String name, BzImage kernel, BzImageKexec.Load plan) {
        /** How far the kernel runs from where it was linked: its symbols' virtual addresses move by this. */
        long delta() {
            return plan.boot().decompressAt() - kernel.prefAddress();
        }
    }

    private PeerLoad() {
    }

    /** {@code cmdline} with {@code kjump.jumps=N} appended, unless it already has that parameter. */
    static String withJumps(String cmdline, int jumps) {
        if (HAS_JUMPS.matcher(cmdline).find()) {
            return cmdline;
        }
        return (cmdline.isBlank() ? "" : cmdline.strip() + " ") + JUMPS_PARAM + jumps;
    }

    /**
     * Plans the load of the bzImage at {@code path} (with {@code initrd}, may be null) into the peer region of a
     * kernel configured with {@code cfg}.
     *
     * @throws ImageException when it cannot be read or does not fit (one line)
     */
    static Loaded plan(dev.kjump.kernel.KernelConfig cfg, Path path, Path initrd, String cmdline)
            throws ImageException {
        BzImage bz = BzImage.load(path);
        byte[] rd = initrd == null ? null : BzImage.readFile(initrd, "initrd");
        return plan(cfg, path.getFileName().toString(), bz, rd, initrd == null ? "" : initrd.toString(), cmdline);
    }

    /**
     * Plans the load of {@code bz} (called {@code name}) with the initrd {@code rd} (may be null, called
     * {@code rdName}) into the peer region of a kernel configured with {@code cfg}.
     *
     * @throws ImageException when it does not fit (one line)
     */
    static Loaded plan(dev.kjump.kernel.KernelConfig cfg, String name, BzImage bz, byte[] rd, String rdName,
                       String cmdline) throws ImageException {
        if (!cfg.hasPeer()) {
            throw new ImageException(name, "the kernel has no peer region to run a Linux kernel in: give "
                    + "--peer-mem SIZE[@ADDR] (or --mem 64M or more)");
        }
        BzImageKexec.Load plan = BzImageKexec.load(bz, cmdline, rd, rdName, cfg.peerStart(), cfg.peerSize());
        return new Loaded(name, bz, plan);
    }

    /**
     * {@code kexec_load(entry, nr_segments, segments, KEXEC_ARCH_386 | KEXEC_PRESERVE_CONTEXT)} of the plan; says
     * where everything went on {@code log} (may be null).
     *
     * @return kexec_load's result
     */
    static int load(Kernel kernel, Loaded l, PrintStream log) {
        BzImageKexec.Load p = l.plan();
        KexecSegment[] segs = KernelSession.kexecSegments(p.segments());
        int r = kernel.kexecLoad(Credentials.ROOT, p.entry(), segs.length, segs,
                Kexec.KEXEC_ARCH_386 | Kexec.KEXEC_PRESERVE_CONTEXT);
        if (r == 0 && log != null) {
            var b = p.boot();
            log.printf("kjump: loaded Linux %s into the peer region: kernel at %08x (decompresses to %08x-%08x), "
                    + "boot_params at %08x, %s, purgatory (entry) at %08x; %d segment(s)%n",
                    l.kernel().version().isEmpty() ? "" : l.kernel().version().split(" ")[0], b.entry(),
                    b.decompressAt(), b.decompressEnd() - 1, b.bootParams(), b.initrd() == 0 ? "no initrd"
                            : String.format("initrd at %08x (%d bytes)", b.initrd(), b.initrdSize()), p.entry(),
                    segs.length);
        }
        return r;
    }

    /** Names for the peer's EIPs from the System.map beside the bzImage, shifted by where it was relocated to. */
    static LongFunction<Optional<String>> symbols(Optional<SystemMap> map, Loaded l) {
        long delta = l.delta();
        return a -> map.flatMap(m -> m.symbolAt(a >= PAGE_OFFSET ? a - delta : a));
    }

    /** What Linux's {@code panic()} prints first; its last line repeats it as {@code ---[ end Kernel panic ...}. */
    private static final String PANIC = "Kernel panic - not syncing: ";

    /**
     * For gdb: the peer's System.map addresses move by {@link Loaded#delta()}; says so with {@code start_kernel} as
     * the example, e.g. {@code break *0xc421576b} for {@code c121576b T start_kernel} loaded 0x3000000 higher.
     */
    static String gdbHint(Optional<SystemMap> map, Loaded l) {
        long delta = l.delta();
        String example = map.flatMap(m -> {
            var a = m.address("start_kernel");
            return a.isPresent() ? Optional.of(String.format(" (start_kernel %08x: break *0x%08x)", a.getAsLong(),
                    a.getAsLong() + delta & 0xFFFFFFFFL)) : Optional.empty();
        }).orElse("");
        return String.format("the peer runs relocated: a System.map address + 0x%x is where its code runs%s", delta,
                example);
    }

    /**
     * What a peer that did not come back said last on its console (COM1): Linux's panic line ({@code Kernel panic -
     * not syncing: ...}) when it is among the last lines, else the last line; empty when it printed nothing.
     */
    static String lastWords(Machine m) {
        List<String> lines = m.uart().lastLines();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            int at = l.indexOf(PANIC);
            if (at >= 0 && !l.startsWith("---[ end ")) {
                return l.substring(at).strip();
            }
        }
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
    }

    /**
     * The end of the error line for a peer that did not come back: {@code ; the peer panicked: "Kernel panic - not
     * syncing: ..."} or {@code ; the peer's last console line: "..."} ({@link #lastWords}), or that it printed
     * nothing; quotes, backslashes and control characters escaped.
     */
    static String lastConsoleLine(Machine m) {
        String said = lastWords(m);
        if (said.isEmpty()) {
            return "; the peer printed nothing on its console";
        }
        return (said.startsWith(PANIC) ? "; the peer panicked: " : "; the peer's last console line: ") + quote(said);
    }

    private static String quote(String line) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : line.strip().toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * One jump's line for a peer: booted or resumed, how it came back, instructions, time, pages, integrity.
     *
     * @param entry the kimage's first entry (the purgatory): a jump that started there booted the peer
     */
    static void report(PrintStream err, int n, JumpReport rep, long entry) {
        MachineKexec.Outcome o = rep.outcome();
        if (o == null || o.kind() != MachineKexec.Kind.JUMPED_BACK) {
            return;
        }
        boolean booted = (rep.startBefore() & 0xFFFFFFFFL) == entry;
        err.printf("kjump: jump %d: the peer %s and jumped back (%s) with re-entry point %08x: %,d instruction(s) in "
                + "%.3f s; %d page(s) swapped each way; integrity %s%n", n, booted ? "booted" : "resumed",
                o.merged() ? "merged protocol" : o.returned() ? "returned" : "v8 protocol", o.reentry(),
                o.calleeInstructions(), o.calleeNanos() / 1e9, o.pagesSwapped(),
                rep.integrity() == null ? "not checked" : rep.integrity().summary());
    }
}
