package dev.kjump.gdb;

/**
 * The i386 target description kjump's stub serves as {@code target.xml}, and the register numbering it implies.
 *
 * <p>One feature, {@code org.gnu.gdb.i386.core}: the eight general registers, EIP, EFLAGS, the six segment
 * selectors, then the x87 registers (ST0-ST7 and the eight control registers), which gdb's i386 architecture
 * requires in that feature. kjump's CPU has no FPU: the x87 registers read as an FPU after FNINIT (FCTRL 0x037f,
 * the rest zero) and cannot be changed. No SSE feature is described.
 */
public final class TargetDescription {
    private TargetDescription() {
    }

    /** Register numbers (gdb's regnums, in 'g' packet order). */
    public static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7, EIP = 8,
            EFLAGS = 9, CS = 10, SS = 11, DS = 12, ES = 13, FS = 14, GS = 15, ST0 = 16, FCTRL = 24, FOP = 31;

    /** Number of registers described. */
    public static final int REGISTERS = 32;

    /** Names, by register number. */
    public static final String[] NAMES = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
        "cs", "ss", "ds", "es", "fs", "gs", "st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7",
        "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"};

    /** Size in bytes of register {@code n}. */
    public static int size(int n) {
        return n >= ST0 && n < FCTRL ? 10 : 4;
    }

    /** Size in bytes of a 'g' packet's registers. */
    public static int totalSize() {
        int t = 0;
        for (int i = 0; i < REGISTERS; i++) {
            t += size(i);
        }
        return t;
    }

    /** The XML document. */
    public static String xml() {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\"?>\n");
        sb.append("<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n");
        sb.append("<!-- kjump: i386, 32-bit protected mode; no FPU (x87 registers read as after FNINIT) -->\n");
        sb.append("<target version=\"1.0\">\n");
        sb.append("  <architecture>i386</architecture>\n");
        sb.append("  <feature name=\"org.gnu.gdb.i386.core\">\n");
        sb.append("    <flags id=\"kjump_eflags\" size=\"4\">\n");
        String[][] flags = {{"CF", "0"}, {"", "1"}, {"PF", "2"}, {"AF", "4"}, {"ZF", "6"}, {"SF", "7"}, {"TF", "8"},
            {"IF", "9"}, {"DF", "10"}, {"OF", "11"}, {"NT", "14"}, {"RF", "16"}, {"VM", "17"}, {"AC", "18"},
            {"VIF", "19"}, {"VIP", "20"}, {"ID", "21"}};
        for (String[] f : flags) {
            sb.append("      <field name=\"").append(f[0]).append("\" start=\"").append(f[1]).append("\" end=\"")
                    .append(f[1]).append("\"/>\n");
        }
        sb.append("    </flags>\n");
        for (int i = 0; i < REGISTERS; i++) {
            String type;
            String group = "";
            if (i == ESP || i == EBP) {
                type = "data_ptr";
            } else if (i == EIP) {
                type = "code_ptr";
            } else if (i == EFLAGS) {
                type = "kjump_eflags";
            } else if (i >= ST0 && i < FCTRL) {
                type = "i387_ext";
            } else {
                type = "int32";
                if (i >= FCTRL) {
                    group = " group=\"float\"";
                }
            }
            sb.append("    <reg name=\"").append(NAMES[i]).append("\" bitsize=\"").append(size(i) * 8)
                    .append("\" type=\"").append(type).append('"').append(group);
            if (i == 0) {
                sb.append(" regnum=\"0\"");
            }
            sb.append("/>\n");
        }
        sb.append("  </feature>\n");
        sb.append("</target>\n");
        return sb.toString();
    }
}
