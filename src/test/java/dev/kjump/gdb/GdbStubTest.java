package dev.kjump.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.Machine;
import dev.kjump.machine.StopReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stub driven through its socket by {@link TestClient}, with the machine run on a "kernel" thread. */
class GdbStubTest {
    private Machine m;
    private GdbStub stub;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final ExecutorService kernel = Executors.newSingleThreadExecutor();

    @BeforeEach
    void setUp() throws IOException {
        m = Programs.machine();
        stub = GdbStub.listen(0, new PrintStream(logBytes, true, StandardCharsets.UTF_8));
        stub.attach(m);
    }

    private final java.util.List<TestClient> clients = new java.util.ArrayList<>();

    private TestClient client() throws IOException {
        TestClient c = new TestClient(stub.port());
        clients.add(c);
        return c;
    }

    @AfterEach
    void tearDown() throws IOException {
        for (TestClient c : clients) {
            c.close();
        }
        stub.close();
        kernel.shutdownNow();
    }

    private Future<StopReason> run() {
        return kernel.submit(() -> m.run(Long.MAX_VALUE, 0));
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    private static StopReason done(Future<StopReason> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static String eip(int v) {
        return String.format("08:%s;", Rsp.hexLe32(v));
    }

    private TestClient stoppedAtEntry() throws IOException {
        stub.waitAtEntry(Programs.PROG);
        return client();
    }

    @Test
    void handshakeQueriesAndTheTargetDescription() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        String sup = c.request("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
        assertThat(sup).contains("PacketSize=4000", "qXfer:features:read+", "swbreak+", "hwbreak+", "QStartNoAckMode+");
        assertThat(c.request("?")).startsWith("T05").contains(eip(Programs.PROG), "thread:1;");
        assertThat(c.request("qAttached")).isEqualTo("1");
        assertThat(c.request("qAttached:1")).isEqualTo("1");
        assertThat(c.request("qC")).isEqualTo("QC1");
        assertThat(c.request("qfThreadInfo")).isEqualTo("m1");
        assertThat(c.request("qsThreadInfo")).isEqualTo("l");
        assertThat(c.request("Hg0")).isEqualTo("OK");
        assertThat(c.request("Hc-1")).isEqualTo("OK");
        assertThat(c.request("T1")).isEqualTo("OK");
        assertThat(c.request("qOffsets")).isEqualTo("Text=0;Data=0;Bss=0");
        assertThat(c.request("vCont?")).isEqualTo("vCont;c;C;s;S");
        assertThat(c.request("vMustReplyEmpty")).isEmpty();
        assertThat(c.request("qTStatus")).isEmpty();
        assertThat(c.request("xyzzy")).isEmpty();
        assertThat(c.request("Z3,3000,4")).isEmpty();
        assertThat(c.request("Z4,3000,4")).isEmpty();
        StringBuilder xml = new StringBuilder();
        while (true) {
            String r = c.request(String.format("qXfer:features:read:target.xml:%x,%x", xml.length(), 0x40));
            assertThat(r).matches("(?s)[ml].*");
            xml.append(r.substring(1));
            if (r.startsWith("l")) {
                break;
            }
        }
        assertThat(xml.toString()).isEqualTo(TargetDescription.xml());
        assertThat(c.request("qXfer:features:read:target.xml:ffff,10")).isEqualTo("l");
        assertThat(c.request("qXfer:features:read:other.xml:0,10")).isEqualTo("E00");
        assertThat(c.request("qXfer:features:read:target.xml:zz")).isEqualTo("E01");
        assertThat(f.isDone()).isFalse();
        // continue: the program jumps back; gdb hears of it, then the kernel gets the stop when gdb continues
        c.send("c");
        StringBuilder console = new StringBuilder();
        assertThat(c.receive(console)).startsWith("T05").contains(eip(Programs.BACK));
        assertThat(console.toString()).contains("jumped back to the kernel (entry 00002000)");
        assertThat(f.isDone()).isFalse();
        c.send("c");
        StopReason s = done(f);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        assertThat(m.cpu().reg(Cpu.EAX)).isEqualTo(3);
        Future<?> fin = kernel.submit(() -> stub.finish(0));
        assertThat(c.receive()).isEqualTo("W00");
        fin.get(20, TimeUnit.SECONDS);
        assertThat(c.closedByPeer()).isTrue();
        assertThat(log()).contains("listening on 127.0.0.1:" + stub.port(), "client connected",
                "the run is over (exit status 0)");
    }

    @Test
    void badChecksumsAreNakedAndNakedRepliesAreSentAgain() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        c.sendRaw("$?#00");
        assertThat(c.readByte()).isEqualTo('-');
        c.sendRaw("$?#zz");
        assertThat(c.readByte()).isEqualTo('-');
        // noise between packets is ignored
        c.sendRaw("garbage");
        c.sendRaw(Rsp.frame("?"));
        assertThat(c.readByte()).isEqualTo('+');
        c.noAck(); // read the reply without acknowledging it
        String first = c.receiveAny(true);
        c.sendRaw("-");
        String again = c.receiveAny(true);
        c.sendRaw("+");
        assertThat(again).isEqualTo(first).startsWith("T05");
        // an abandoned packet: a new '$' starts over
        c.sendRaw("$qC");
        c.sendRaw(Rsp.frame("qC"));
        assertThat(c.readByte()).isEqualTo('+');
        assertThat(c.receiveAny(true)).isEqualTo("QC1");
        c.sendRaw("+");
        c.sendRaw(Rsp.frame("QStartNoAckMode"));
        assertThat(c.readByte()).isEqualTo('+');
        assertThat(c.receiveAny(true)).isEqualTo("OK");
        c.sendRaw("+");
        // no acks from now on, either way
        c.sendRaw(Rsp.frame("qC"));
        assertThat(c.receiveAny(true)).isEqualTo("QC1");
        c.sendRaw("$qC#00");
        c.sendRaw(Rsp.frame("qfThreadInfo"));
        assertThat(c.receiveAny(true)).isEqualTo("m1");
        c.send("D");
        assertThat(c.receiveAny(true)).isEqualTo("OK");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void registersReadAndWrite() throws Exception {
        TestClient c = stoppedAtEntry();
        m.cpu().setReg(Cpu.EBX, 0x11223344);
        Future<StopReason> f = run();
        String g = c.request("g");
        assertThat(g).hasSize(2 * TargetDescription.totalSize());
        assertThat(g.substring(3 * 8, 4 * 8)).isEqualTo("44332211"); // ebx
        assertThat(g.substring(8 * 8, 9 * 8)).isEqualTo(Rsp.hexLe32(Programs.PROG)); // eip
        assertThat(g.substring(10 * 8, 11 * 8)).isEqualTo(Rsp.hexLe32(m.cpu().segment(Cpu.CS)));
        assertThat(c.request("p8")).isEqualTo(Rsp.hexLe32(Programs.PROG));
        assertThat(c.request("p4")).isEqualTo(Rsp.hexLe32(0x8000));
        assertThat(c.request("p18")).isEqualTo("7f030000"); // fctrl
        assertThat(c.request("p10")).isEqualTo("00000000000000000000"); // st0
        assertThat(c.request("p20")).isEqualTo("E01");
        assertThat(c.request("pzz")).isEqualTo("E01");
        assertThat(c.request("P0=78563412")).isEqualTo("OK");
        assertThat(c.request("p0")).isEqualTo("78563412");
        assertThat(c.request("P9=02020000")).isEqualTo("OK"); // eflags IF
        assertThat(m.cpu().eflags()).isEqualTo(0x202);
        assertThat(c.request("Pa=" + Rsp.hexLe32(0x99))).isEqualTo("E01"); // cs: no descriptor reload
        assertThat(c.request("Pa=" + Rsp.hexLe32(m.cpu().segment(Cpu.CS)))).isEqualTo("OK");
        assertThat(c.request("P10=01000000000000000000")).isEqualTo("E01"); // no FPU
        assertThat(c.request("P0=1234")).isEqualTo("E01");
        assertThat(c.request("P0")).isEqualTo("E01");
        g = c.request("g");
        String g2 = Rsp.hexLe32(0xCAFE) + g.substring(8);
        assertThat(c.request("G" + g2)).isEqualTo("OK");
        assertThat(m.cpu().reg(Cpu.EAX)).isEqualTo(0xCAFE);
        assertThat(c.request("G" + g2.substring(0, 40))).isEqualTo("E01");
        String badCs = g2.substring(0, 80) + Rsp.hexLe32(0x99) + g2.substring(88);
        assertThat(c.request("G" + badCs)).isEqualTo("E01");
        assertThat(c.request("P8=" + Rsp.hexLe32(Programs.ADD))).isEqualTo("OK"); // skip mov eax,1
        assertThat(c.request("P0=" + Rsp.hexLe32(10))).isEqualTo("OK");
        c.send("c");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.BACK));
        assertThat(m.cpu().reg(Cpu.EAX)).isEqualTo(12);
        c.send("D");
        assertThat(c.receive()).isEqualTo("OK");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void memoryReadWriteAndBinaryWrite() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        assertThat(c.request("m1000,5")).isEqualTo("b801000000");
        assertThat(c.request("M3000,4:deadbeef")).isEqualTo("OK");
        assertThat(c.request("m3000,4")).isEqualTo("deadbeef");
        assertThat(m.memory().read32(0x3000)).isEqualTo(0xefbeadde);
        c.send("X3004,4:" + Rsp.string(new byte[] {0x23, 0x24, 0x7d, 0x2a}, 0, 4)); // framing escapes them
        assertThat(c.receive()).isEqualTo("OK");
        assertThat(c.request("m3004,4")).isEqualTo("23247d2a");
        assertThat(c.request("X3000,0:")).isEqualTo("OK");
        assertThat(c.request("M3000,4:dead")).isEqualTo("E01");
        assertThat(c.request("mzz,4")).isEqualTo("E01");
        assertThat(c.request("m3000")).isEqualTo("E01");
        assertThat(c.request("M3000,4")).isEqualTo("E01");
        // patch the code: mov eax, 7 (the decode cache follows the write)
        assertThat(c.request("M1001,1:07")).isEqualTo("OK");
        c.send("vCont;c");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.BACK));
        assertThat(m.cpu().reg(Cpu.EAX)).isEqualTo(9);
        assertThat(c.request("m3000,4")).isEqualTo(Rsp.hexLe32(9));
        c.send("c");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void memoryBeyondRamIsAnErrorNotOkAndNotOnes() throws Exception {
        long ram = m.memory().size();
        String end = Long.toHexString(ram);
        String last = Long.toHexString(ram - 2);
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        // writes that would be lost answer E14 and change nothing, also in part; gdb shows "Cannot access memory"
        assertThat(c.request("M" + end + ",4:deadbeef")).isEqualTo("E14");
        assertThat(c.request("Mfffffffc,4:deadbeef")).isEqualTo("E14");
        assertThat(c.request("M" + last + ",4:01020304")).as("a write across the end of RAM").isEqualTo("E14");
        assertThat(m.memory().read16((int) (ram - 2))).as("nothing of it was written").isZero();
        c.send("X" + end + ",2:" + Rsp.string(new byte[] {1, 2}, 0, 2));
        assertThat(c.receive()).isEqualTo("E14");
        // reads: beyond RAM is an error, not ffffffff; across the end, the bytes before it (as gdbserver)
        assertThat(c.request("m" + end + ",4")).isEqualTo("E14");
        assertThat(c.request("mfffffffc,4")).isEqualTo("E14");
        assertThat(c.request("m" + last + ",4")).isEqualTo("0000");
        assertThat(c.request("m" + Long.toHexString(ram - 4) + ",4")).isEqualTo("00000000");
        assertThat(c.request("M" + Long.toHexString(ram - 4) + ",4:0a0b0c0d")).isEqualTo("OK");
        assertThat(c.request("m" + Long.toHexString(ram - 4) + ",4")).isEqualTo("0a0b0c0d");
        c.send("vCont;c");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.BACK));
        c.send("c");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void memoryIsReadThroughTheMmuAndUnmappedAddressesFail() throws Exception {
        Cpu cpu = m.cpu();
        CpuState st = cpu.saveState();
        // paging on with an empty page directory: nothing is mapped, the first fetch triple-faults
        cpu.restoreState(new CpuState(st.regs(), Programs.PROG, st.eflags(), st.segSelectors(), st.segBases(),
                st.cr0() | Cpu.CR0_PG, 0, 0x5000, 0, 0, 0, 0, 0));
        TestClient c = client();
        while (!stub.connected()) {
            Thread.sleep(5);
        }
        Future<StopReason> f = run();
        c.request("qSupported");
        assertThat(c.request("?")).startsWith("T05").contains(eip(Programs.PROG)); // stopped for the new client
        assertThat(c.request("m1000,4")).isEqualTo("E14");
        c.send("c");
        StringBuilder console = new StringBuilder();
        assertThat(c.receive(console)).startsWith("T0b"); // SIGSEGV: the triple fault
        assertThat(console).contains("triple fault");
        assertThat(c.request("?")).startsWith("T0b");
        assertThat(c.request("M1000,1:00")).isEqualTo("E14");
        c.send("c");
        StopReason s = done(f);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.TRIPLE_FAULT);
    }

    @Test
    void aWriteWatchpointStopsAfterTheStoreThatChangesTheBytes() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        assertThat(c.request("?")).startsWith("T05");
        assertThat(c.request("Z2,3000,4")).isEqualTo("OK");
        assertThat(c.request("Z2,5000,4")).isEqualTo("OK"); // never written: never reported
        String stop = c.request("c");
        assertThat(stop).startsWith("T05").contains("watch:3000;", eip(Programs.JMP));
        assertThat(c.request("m3000,4")).isEqualTo("03000000");
        assertThat(c.request("z2,3000,4")).isEqualTo("OK");
        assertThat(c.request("z2,5000,4")).isEqualTo("OK");
        assertThat(c.request("Z2,3000,40")).isEqualTo("E01");
        String end = c.request("c");
        assertThat(end).startsWith("T05"); // the jump back
        c.send("c");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void steppingAndBreakpoints() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        c.send("s");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.ADD));
        c.send("vCont;s:1");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.INC));
        assertThat(m.cpu().reg(Cpu.EAX)).isEqualTo(3);
        assertThat(c.request("Z0,1009,1")).isEqualTo("OK");
        assertThat(c.request("Z1,100e,1")).isEqualTo("OK");
        assertThat(m.memory().read8(0x1009)).isEqualTo(0xa3); // memory untouched
        assertThat(c.request("m1009,1")).isEqualTo("a3");
        c.send("c");
        assertThat(c.receive()).startsWith("T05swbreak:;").contains(eip(Programs.STORE));
        assertThat(m.cpu().reg(Cpu.EBX)).isEqualTo(1);
        c.send("vCont;c:1");
        assertThat(c.receive()).startsWith("T05hwbreak:;").contains(eip(Programs.JMP));
        assertThat(m.memory().read32(0x3000)).isEqualTo(3);
        // stepping from a breakpoint executes it
        c.send("s");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.BACK));
        assertThat(c.request("z1,100e,1")).isEqualTo("OK");
        assertThat(c.request("z0,1009,1")).isEqualTo("OK");
        assertThat(c.request("Z0,zz,1")).isEqualTo("E01");
        assertThat(c.request("Z0,1009")).isEqualTo("E01");
        // at the host entry: the callee's stop is reported, then handed to the kernel
        c.send("c");
        StringBuilder console = new StringBuilder();
        assertThat(c.receive(console)).startsWith("T05").contains(eip(Programs.BACK));
        assertThat(console).contains("jumped back");
        c.send("s");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        // the next run (the next jump) goes on while gdb waits for its stop
        m.cpu().setEip(Programs.PROG);
        f = run();
        // the pending step completes after the first instruction; a breakpoint then stops the run
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.ADD));
        assertThat(c.request("Z0,1008,1")).isEqualTo("OK");
        c.send("c");
        assertThat(c.receive()).startsWith("T05swbreak:;").contains(eip(Programs.INC));
        c.send("D");
        assertThat(c.receive()).isEqualTo("OK");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void aClientConnectingWhileRunningStopsTheMachineAndCtrlCInterrupts() throws Exception {
        m.cpu().setEip(Programs.LOOP);
        Future<StopReason> f = run();
        Thread.sleep(50);
        assertThat(f.isDone()).isFalse();
        TestClient c = client();
        c.request("qSupported");
        assertThat(c.request("?")).startsWith("T05").contains(eip(Programs.LOOP));
        c.send("c");
        Thread.sleep(50);
        c.sendRaw(new byte[] {0x03});
        assertThat(c.receive()).startsWith("T02").contains(eip(Programs.LOOP));
        c.send("C02");
        Thread.sleep(20);
        c.sendRaw(new byte[] {0x03});
        assertThat(c.receive()).startsWith("T02");
        c.send("k");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.INTERRUPTED);
    }

    @Test
    void killStopsTheCalleeForTheKernel() throws Exception {
        m.cpu().setEip(Programs.LOOP);
        Future<StopReason> f = run();
        TestClient c = client();
        assertThat(c.request("?")).startsWith("T05");
        c.send("k");
        StopReason s = done(f);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.INTERRUPTED);
        assertThat(s.message()).isEqualTo("killed by gdb");
        assertThat(c.closedByPeer()).isTrue();
        assertThat(log()).contains("gdb killed the callee");
    }

    @Test
    void detachRemovesBreakpointsAndTheRunGoesOn() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        assertThat(c.request("Z0,1009,1")).isEqualTo("OK");
        assertThat(c.request("D")).isEqualTo("OK");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        assertThat(m.cpu().breakpoints()).isEmpty();
        assertThat(log()).contains("gdb detached; the run goes on without the debugger");
    }

    @Test
    void aClientThatGoesAwayMidRunLeavesTheRunToFinish() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        assertThat(c.request("Z0,1009,1")).isEqualTo("OK");
        c.send("c");
        assertThat(c.receive()).startsWith("T05swbreak");
        c.close();
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        assertThat(m.cpu().reg(Cpu.EBX)).isEqualTo(1);
        assertThat(log()).contains("gdb disconnected; the run goes on without the debugger");
        // the port still serves a new client on the next run
        m.cpu().setEip(Programs.LOOP);
        f = run();
        TestClient c2 = client();
        assertThat(c2.request("?")).startsWith("T05").contains(eip(Programs.LOOP));
        c2.send("k");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.INTERRUPTED);
    }

    @Test
    void aSecondClientIsRefusedWithAMessage() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        assertThat(c.request("?")).startsWith("T05");
        try (Socket second = new Socket(InetAddress.getLoopbackAddress(), stub.port())) {
            second.setSoTimeout(10_000);
            InputStream in = second.getInputStream();
            String msg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(msg).contains("busy", "already connected");
        }
        assertThat(log()).contains("refused a client", "already connected");
        assertThat(c.request("qC")).isEqualTo("QC1");
        c.send("c");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.BACK));
        c.send("c");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void finishSendsTheExitStatusAndReleasesThePort() throws Exception {
        TestClient c = stoppedAtEntry();
        Future<StopReason> f = run();
        c.request("?");
        c.send("c");
        c.receive();
        c.send("c");
        done(f);
        Future<?> fin = kernel.submit(() -> stub.finish(2));
        assertThat(c.receive()).isEqualTo("W02");
        fin.get(20, TimeUnit.SECONDS);
        assertThat(c.closedByPeer()).isTrue();
        assertThat(m.debugger()).isNull();
        int port = stub.port();
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(IOException.class);
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }

    @Test
    void aClientThatConnectsAfterTheLastRunLearnsTheRunIsOver() throws Exception {
        assertThat(done(run()).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
        TestClient c = client();
        c.send("qSupported");
        Future<?> fin = kernel.submit(() -> stub.finish(0));
        assertThat(c.receive()).contains("PacketSize");
        assertThat(c.request("?")).isEqualTo("W00");
        c.send("c");
        assertThat(c.receive()).isEqualTo("W00");
        fin.get(20, TimeUnit.SECONDS);
    }

    @Test
    void timeStoppedInTheDebuggerDoesNotCountAgainstTheTimeout() throws Exception {
        stub.waitAtEntry(Programs.PROG);
        TestClient c = client();
        Future<StopReason> f = kernel.submit(() -> m.run(Long.MAX_VALUE, 200_000_000L));
        c.request("?");
        Thread.sleep(400);
        c.send("c");
        assertThat(c.receive()).startsWith("T05").contains(eip(Programs.BACK));
        c.send("c");
        assertThat(done(f).kind()).isEqualTo(StopReason.Kind.HOST_ENTRY);
    }

    @Test
    void theInstructionBudgetStillApplies() throws Exception {
        m.cpu().setEip(Programs.LOOP);
        StopReason s = m.run(1000, 0);
        assertThat(s.kind()).isEqualTo(StopReason.Kind.BUDGET);
        assertThat(s.message()).contains("1000");
    }
}
