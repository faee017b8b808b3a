package dev.kjump.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * kexec-tools' options, with their names and meanings where they apply to kjump. Shared by the shell's
 * {@code kexec} and the one-shot {@code kjump kexec}. As in kexec-tools, {@code -l} and
 * {@code --load-preserve-context} are flags and the image is the (one) positional argument; an image with no
 * load flag means "load it and execute it now".
 */
public final class KexecArgs {
    boolean load;
    boolean loadPreserveContext;
    boolean loadJumpBackHelper;
    String entry;
    String append;
    String initrd;
    String memMin;
    String memMax;
    boolean exec;
    boolean unload;
    String image;

    /** These options' model ({@link CliModel}), to mix into a command's: bound to the fields above. */
    static CommandSpec spec(KexecArgs a) {
        CliModel m = CliModel.mixin(a);
        m.add(m.option("load", "-l", "--load").order(1)
                .description("load IMAGE (kexec_load without flags): kexec -e then hands the machine over for good"));
        m.add(m.option("loadPreserveContext", "--load-preserve-context").order(2)
                .description("load IMAGE with KEXEC_PRESERVE_CONTEXT: kexec -e jumps into it and comes back when it "
                        + "jumps back (or returns)"));
        m.add(m.option("loadJumpBackHelper", "--load-jump-back-helper").order(3)
                .description("load a jump-back helper: no data (one empty segment), entry --entry=ADDR, "
                        + "KEXEC_PRESERVE_CONTEXT; kexec -e jumps to ADDR and comes back when the code there jumps "
                        + "back"));
        m.add(m.option("entry", "--entry").paramLabel("ADDR").order(4)
                .description("entry point (physical address) instead of the image's ELF entry; required with "
                        + "--load-jump-back-helper"));
        m.add(m.option("append", "--append", "--command-line").paramLabel("TEXT").order(5)
                .description("command line for the image, written into its kjump_cmdline[] symbol"));
        m.add(m.option("initrd", "--initrd", "--ramdisk").paramLabel("FILE").order(6)
                .description("for a bzImage: the initrd (initramfs) to load with it"));
        m.add(m.option("memMin", "--mem-min").paramLabel("ADDR").order(6)
                .description("lowest physical address a segment may occupy: an image below it is refused"));
        m.add(m.option("memMax", "--mem-max").paramLabel("ADDR").order(7)
                .description("highest physical address a segment may occupy (inclusive): an image above it is "
                        + "refused"));
        m.add(m.option("exec", "-e", "--exec").order(8)
                .description("execute the loaded image: reboot(LINUX_REBOOT_CMD_KEXEC)"));
        m.add(m.option("unload", "-u", "--unload").order(9)
                .description("unload the image (kexec_load with no segments)"));
        m.add(m.positional("image").index("0").arity("0..1").paramLabel("IMAGE")
                .description("an ELF32 or ELF64 jump-back image, or a Linux bzImage (loaded into the kernel's peer "
                        + "region with --initrd and --append as its command line)"));
        return m.spec();
    }

    /** Parses an address as kexec-tools does (strtoul base 0: {@code 0x} hex, leading {@code 0} octal, else decimal). */
    static long address(String option, String text) {
        String t = text.trim();
        int radix = 10;
        String digits = t;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            radix = 16;
            digits = t.substring(2);
        } else if (t.length() > 1 && t.startsWith("0")) {
            radix = 8;
            digits = t.substring(1);
        }
        long v;
        try {
            if (digits.isEmpty() || digits.startsWith("+") || digits.startsWith("-")) {
                throw new NumberFormatException();
            }
            v = Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not an address: '" + text + "' (e.g. 0x400000)");
        }
        if (v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(option + ": " + text + " is beyond 4 GiB");
        }
        return v;
    }
}
