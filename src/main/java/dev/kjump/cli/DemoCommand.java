package dev.kjump.cli;

import dev.kjump.image.DirectRun;
import dev.kjump.image.Image;
import dev.kjump.machine.Cpu;
import dev.kjump.machine.Machine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kjump demo}: runs built-in example images (embedded in the jar, no files needed) through the
 * jump-back entry and shows what they printed and how they came back.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the built-in example images through the jump-back entry and show the result.")
public final class DemoCommand implements Callable<Integer> {
    /** The images the demo runs, embedded in the jar. */
    static final List<String> IMAGES = List.of("hello-O2.elf", "paging-O2.elf", "faults-O2.elf");

    @Mixin
    MachineOptions machine;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        out.println("kjump demo: an emulated i386 PC runs gcc-built jump-back images and gets control back.");
        int status = Main.EXIT_OK;
        for (String name : IMAGES) {
            Image image = Image.parse(embedded(name), name);
            ByteArrayOutputStream com1 = new ByteArrayOutputStream();
            Machine m = new Machine(machine.memory, com1);
            DirectRun.Result r = DirectRun.run(m, image, Long.MAX_VALUE, machine.timeoutNanos());
            out.println();
            out.printf("== %s: entry %08x, %%esp %08x (top of swap page %08x), (%%esp) = helper entry %08x, %%edi = %08x%n",
                    name, image.entry(), r.entryState().reg(Cpu.ESP), r.swapPage(), r.controlPage() + DirectRun.HELPER_OFFSET,
                    r.controlPage());
            String text = com1.toString(StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\n", -1);
            int shown = Math.min(lines.length, 8);
            for (int i = 0; i < shown; i++) {
                if (!lines[i].isEmpty() || i < shown - 1) {
                    out.println("   | " + lines[i]);
                }
            }
            if (lines.length > shown) {
                out.printf("   | ... (%d more lines)%n", lines.length - shown);
            }
            if (r.outcome() == DirectRun.Outcome.RETURNED) {
                List<String> bad = r.protocolViolations();
                out.printf("   came back: returned %d after %,d instructions; callee-saved registers %s%n", r.returnValue(),
                        r.instructions(), bad.isEmpty() ? "intact" : "DAMAGED " + bad);
                if (!bad.isEmpty() || r.returnValue() != 0) {
                    status = Main.EXIT_FAULT;
                }
            } else {
                out.printf("   did not come back: %s%n", r.stop().message());
                status = Main.EXIT_FAULT;
            }
        }
        out.println();
        out.println("Next: ./kjump run images/elf/NAME-O2.elf (see README.md), ./kjump bench images/elf/bench-O2.elf");
        return status;
    }

    static byte[] embedded(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/dev/kjump/images/" + name)) {
            if (in == null) {
                throw new IOException("built-in image " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }
}
