package dev.kjump.machine.cpu;

import static dev.kjump.machine.cpu.CpuHarness.cat;
import static dev.kjump.machine.cpu.CpuHarness.le32;

import dev.kjump.cli.DirectRun;
import dev.kjump.image.Image;
import dev.kjump.machine.Machine;
import dev.kjump.machine.StopReason;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the translator against the interpreter on the same guest code (run it with
 * {@code scripts/jmh.sh}): {@link #hotLoop} is a checksum loop (loads, a table lookup, rotate, add, store,
 * compare and branch) run a million instructions per operation on one machine; {@link #benchImage} is the whole
 * {@code images/elf/bench-O2.elf} (52.9 M instructions of sieve, shell sort, crc and hashing) on a fresh machine
 * each time, translated block classes reused from earlier runs as in a long-lived kjump. Scores are guest
 * instructions per second; {@code translate=off} is the interpreter, the reference measured in the same run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:PerMethodTrapLimit=0", "-XX:-ProfileInterpreter"}) // as the kjump launcher runs the JVM
public class TranslatorBenchmark {
    static final int STEP = 1_000_000;
    static final long BENCH_O2_INSTRUCTIONS = 52_858_215L;

    /** {@code off}: the interpreter; a number: the translation threshold. */
    @Param({"off", "64"})
    public String translate;

    private Machine loop;
    private Image bench;

    private int threshold() {
        return translate.equals("off") ? -1 : Integer.parseInt(translate);
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = new Machine(16L << 20, new ByteArrayOutputStream());
        loop.cpu().setTranslation(threshold());
        int table = CpuHarness.DATA;
        int buf = CpuHarness.DATA + 0x1000;
        for (int i = 0; i < 256; i++) {
            loop.memory().write32(table + 4 * i, i * 0x9E3779B1);
        }
        int[] code = cat(
                0x8B, 0x04, 0x35, le32(buf), // mov eax, [esi + buf]
                0x31, 0xC2, // xor edx, eax
                0xC1, 0xC2, 0x05, // rol edx, 5
                0x89, 0xD3, // mov ebx, edx
                0x81, 0xE3, le32(0xFF), // and ebx, 0xff
                0x03, 0x3C, 0x9D, le32(table), // add edi, [ebx*4 + table]
                0x89, 0x3C, 0x35, le32(buf), // mov [esi + buf], edi
                0x83, 0xC6, 0x04, // add esi, 4
                0x81, 0xE6, le32(0xFFC), // and esi, 0xffc
                0x39, 0xFA, // cmp edx, edi
                0x72, 0x01, // jb +1
                0x40, // inc eax
                0xEB); // jmp start
        code = cat(code, -(code.length + 1) & 0xFF);
        for (int i = 0; i < code.length; i++) {
            loop.memory().write8(CpuHarness.CODE + i, code[i]);
        }
        loop.cpu().setReg(Cpu.ESP, CpuHarness.STACK_TOP);
        loop.cpu().setEip(CpuHarness.CODE);
        bench = Image.load(Path.of("images/elf/bench-O2.elf"));
    }

    @Benchmark
    @OperationsPerInvocation(STEP)
    public long hotLoop() {
        StopReason r = loop.run(STEP, 0);
        if (r.kind() != StopReason.Kind.BUDGET) {
            throw new IllegalStateException(r.message());
        }
        return loop.cpu().instructions();
    }

    @Benchmark
    @OperationsPerInvocation((int) BENCH_O2_INSTRUCTIONS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public long benchImage() throws Exception {
        Machine m = new Machine(128L << 20, new ByteArrayOutputStream());
        m.cpu().setTranslation(threshold());
        DirectRun.Result r = DirectRun.run(m, bench, Long.MAX_VALUE, 0);
        if (!r.cameBack() || r.instructions() != BENCH_O2_INSTRUCTIONS) {
            throw new IllegalStateException("bench-O2 did not come back after " + BENCH_O2_INSTRUCTIONS
                    + " instructions: " + r.instructions());
        }
        return r.instructions();
    }
}
