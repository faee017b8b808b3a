package dev.kjump.gdb;

import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.Machine;
import dev.kjump.machine.StopReason;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A GDB Remote Serial Protocol server for kjump's CPU: {@code gdb -ex 'target remote :PORT'} debugs the image a
 * kexec jump runs, in the physical mode it runs in.
 *
 * <p>The stub is a {@link Machine.Debugger}: once {@link #attach attached}, {@link Machine#run} (the callee's run,
 * from the kernel's {@code machine_kexec}) runs the CPU through it. While a client is connected and the machine is
 * stopped, the thread that called {@code Machine.run} serves the client's packets; when gdb continues or steps,
 * it runs the CPU again. The kernel knows nothing of this.
 *
 * <ul>
 * <li>Write watchpoints ({@code Z2}) are frames physical memory watches; the CPU stops after a write there and the
 * stub reports the watchpoint when the watched bytes changed. Read and access watchpoints are not supported.
 * <li>Breakpoints ({@code Z0} and {@code Z1} alike) are {@link Cpu#setBreakpoints CPU stop points}: guest memory
 *     is never modified, and the CPU pays nothing when none are set. Watchpoints ({@code Z2-Z4}) are not
 *     supported (empty reply): they would need a check on every guest write.</li>
 * <li>When the callee stops on its own (jumps back to the kernel, faults, halts, runs out of time), gdb sees a
 *     stop (SIGTRAP, SIGSEGV for a triple fault, SIGXCPU for a limit) with a console message saying what happened;
 *     when gdb resumes, that stop goes back to the kernel, which carries on (with the next jump, say) while gdb
 *     waits. When the run is over, {@link #finish} sends the exit packet ({@code W}) and closes.</li>
 * <li>With {@link #waitAtEntry}, the machine stops at the image's entry, after the kernel's swap and before the
 *     image's first instruction runs, until a client connects and continues.</li>
 * <li>A client that connects while the machine runs stops it at the next instruction boundary. A client that goes
 *     away leaves the run to go on to its end without the debugger (its breakpoints removed); a second client
 *     while one is connected is refused with a message.</li>
 * </ul>
 *
 * <p>Addresses are linear addresses (what the CPU sees; physical while paging is off), read and written through
 * the MMU's side-effect-free {@link dev.kjump.machine.cpu.Mmu#probe translation}. One thread (id 1), one process.
 */
public final class GdbStub implements Machine.Debugger, Closeable {
    /** Packet size advertised in {@code qSupported} (bytes, hex 4000). */
    public static final int PACKET_SIZE = 0x4000;

    private static final long EXITED_IDLE_MS = 3000;
    static final int SIGINT = 2, SIGTRAP = 5, SIGSEGV = 11, SIGXCPU = 24;

    /** What gdb asked for when it let go of a stopped machine. */
    private enum Resume { CONTINUE, STEP, DETACH, KILL, GONE }

    private final ServerSocket server;
    private final PrintStream log;
    private final Thread acceptor;
    private final Object lock = new Object();
    private final RspConnection.Listener listener = new Listener();

    private volatile Machine machine;
    private volatile RspConnection conn;
    /** The client has not been told of a stop yet: the machine stops for it, and it asks with '?'. */
    private volatile boolean attaching;
    /** The stub asked the CPU to stop (as opposed to the host's Ctrl-C). */
    private volatile boolean stubStop;
    /** Ctrl-C from the client. */
    private volatile boolean interruptPending;
    private volatile boolean finished;

    // owned by the thread in run()/finish()
    private boolean stopped;
    private boolean stepping;
    private boolean justResumed;
    private StopReason deferred;
    private String lastStop = "S05";
    private Resume resume;
    private boolean exited;
    private int exitStatus;
    private final Set<Integer> swBreaks = new LinkedHashSet<>();
    private final Set<Integer> hwBreaks = new LinkedHashSet<>();
    /** Write watchpoints: linear address → length, and the bytes there when last seen. */
    private final java.util.Map<Integer, Integer> watches = new java.util.LinkedHashMap<>();
    private final java.util.Map<Integer, byte[]> watchSeen = new java.util.HashMap<>();
    private StopReason watchHit;
    private Integer entryBreak;
    private boolean breaksDirty;

    private GdbStub(ServerSocket server, PrintStream log) {
        this.server = server;
        this.log = log;
        this.acceptor = new Thread(this::acceptLoop, "kjump-gdb-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens on 127.0.0.1:{@code port} (0: a free port, see {@link #port()}) and prints where on {@code log}.
     *
     * @throws IOException when the port cannot be bound
     */
    public static GdbStub listen(int port, PrintStream log) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        GdbStub stub = new GdbStub(s, log);
        log.printf("kjump: gdb: listening on 127.0.0.1:%d%n", s.getLocalPort());
        log.flush();
        stub.acceptor.start();
        return stub;
    }

    /** The port listened on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Takes over {@code m}'s runs. */
    public void attach(Machine m) {
        this.machine = m;
        m.attachDebugger(this);
    }

    /**
     * Stops the machine when it reaches linear address {@code entry} (once), and waits there for a client: for
     * {@code --gdb-wait}, with the image's entry point.
     */
    public void waitAtEntry(int entry) {
        entryBreak = entry;
        breaksDirty = true;
    }

    /** True while a client is connected. */
    public boolean connected() {
        RspConnection c = conn;
        return c != null && !c.isClosed();
    }

    // ------------------------------------------------------------------ the run loop

    @Override
    public Slice beforeSlice(Machine m, long planned) {
        Cpu cpu = m.cpu();
        while (true) {
            RspConnection c = conn;
            if (c != null && c.isClosed()) {
                dropClient(c, "gdb disconnected");
                c = null;
            }
            if (c == null && deferred != null) {
                return Slice.end(takeDeferred());
            }
            if (c != null && stopped) {
                Resume r = serve(c, cpu);
                switch (r) {
                    case CONTINUE, STEP -> {
                        stopped = false;
                        stepping = r == Resume.STEP;
                        justResumed = true;
                    }
                    case DETACH -> dropClient(c, "gdb detached");
                    case GONE -> dropClient(c, "gdb disconnected");
                    case KILL -> {
                        dropClient(c, "gdb killed the callee");
                        if (deferred != null) {
                            return Slice.end(takeDeferred());
                        }
                        return Slice.end(new StopReason(StopReason.Kind.INTERRUPTED, cpu.eip(), 0, 0,
                                cpu.instructionBytes(cpu.eip()), "killed by gdb"));
                    }
                    default -> throw new IllegalStateException();
                }
                if (deferred != null) {
                    return Slice.end(takeDeferred());
                }
                continue;
            }
            if (c != null && attaching && entryBreak == null) {
                // a client connected while the machine ran: it finds the machine stopped here
                enterStop(c, stopReply(cpu, SIGTRAP, ""));
                continue;
            }
            if (c != null && interruptPending) {
                enterStop(c, stopReply(cpu, SIGINT, ""));
                continue;
            }
            if (breaksDirty) {
                cpu.setBreakpoints(breakpointList());
                armWatches(m);
                breaksDirty = false;
            }
            if (justResumed) {
                justResumed = false;
                if (isBreakpoint(linearPc(cpu))) {
                    cpu.passBreakpointOnce();
                }
            }
            return stepping && c != null ? Slice.singleStep() : Slice.run(planned);
        }
    }

    @Override
    public StopReason afterStop(Machine m, StopReason s, boolean stepped) {
        Cpu cpu = m.cpu();
        RspConnection c = conn;
        switch (s.kind()) {
            case INTERRUPTED -> {
                if (stubStop) {
                    stubStop = false;
                    return null; // the stub's own stop (a client came, went, or pressed Ctrl-C): beforeSlice sees why
                }
                return s; // the host's Ctrl-C: the run ends, with or without a client
            }
            case BUDGET -> {
                if (stepped) {
                    stepping = false;
                    if (c != null) {
                        enterStop(c, stopReply(cpu, SIGTRAP, ""));
                    }
                    return null;
                }
            }
            case WATCHPOINT -> {
                Integer hit = changedWatch(cpu);
                if (hit == null || c == null) {
                    return null; // the frame was written, not the watched bytes (or nobody is watching any more)
                }
                stepping = false;
                enterStop(c, stopReply(cpu, SIGTRAP, String.format("watch:%x;", hit)));
                return null;
            }
            case BREAKPOINT -> {
                int pc = linearPc(cpu);
                boolean atEntry = entryBreak != null && entryBreak == pc;
                if (atEntry) {
                    entryBreak = null;
                    breaksDirty = true;
                }
                if (c == null && atEntry) {
                    c = waitForClient(pc);
                }
                if (c == null) {
                    justResumed = true; // not ours to stop at any more
                    return null;
                }
                stepping = false;
                String why = swBreaks.contains(pc) ? "swbreak:;" : hwBreaks.contains(pc) ? "hwbreak:;" : "";
                enterStop(c, stopReply(cpu, SIGTRAP, why));
                return null;
            }
            default -> {
                // the callee stopped on its own
            }
        }
        if (c == null) {
            return s;
        }
        deferred = s;
        stepping = false;
        console(c, "kjump: " + describe(s) + "; continue to hand the machine back to the kernel\n");
        enterStop(c, stopReply(cpu, signalFor(s), ""));
        return null;
    }

    private StopReason takeDeferred() {
        StopReason s = deferred;
        deferred = null;
        return s;
    }

    private static String describe(StopReason s) {
        return switch (s.kind()) {
            case HOST_ENTRY -> String.format("the callee jumped back to the kernel (entry %08x)", s.physAddress());
            default -> "the callee stopped: " + s.message();
        };
    }

    private static int signalFor(StopReason s) {
        return switch (s.kind()) {
            case TRIPLE_FAULT -> SIGSEGV;
            case TIMEOUT, BUDGET -> SIGXCPU;
            case EMULATOR_ERROR -> 6; // SIGABRT
            default -> SIGTRAP;
        };
    }

    /** The machine stopped under gdb's control: tell the client (unless it is still attaching). */
    private void enterStop(RspConnection c, String reply) {
        stopped = true;
        interruptPending = false;
        lastStop = reply;
        if (attaching) {
            attaching = false; // gdb asks with '?'
            return;
        }
        try {
            c.send(reply);
        } catch (IOException e) {
            // noticed at the loop's top
        }
    }

    private void console(RspConnection c, String text) {
        if (attaching) {
            return;
        }
        try {
            c.send("O" + Rsp.hex(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // noticed at the loop's top
        }
    }

    private String stopReply(Cpu cpu, int signal, String why) {
        return String.format("T%02x%sthread:1;%02x:%s;%02x:%s;%02x:%s;", signal, why, TargetDescription.EIP,
                Rsp.hexLe32(cpu.eip()), TargetDescription.ESP, Rsp.hexLe32(cpu.reg(Cpu.ESP)), TargetDescription.EBP,
                Rsp.hexLe32(cpu.reg(Cpu.EBP)));
    }

    private RspConnection waitForClient(int pc) {
        log.printf("kjump: gdb: the callee is stopped at its entry %08x; waiting for gdb on 127.0.0.1:%d%n", pc, port());
        log.flush();
        synchronized (lock) {
            while (conn == null || conn.isClosed()) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return conn;
        }
    }

    private void dropClient(RspConnection c, String why) {
        synchronized (lock) {
            if (conn == c) {
                conn = null;
            }
        }
        c.close();
        swBreaks.clear();
        hwBreaks.clear();
        watches.clear();
        breaksDirty = true;
        stopped = false;
        stepping = false;
        attaching = false;
        interruptPending = false;
        if (!finished) {
            log.printf("kjump: gdb: %s; the run goes on without the debugger%n", why);
            log.flush();
        }
    }

    /**
     * Write watchpoints: physical memory calls back when a watched frame is written, the CPU stops after that
     * instruction, and {@link #changedWatch} decides whether the watched bytes changed (gdb's write watchpoints
     * report changes). Frames are where the addresses map now.
     */
    private void armWatches(Machine m) {
        Cpu cpu = m.cpu();
        if (watches.isEmpty()) {
            m.memory().watchFrames(new int[0], null);
            watchSeen.clear();
            return;
        }
        if (watchHit == null) {
            watchHit = new StopReason(StopReason.Kind.WATCHPOINT, 0, 0, 0, new byte[0], "a watched frame was written");
        }
        java.util.Set<Integer> frames = new java.util.TreeSet<>();
        watchSeen.keySet().retainAll(watches.keySet());
        for (var w : watches.entrySet()) {
            for (int i = 0; i < w.getValue(); i++) {
                long p = cpu.mmu().probe(w.getKey() + i);
                if (p >= 0) {
                    frames.add((int) (p >>> 12));
                }
            }
            watchSeen.putIfAbsent(w.getKey(), watchedBytes(cpu, w.getKey(), w.getValue()));
        }
        StopReason hit = watchHit;
        m.memory().watchFrames(frames.stream().mapToInt(Integer::intValue).toArray(), () -> cpu.requestStop(hit));
    }

    private byte[] watchedBytes(Cpu cpu, int addr, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            long p = cpu.mmu().probe(addr + i);
            b[i] = p < 0 ? 0 : (byte) machine.memory().read8((int) p);
        }
        return b;
    }

    /** The first watched address whose bytes changed since last seen (updating what was seen), or null. */
    private Integer changedWatch(Cpu cpu) {
        Integer hit = null;
        for (var w : watches.entrySet()) {
            byte[] now = watchedBytes(cpu, w.getKey(), w.getValue());
            if (!java.util.Arrays.equals(now, watchSeen.get(w.getKey()))) {
                watchSeen.put(w.getKey(), now);
                if (hit == null) {
                    hit = w.getKey();
                }
            }
        }
        return hit;
    }

    private int[] breakpointList() {
        Set<Integer> all = new LinkedHashSet<>(swBreaks);
        all.addAll(hwBreaks);
        if (entryBreak != null) {
            all.add(entryBreak);
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    private boolean isBreakpoint(int linear) {
        return swBreaks.contains(linear) || hwBreaks.contains(linear)
                || (entryBreak != null && entryBreak == linear);
    }

    private static int linearPc(Cpu cpu) {
        return cpu.saveState().segBases()[Cpu.CS] + cpu.eip();
    }

    // ------------------------------------------------------------------ the end of the run

    /**
     * The run is over with exit status {@code status}: a waiting client gets the exit packet ({@code W}), the
     * connection is closed, the port released and the machine detached.
     */
    public void finish(int status) {
        finished = true;
        if (machine != null) {
            machine.memory().watchFrames(new int[0], null);
        }
        exitStatus = status & 0xFF;
        closeServer();
        RspConnection c = conn;
        if (c != null && !c.isClosed()) {
            exited = true;
            Machine m = machine;
            if (attaching && m != null) {
                serveExited(c, m.cpu()); // it connected after the last stop: answer its questions first
            } else {
                try {
                    c.send(String.format("W%02x", exitStatus), 1000);
                } catch (IOException e) {
                    // it went away: nothing to tell
                }
            }
            log.printf("kjump: gdb: the run is over (exit status %d); connection closed%n", exitStatus);
            log.flush();
        }
        if (c != null) {
            c.close();
        }
        conn = null;
        Machine m = machine;
        if (m != null && m.debugger() == this) {
            m.attachDebugger(null);
        }
    }

    @Override
    public void close() {
        if (!finished) {
            finish(0);
        }
    }

    private void serveExited(RspConnection c, Cpu cpu) {
        attaching = false;
        try {
            String p;
            while ((p = c.nextPacket(EXITED_IDLE_MS)) != null) {
                resume = null;
                String reply = handle(p, c, cpu);
                if (resume == Resume.CONTINUE || resume == Resume.STEP) {
                    c.send(String.format("W%02x", exitStatus));
                    return;
                }
                if (resume != null) {
                    if (reply != null) {
                        c.send(reply);
                    }
                    return;
                }
                c.send(reply);
            }
        } catch (IOException e) {
            // gone
        }
    }

    private void closeServer() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    // ------------------------------------------------------------------ clients

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (lock) {
                RspConnection cur = conn;
                if (finished || (cur != null && !cur.isClosed())) {
                    refuse(s, finished ? "the run is over" : "another gdb (" + cur.peer() + ") is already connected");
                    continue;
                }
                RspConnection c;
                try {
                    c = new RspConnection(s, listener);
                } catch (IOException e) {
                    refuse(s, "cannot set up the connection: " + e.getMessage());
                    continue;
                }
                conn = c;
                attaching = true;
                log.printf("kjump: gdb: client connected from %s%n", c.peer());
                log.flush();
                c.start();
                interruptCpu(); // the run loop stops for it (or, with --gdb-wait, at the entry)
                lock.notifyAll();
            }
        }
    }

    private void refuse(Socket s, String why) {
        log.printf("kjump: gdb: refused a client from %s: %s%n", s.getRemoteSocketAddress(), why);
        log.flush();
        try (s) {
            s.getOutputStream().write(("kjump: gdb stub busy: " + why + "\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
        } catch (IOException ignored) {
            // it is refused either way
        }
    }

    private void interruptCpu() {
        Machine m = machine;
        stubStop = true;
        if (m != null) {
            m.cpu().requestHostStop();
        }
    }

    private final class Listener implements RspConnection.Listener {
        @Override
        public void interrupt(RspConnection c) {
            if (c == conn) {
                interruptPending = true;
                interruptCpu();
            }
        }

        @Override
        public void disconnected(RspConnection c) {
            synchronized (lock) {
                if (c == conn) {
                    interruptCpu(); // the run loop notices the closed connection
                    lock.notifyAll();
                }
            }
        }
    }

    // ------------------------------------------------------------------ packets

    /** Serves packets while the machine is stopped, until gdb lets go of it. */
    private Resume serve(RspConnection c, Cpu cpu) {
        while (true) {
            String p;
            try {
                p = c.nextPacket(-1);
            } catch (IOException e) {
                return Resume.GONE;
            }
            resume = null;
            String reply = handle(p, c, cpu);
            try {
                if (reply != null) {
                    c.send(reply);
                }
            } catch (IOException e) {
                return Resume.GONE;
            }
            if (resume != null) {
                return resume;
            }
        }
    }

    /**
     * The reply to one packet (null: none), setting {@link #resume} when the packet lets go of the machine.
     * Unknown packets get the empty reply; malformed arguments {@code E01}.
     */
    String handle(String p, RspConnection c, Cpu cpu) {
        if (p.isEmpty()) {
            return "";
        }
        try {
            return switch (p.charAt(0)) {
                case '?' -> exited ? String.format("W%02x", exitStatus) : lastStop;
                case 'q' -> query(p, cpu);
                case 'Q' -> {
                    if (p.equals("QStartNoAckMode")) {
                        c.setNoAck(true);
                        yield "OK";
                    }
                    yield "";
                }
                case 'H', 'T' -> "OK";
                case 'g' -> TargetAccess.readRegisters(cpu);
                case 'G' -> TargetAccess.writeRegisters(cpu, p.substring(1));
                case 'p' -> TargetAccess.readRegister(cpu, (int) Rsp.parseHex(p.substring(1)));
                case 'P' -> {
                    int eq = p.indexOf('=');
                    if (eq < 0) {
                        yield "E01";
                    }
                    yield TargetAccess.writeRegister(cpu, (int) Rsp.parseHex(p.substring(1, eq)), p.substring(eq + 1));
                }
                case 'm' -> TargetAccess.readMemory(cpu, machine.memory(), p.substring(1), PACKET_SIZE / 2 - 8);
                case 'M' -> TargetAccess.writeMemory(cpu, machine.memory(), p.substring(1), false);
                case 'X' -> TargetAccess.writeMemory(cpu, machine.memory(), p.substring(1), true);
                case 'c', 's' -> resumeAt(cpu, p.substring(1), p.charAt(0) == 's');
                case 'C', 'S' -> {
                    int semi = p.indexOf(';');
                    yield resumeAt(cpu, semi < 0 ? "" : p.substring(semi + 1), p.charAt(0) == 'S');
                }
                case 'v' -> vPacket(p, cpu);
                case 'Z', 'z' -> breakpoint(p);
                case 'k' -> {
                    resume = Resume.KILL;
                    yield null;
                }
                case 'D' -> {
                    resume = Resume.DETACH;
                    yield "OK";
                }
                default -> "";
            };
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return "E01";
        }
    }

    private String query(String p, Cpu cpu) {
        if (p.startsWith("qSupported")) {
            return String.format("PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;"
                    + "vContSupported+", PACKET_SIZE);
        }
        if (p.startsWith("qXfer:features:read:")) {
            String[] f = p.substring("qXfer:features:read:".length()).split(":", -1);
            if (f.length != 2) {
                return "E01";
            }
            if (!f[0].equals("target.xml")) {
                return "E00";
            }
            String[] ol = f[1].split(",", -1);
            int off = (int) Rsp.parseHex(ol[0]);
            int len = (int) Math.min(Rsp.parseHex(ol[1]), PACKET_SIZE - 16);
            byte[] xml = TargetDescription.xml().getBytes(StandardCharsets.UTF_8);
            if (off >= xml.length) {
                return "l";
            }
            int n = Math.min(len, xml.length - off);
            return (off + n >= xml.length ? "l" : "m") + Rsp.string(xml, off, n);
        }
        if (p.startsWith("qAttached")) {
            return "1"; // gdb detaches on quit instead of killing the run
        }
        return switch (p) {
            case "qC" -> "QC1";
            case "qfThreadInfo" -> "m1";
            case "qsThreadInfo" -> "l";
            case "qOffsets" -> "Text=0;Data=0;Bss=0";
            case "qSymbol::" -> "OK";
            default -> "";
        };
    }

    private String vPacket(String p, Cpu cpu) {
        if (p.equals("vCont?")) {
            return "vCont;c;C;s;S";
        }
        if (p.startsWith("vCont;")) {
            // one thread: the first action applies (an action for "all threads" would come last, and is the same)
            String action = p.substring(6).split(";", -1)[0];
            int colon = action.indexOf(':');
            if (colon >= 0) {
                action = action.substring(0, colon);
            }
            if (action.isEmpty()) {
                return "E01";
            }
            return switch (action.charAt(0)) {
                case 'c', 'C' -> resumeAt(cpu, "", false);
                case 's', 'S' -> resumeAt(cpu, "", true);
                case 't' -> "OK";
                default -> "E01";
            };
        }
        if (p.startsWith("vKill")) {
            resume = Resume.KILL;
            return "OK";
        }
        return "";
    }

    private String resumeAt(Cpu cpu, String addr, boolean step) {
        if (!addr.isEmpty()) {
            cpu.setEip((int) Rsp.parseHex(addr));
        }
        resume = step ? Resume.STEP : Resume.CONTINUE;
        return null; // the reply is the next stop
    }

    private String breakpoint(String p) {
        String[] f = p.substring(1).split("[,;]", -1);
        if (f.length < 3) {
            return "E01";
        }
        int type = (int) Rsp.parseHex(f[0]);
        int addr = (int) Rsp.parseHex(f[1]);
        Rsp.parseHex(f[2]);
        if (type == 2) {
            int len = (int) Rsp.parseHex(f[2]);
            if (len < 1 || len > 16) {
                return "E01";
            }
            if (p.charAt(0) == 'Z') {
                watches.put(addr, len);
            } else {
                watches.remove(addr);
            }
            breaksDirty = true;
            return "OK";
        }
        Set<Integer> set = switch (type) {
            case 0 -> swBreaks;
            case 1 -> hwBreaks;
            default -> null;
        };
        if (set == null) {
            return ""; // read and access watchpoints: not supported
        }
        if (p.charAt(0) == 'Z') {
            set.add(addr);
        } else {
            set.remove(addr);
        }
        breaksDirty = true;
        return "OK";
    }
}
