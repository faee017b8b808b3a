package dev.kjump.machine.cpu;

/**
 * A processor exception raised while executing an instruction (#DE, #UD, #GP, #PF, ...). Thrown inside the
 * interpreter and delivered through the IDT by {@link Cpu}; it never leaves the machine package. Instances
 * are reused per vector, so raising one allocates nothing.
 */
final class CpuFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    int vector;
    boolean hasErrorCode;
    int errorCode;

    CpuFault() {
        super(null, null, false, false);
    }

    CpuFault set(int vector, boolean hasErrorCode, int errorCode) {
        this.vector = vector;
        this.hasErrorCode = hasErrorCode;
        this.errorCode = errorCode;
        return this;
    }
}
