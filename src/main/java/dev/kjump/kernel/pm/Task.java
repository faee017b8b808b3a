package dev.kjump.kernel.pm;

import dev.kjump.kernel.mm.KernelMemory;
import java.nio.charset.StandardCharsets;

/**
 * A kernel task: cooperative, with its state block in guest RAM ({@code struct task_struct}, reduced) and a
 * step function. The block's layout: pid at 0, state at 4 (0 running, 1 frozen), steps at 8, a task-defined
 * value at 12 (a counter, bytes written, ...), the name at 16 (16 bytes, NUL-padded).
 */
public final class Task {
    /** Size of a task's state block. */
    public static final int BLOCK_SIZE = 64;
    private static final int PID = 0, STATE = 4, STEPS = 8, VALUE = 12, NAME = 16;

    /** What a task does each time it runs. */
    @FunctionalInterface
    public interface Body {
        /** One step of the task. */
        void step(Task task);
    }

    private final KernelMemory km;
    private final int block;
    private final Body body;
    private volatile boolean refuseFreeze;

    /** Creates the task and initialises its state block at kernel virtual address {@code blockVa}. */
    public Task(KernelMemory km, int blockVa, int pid, String name, Body body) {
        this.km = km;
        this.block = blockVa;
        this.body = body;
        km.fill(blockVa, BLOCK_SIZE, 0);
        km.write32(blockVa + PID, pid);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        km.write(blockVa + NAME, n, 0, Math.min(n.length, 15));
    }

    /** The kernel virtual address of the state block. */
    public int blockVa() {
        return block;
    }

    public int pid() {
        return km.read32(block + PID);
    }

    /** The name, as stored in the state block. */
    public String name() {
        byte[] b = new byte[16];
        km.read(block + NAME, b, 0, 16);
        int n = 0;
        while (n < 16 && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    /** True when frozen by the freezer. */
    public boolean frozen() {
        return km.read32(block + STATE) == 1;
    }

    void setFrozen(boolean f) {
        km.write32(block + STATE, f ? 1 : 0);
    }

    /** Steps run so far. */
    public int steps() {
        return km.read32(block + STEPS);
    }

    /** The task-defined value (a counter, bytes written). */
    public int value() {
        return km.read32(block + VALUE);
    }

    /** Sets the task-defined value. */
    public void setValue(int v) {
        km.write32(block + VALUE, v);
    }

    /** For tests: the task refuses to freeze (freeze_processes then fails with EBUSY). */
    public void setRefuseFreeze(boolean refuse) {
        this.refuseFreeze = refuse;
    }

    boolean refusesFreeze() {
        return refuseFreeze;
    }

    /** Runs one step; a frozen task does not run. */
    public void step() {
        if (frozen()) {
            throw new IllegalStateException("task " + name() + " stepped while frozen");
        }
        km.write32(block + STEPS, steps() + 1);
        body.step(this);
    }

    @Override
    public String toString() {
        return String.format("%d %s %s steps=%d value=%d", pid(), name(), frozen() ? "frozen" : "running", steps(),
                value());
    }
}
