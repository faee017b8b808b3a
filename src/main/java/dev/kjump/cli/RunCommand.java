package dev.kjump.cli;

import dev.kjump.image.DirectRun;
import dev.kjump.image.Image;
import dev.kjump.image.ImageException;
import dev.kjump.machine.Machine;
import dev.kjump.machine.StopReason;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code kjump run IMAGE}: enter a jump-back image and run it until it comes back. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Load a jump-back image (ELF32 or ELF64) and enter it as the jump-back protocol says;",
            "stdout carries exactly the image's COM1 bytes, diagnostics go to stderr."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the image came back (returned 0, or jumped back)", "1:bad usage or bad image file",
            "2:the image faulted, halted or wrote the debug-exit port", "3:the image returned a non-zero value",
            "4:timeout or instruction budget used up"})
public final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "the image: an ELF32 or ELF64 executable")
    Path imagePath;

    @Mixin
    MachineOptions machine;

    @picocli.CommandLine.Option(names = "--max-instructions", paramLabel = "N", defaultValue = "" + Long.MAX_VALUE,
            description = "stop after N instructions", hidden = false)
    long maxInstructions;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        Image image;
        try {
            image = Image.load(imagePath);
        } catch (ImageException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        Machine m = new Machine(machine.memory, System.out);
        DirectRun.Result r;
        try {
            r = DirectRun.run(m, image, maxInstructions, machine.timeoutNanos());
        } catch (ImageException e) {
            err.println("kjump run: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        System.out.flush();
        return report(err, image, r);
    }

    static int report(PrintStream err, Image image, DirectRun.Result r) {
        StopReason s = r.stop();
        switch (r.outcome()) {
            case RETURNED -> {
                for (String v : r.protocolViolations()) {
                    err.println("kjump: warning: jump-back protocol: " + v);
                }
                err.printf("kjump: %s returned %d (0x%x) after %d instructions%n", image.name(), r.returnValue(),
                        r.returnValue(), r.instructions());
                return r.returnValue() == 0 ? Main.EXIT_OK : Main.EXIT_NONZERO;
            }
            case JUMPED_BACK -> {
                err.printf("kjump: %s jumped back with re-entry point %08x after %d instructions%n", image.name(),
                        r.reentry(), r.instructions());
                return Main.EXIT_OK;
            }
            default -> {
                String where = image.symbolAt(s.eip() & 0xFFFFFFFFL).map(x -> " (" + x + ")").orElse("");
                err.printf("kjump: %s did not come back: %s%n", image.name(), s.message());
                err.printf("kjump:   eip %08x%s, instruction bytes: %s%n", s.eip(), where,
                        s.bytesHex().isEmpty() ? "(unreadable)" : s.bytesHex());
                err.printf("kjump:   %s%n", r.exitState());
                return switch (s.kind()) {
                    case TIMEOUT, BUDGET -> Main.EXIT_TIMEOUT;
                    default -> Main.EXIT_FAULT;
                };
            }
        }
    }
}
