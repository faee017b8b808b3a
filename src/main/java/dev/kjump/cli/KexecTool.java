package dev.kjump.cli;

import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.image.KexecLoader;
import dev.kjump.image.Segment;
import dev.kjump.kernel.Credentials;
import dev.kjump.kernel.Errno;
import dev.kjump.kernel.JumpReport;
import dev.kjump.kernel.Kernel;
import dev.kjump.kernel.KernelHandedOver;
import dev.kjump.kernel.KexecResult;
import dev.kjump.kernel.kexec.Kexec;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.machine.StopReason;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The user-space side of kexec-tools on kjump's kernel: {@code kexec -l / --load-preserve-context /
 * --load-jump-back-helper / -e / -u} as syscalls on a {@link KernelSession}, with one-line errors carrying the
 * errno name and results for people. Results go to {@code out}, errors to {@code err}; every action returns an
 * exit status from {@link Main}.
 */
final class KexecTool {
    /**
     * What is loaded, as far as user space knows; {@code peer}: a Linux bzImage in the peer region; {@code files}:
     * the files it was read from (the image, an initrd), which a trace must not overwrite.
     */
    record Loaded(String name, Image image, boolean preserveContext, long entry, boolean peer, List<Path> files) {
    }

    private final KernelSession session;
    private final PrintStream out;
    private final PrintStream err;
    private final JumpTotals totals = new JumpTotals();
    private Loaded loaded;
    private TraceFile trace;
    private JsonReport json;
    private boolean handedOver;

    KexecTool(KernelSession session, PrintStream out, PrintStream err) {
        this.session = session;
        this.out = out;
        this.err = err;
    }

    private GdbOptions gdb;

    /** The debugger options: with --gdb-wait every {@code kexec -e} stops at the callee's entry for gdb. */
    void gdb(GdbOptions g) {
        this.gdb = g;
        g.attach(session.kernel().machine());
    }

    /** Where jumps are recorded, or null. */
    void trace(TraceFile t) {
        this.trace = t;
    }

    TraceFile trace() {
        return trace;
    }

    Loaded loaded() {
        return loaded;
    }

    /** Where each jump's report is streamed ({@code kexec --json}), or null. */
    void json(JsonReport r) {
        this.json = r;
    }

    /**
     * Running totals of every jump made through this tool. No report is kept here (the kernel keeps its last few,
     * {@link Kernel#jumps()}): a tool's memory does not grow with its jumps.
     */
    JumpTotals totals() {
        return totals;
    }

    /** True once a kexec -e without preserve_context handed the machine over: the kernel is gone. */
    boolean handedOver() {
        return handedOver;
    }

    /** Runs one kexec command line's worth of actions: unload, or load and/or exec. */
    int run(KexecArgs a) {
        int modes = (a.load ? 1 : 0) + (a.loadPreserveContext ? 1 : 0) + (a.loadJumpBackHelper ? 1 : 0);
        if (modes > 1) {
            return usage("choose one of -l, --load-preserve-context and --load-jump-back-helper");
        }
        if (a.unload && (modes > 0 || a.exec || a.image != null)) {
            return usage("-u unloads; it takes no image and no other action");
        }
        if (a.unload) {
            return unload();
        }
        boolean exec = a.exec;
        if (modes == 0 && a.image != null) {
            exec = true; // kexec-tools: an image without -l is loaded and executed at once
        }
        if (modes == 0 && a.image == null && (a.append != null || a.memMin != null || a.memMax != null || a.entry != null)) {
            return usage("--append, --entry, --mem-min and --mem-max apply to a load (-l, --load-preserve-context)");
        }
        if (modes == 0 && !exec) {
            return usage("nothing to do: give -l IMAGE, --load-preserve-context IMAGE, -e or -u (kexec -h for help)");
        }
        if (modes > 0 || a.image != null) {
            int r = load(a);
            if (r != Main.EXIT_OK) {
                return r;
            }
        }
        return exec ? exec() : Main.EXIT_OK;
    }

    private int usage(String msg) {
        err.println("kexec: " + msg);
        return Main.EXIT_USAGE;
    }

    private int loadFailed(String errno, String why) {
        err.println("kexec: load failed: " + errno + " (" + why + ")");
        return Main.EXIT_USAGE;
    }

