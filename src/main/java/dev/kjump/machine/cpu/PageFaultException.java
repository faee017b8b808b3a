package dev.kjump.machine.cpu;

/**
 * A page fault taken by host code (the Java kernel) while it accessed guest memory through the MMU: in a real
 * kernel, an oops. Carries the linear address (CR2) and the error code the hardware would push.
 */
public final class PageFaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int address;
    private final int errorCode;

    /** @param address the faulting linear address; @param errorCode the #PF error code */
    public PageFaultException(int address, int errorCode) {
        super(String.format("page fault at %08x (error code %x: %s %s)", address, errorCode,
                (errorCode & 1) != 0 ? "protection violation" : "page not present",
                (errorCode & 2) != 0 ? "on write" : "on read"));
        this.address = address;
        this.errorCode = errorCode;
    }

    /** The faulting linear address. */
    public int address() {
        return address;
    }

    /** The error code. */
    public int errorCode() {
        return errorCode;
    }
}