    /** Loads per {@code a} (one of the load modes, or a bare image). */
    int load(KexecArgs a) {
        Kernel k = session.kernel();
        long flags = Kexec.KEXEC_ARCH_386 | (a.loadPreserveContext || a.loadJumpBackHelper ? Kexec.KEXEC_PRESERVE_CONTEXT : 0);
        long entry;
        long memMin;
        long memMax;
        try {
            entry = a.entry == null ? -1 : KexecArgs.address("--entry", a.entry);
            memMin = a.memMin == null ? 0 : KexecArgs.address("--mem-min", a.memMin);
            memMax = a.memMax == null ? 0xFFFFFFFFL : KexecArgs.address("--mem-max", a.memMax);
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        if (memMin > memMax) {
            return usage("--mem-min is above --mem-max");
        }
        List<Segment> segs;
        String name;
        Image image = null;
        if (a.loadJumpBackHelper) {
            if (a.image != null) {
                return usage("--load-jump-back-helper takes no image: it jumps back to --entry=ADDR");
            }
            if (entry < 0) {
                return usage("--load-jump-back-helper needs --entry=ADDR (kjump's kernel was booted, not entered by a "
                        + "jump, so it has no kexec_jump_back_entry= to take it from)");
            }
            if (a.append != null) {
                return usage("--load-jump-back-helper has no command line (--append)");
            }
            // as kexec-tools does: one empty segment, the entry is where to jump back to
            segs = List.of(new Segment(0, new byte[0], 0));
            name = String.format("jump-back helper (entry %08x)", entry);
        } else {
            if (a.image == null) {
                return usage((a.load ? "-l" : "--load-preserve-context") + " needs an IMAGE");
            }
            Path p = Path.of(a.image);
            if (!Files.exists(p)) {
                return loadFailed("ENOENT", "No such file or directory: " + a.image);
            }
            if (Files.isDirectory(p)) {
                return loadFailed("EISDIR", "Is a directory: " + a.image);
            }
            String clash = traceClash(p, a.initrd == null ? null : Path.of(a.initrd));
            if (clash != null) {
                return usage(clash);
            }
            if (dev.kjump.image.BzImage.isBzImage(p)) {
                return loadLinux(a, p, flags);
            }
            if (a.initrd != null) {
                return usage("--initrd is for a Linux bzImage; " + a.image + " is not one");
            }
            try {
                image = Image.load(p);
            } catch (ImageException e) {
                return loadFailed("ENOEXEC", e.getMessage());
            }
            try {
                segs = KexecLoader.segments(image, a.append);
            } catch (ImageException e) {
                return loadFailed("EINVAL", e.getMessage());
            }
            name = p.getFileName().toString();
            if (entry < 0) {
                entry = image.entry();
            }
            for (Segment s : segs) {
                long last = s.end() - 1;
                if (s.physAddr() < memMin || last > memMax) {
                    return loadFailed("EADDRNOTAVAIL", String.format("segment %08x-%08x lies outside --mem-min=0x%x "
                            + "--mem-max=0x%x", s.physAddr(), last, memMin, memMax));
                }
            }
        }
        int r = k.kexecLoad(Credentials.ROOT, entry, segs.size(), KernelSession.kexecSegments(segs), flags);
        if (r != 0) {
            String why = r == Errno.EADDRNOTAVAIL.negative()
                    ? KernelSession.unavailable(segs, k.machine().memory().size()) : null;
            return loadFailed(Errno.of(r).name(), why != null ? why : explainLoad(r, flags));
        }
        loaded = new Loaded(name, image, (flags & Kexec.KEXEC_PRESERVE_CONTEXT) != 0, entry, false,
                a.image == null ? List.of() : List.of(Path.of(a.image)));
        var ki = k.kexecImage();
        out.printf("kexec: loaded %s: entry %08x, %d segment(s), %d page(s) to swap, control page %08x, swap page %08x%s%n",
                name, entry, segs.size(), ki.pagePairs().size(), ki.controlPage(), ki.swapPage(),
                loaded.preserveContext() ? ", preserve_context" : " (no preserve_context: kexec -e will not come back)");
        k.runTasks(2);
        return Main.EXIT_OK;
    }

    /**
     * While a trace is on, the files a load reads must not be the trace's file (the one check of outputs,
     * {@link OutputFiles#check}): such a load is refused. Null when there is no clash.
     */
    private String traceClash(Path... inputs) {
        if (trace == null) {
            return null;
        }
        try {
            OutputFiles.check(List.of(new OutputFiles.Output("trace", trace.path(), true)), inputs);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "; the load is refused (trace off, or trace on another file)";
        }
    }

    /** kexec-tools' bzImage path: the kernel, boot_params, initrd and purgatory into the peer region. */
    private int loadLinux(KexecArgs a, Path p, long flags) {
        if ((flags & Kexec.KEXEC_PRESERVE_CONTEXT) == 0 || a.loadJumpBackHelper) {
            return usage("a bzImage is loaded with --load-preserve-context: it runs in the kernel's peer region and "
                    + "jumps back");
        }
        if (a.entry != null || a.memMin != null || a.memMax != null) {
            return usage("--entry, --mem-min and --mem-max do not apply to a bzImage (it is placed in the peer region)");
        }
        Kernel k = session.kernel();
        PeerLoad.Loaded l;
        try {
            l = PeerLoad.plan(k.config(), p, a.initrd == null ? null : Path.of(a.initrd), a.append == null ? "" : a.append);
        } catch (ImageException e) {
            return loadFailed("EINVAL", e.getMessage());
        }
        int r = PeerLoad.load(k, l, null);
        if (r != 0) {
            return loadFailed(Errno.of(r).name(), explainLoad(r, flags));
        }
        loaded = new Loaded(l.name(), null, true, l.plan().entry(), true,
                a.initrd == null ? List.of(p) : List.of(p, Path.of(a.initrd)));
        var ki = k.kexecImage();
        var b = l.plan().boot();
        out.printf("kexec: loaded %s (Linux, peer region): kernel at %08x, boot_params at %08x, %s, purgatory (entry) "
                + "%08x, %d page(s) to swap, control page %08x (kexec_jump_back_entry=0x%08x), preserve_context%n",
                l.name(), b.entry(), b.bootParams(), b.initrd() == 0 ? "no initrd" : String.format("initrd at %08x",
                        b.initrd()), l.plan().entry(), ki.pagePairs().size(), ki.controlPage(),
                ki.controlPage() + dev.kjump.kernel.kexec.ControlPage.HELPER_ENTRY);
        if (gdb != null && gdb.active()) {
            out.println("kexec: gdb: " + PeerLoad.gdbHint(dev.kjump.image.SystemMap.besides(p), l));
        }
        k.runTasks(2);
        return Main.EXIT_OK;
    }

    private String explainLoad(int r, long flags) {
        Errno e = Errno.of(r);
        var cfg = session.kernel().config();
        return switch (e) {
            case EBUSY -> "kexec_lock held";
            case EPERM -> "kexec_load needs CAP_SYS_BOOT";
            case ENOSYS -> "the kernel has no CONFIG_KEXEC";
            case EINVAL -> (flags & Kexec.KEXEC_PRESERVE_CONTEXT) != 0 && !cfg.kexecJump()
                    ? "KEXEC_PRESERVE_CONTEXT needs CONFIG_KEXEC_JUMP" : "segments overlap or a segment's data exceeds it";
            case EADDRNOTAVAIL -> "a segment is not page aligned or lies beyond RAM";
            case ENOMEM -> "no memory left for the kimage";
            case EFAULT -> "bad segment list";
            default -> e.description();
        };
    }

    /** {@code kexec -u}. */
    int unload() {
        boolean was = session.kernel().kexecLoaded();
        int r = session.kernel().kexecLoad(Credentials.ROOT, 0, 0, new KexecSegment[0], Kexec.KEXEC_ARCH_386);
        if (r != 0) {
            err.println("kexec: unload failed: " + Errno.of(r).name() + " (" + explainLoad(r, 0) + ")");
            return Main.EXIT_USAGE;
        }
        out.println(was ? "kexec: unloaded " + (loaded != null ? loaded.name() : "the image") : "kexec: nothing was loaded");
        loaded = null;
        return Main.EXIT_OK;
    }

    /** {@code kexec -e}: jumps, reports the result and the integrity line, records the trace. */
    int exec() {
        Kernel k = session.kernel();
        String name = loaded != null ? loaded.name() : "the image";
        long t = System.nanoTime();
        KexecResult res;
        if (gdb != null) {
            k.kexecStart().ifPresent(gdb::beforeJump);
        }
        try (CtrlC c = CtrlC.interrupting(k.machine().cpu());
             Progress p = Progress.start("kexec -e: " + name + " running", () -> k.machine().cpu().instructions())) {
            res = session.exec();
        } catch (KernelHandedOver h) {
            out.flush();
            handedOver = true;
            record(t, name, h.report());
            StopReason s = h.report().outcome().stop();
            err.printf("kexec: the machine was handed over to %s (no preserve_context): the kernel is gone; "
                    + "the image ran %,d instructions and stopped: %s%n", name, h.report().outcome().calleeInstructions(),
                    s.message());
            return ExitStatus.handedOver(s.kind());
        }
        out.flush();
        int r = res.result();
        JumpReport rep = res.report();
        int status = ExitStatus.jump(res);
        if (rep == null) {
            err.println("kexec: exec failed: " + Errno.of(r).name() + " (" + switch (Errno.of(r)) {
                case EBUSY -> "kexec_lock held";
                case EINVAL -> "no image loaded: kexec -l or --load-preserve-context first";
                case ENOSYS -> "the kernel has no CONFIG_KEXEC";
                case EPERM -> "reboot needs CAP_SYS_BOOT";
                default -> Errno.of(r).description();
            } + ")");
            return status;
        }
        record(t, name, rep);
        MachineKexec.Outcome o = rep.outcome();
        if (o == null) {
            JumpReport.Step failed = rep.steps().stream().filter(s -> s.result() != 0).findFirst().orElse(null);
            err.printf("kexec: exec failed: %s (%s; the steps done were undone and the kernel carries on)%n",
                    Errno.of(r).name(), failed == null ? "the PM sequence failed"
                            : failed.name() + " failed with " + Errno.describe(failed.result()));
            k.runTasks(2);
            return status;
        }
        String lastWords = loaded != null && loaded.peer() ? PeerLoad.lastConsoleLine(k.machine()) : "";
        switch (o.kind()) {
            case JUMPED_BACK -> {
                if (o.returned()) {
                    out.printf("kexec: jump #%d: %s returned %d (0x%x) through the helper entry after %,d instruction(s), %s%n",
                            rep.number(), name, o.eax(), o.eax(), o.calleeInstructions(), TraceModel.duration(o.calleeNanos()));
                } else {
                    out.printf("kexec: jump #%d: %s jumped back with re-entry point %08x after %,d instruction(s), %s; "
                            + "kexec -e resumes it there%n", rep.number(), name, o.reentry(), o.calleeInstructions(),
                            TraceModel.duration(o.calleeNanos()));
                }
            }
            case INTERRUPTED -> {
                err.printf("kexec: exec failed: EINTR (%s interrupted at eip %08x: %s; the kernel took the machine "
                        + "back)%s%n", name, o.stop().eip(), o.stop().message(), lastWords);
            }
            case TIMED_OUT -> err.printf("kexec: exec failed: ETIMEDOUT (%s did not come back: %s; the kernel took the "
                    + "machine back)%s%n", name, o.stop().message(), lastWords);
            default -> {
                String where = loaded != null && loaded.image() != null
                        ? loaded.image().symbolAt(o.stop().eip() & 0xFFFFFFFFL).map(x -> " (" + x + ")").orElse("") : "";
                err.printf("kexec: exec failed: EFAULT (%s did not come back: %s, eip %08x%s; the kernel took the "
                        + "machine back)%s%n", name, o.stop().message(), o.stop().eip(), where, lastWords);
            }
        }
        for (String p : o.problems()) {
            err.println("kexec: warning: " + p);
        }
        var g = rep.integrity();
        if (g != null) {
            out.printf("kexec: jump #%d: %d page(s) (%d KiB) swapped in and back; integrity %s: %d page(s) checked, "
                    + "%d damaged%s; round trip %s%n", rep.number(), o.pagesSwapped(), o.pagesSwapped() * 4L,
                    g.intact() ? "held" : "BROKEN", g.pagesChecked(), g.damaged().size(),
                    g.intact() ? "" : " at " + JumpReport.hexList(g.damaged()), TraceModel.duration(rep.totalNanos()));
        }
        k.runTasks(2);
        return status;
    }

    private void record(long t, String name, JumpReport rep) {
        totals.add(rep);
        if (json != null) {
            json.add(rep);
        }
        if (trace != null) {
            trace.add(t, name, rep, loaded != null && loaded.peer() ? loaded.entry() : -1);
            try {
                trace.write();
            } catch (IOException e) {
                err.println("kexec: cannot write the trace " + trace.path() + ": " + e.getMessage());
            }
        }
    }
}
