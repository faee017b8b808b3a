package dev.kjump.kernel.kexec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The layout of a kimage's control page (include/asm-x86/kexec_32.h and relocate_kernel_32.S of the seed):
 * code in the first 2 KiB ({@code relocate_page}, assembled from {@code src/main/asm/relocate_page.S}), data
 * from {@link #KJUMP_DATA_BASE}.
 */
public final class ControlPage {
    /** {@code KJUMP_DATA_BASE}. */
    public static final int KJUMP_DATA_BASE = 0x800;
    /** {@code KJUMP_MAGIC_NUMBER}. */
    public static final int KJUMP_MAGIC_NUMBER = 0xe1b6a57d;
    /** {@code KJUMP_MAGIC_OFF}, {@code KJUMP_ENTRY_OFF}, {@code KJUMP_OTHER_OFF}. */
    public static final int KJUMP_MAGIC_OFF = KJUMP_DATA_BASE, KJUMP_ENTRY_OFF = KJUMP_DATA_BASE + 4,
            KJUMP_OTHER_OFF = KJUMP_DATA_BASE + 8;
    /** {@code kexec_jump_save_cpu}'s fields: EBX ESI EDI EBP ESP CR0 CR3 CR4 FLAG RET. */
    public static final int EBX = KJUMP_OTHER_OFF, ESI = KJUMP_OTHER_OFF + 0x4, EDI = KJUMP_OTHER_OFF + 0x8,
            EBP = KJUMP_OTHER_OFF + 0xc, ESP = KJUMP_OTHER_OFF + 0x10, CR0 = KJUMP_OTHER_OFF + 0x14,
            CR3 = KJUMP_OTHER_OFF + 0x18, CR4 = KJUMP_OTHER_OFF + 0x1c, FLAG = KJUMP_OTHER_OFF + 0x20,
            RET = KJUMP_OTHER_OFF + 0x24;
    /** What relocate_kernel saves for the way back. */
    public static final int CP_VA_CONTROL_PAGE = KJUMP_OTHER_OFF + 0x30, CP_PA_PGD = KJUMP_OTHER_OFF + 0x34,
            CP_PA_SWAP_PAGE = KJUMP_OTHER_OFF + 0x38, CP_PA_BACKUP_PAGES_MAP = KJUMP_OTHER_OFF + 0x3c;

    /** Offset of {@code kexec_jump_back_entry}, the real jump-back entry. */
    public static final int JUMP_BACK_ENTRY = 0x000;
    /** Offset of the {@code call *%edx} that enters the callee. */
    public static final int CALL_CALLEE = 0x020;
    /**
     * Offset of the helper jump-back entry (the callee's return address), which is also the door of the merged
     * protocol (2.6.27+): a merged peer calls it with its re-entry point at 0(%esp); its address is the
     * {@code kexec_jump_back_entry=} a peer is given.
     */
    public static final int HELPER_ENTRY = 0x022;
    /** Offset after the helper's {@code call kexec_jump_back_entry}: what that call leaves at 0(%esp). */
    public static final int HELPER_RETURN = 0x02a;

    /** {@code page_list} indexes (include/asm-x86/kexec_32.h). */
    public static final int PA_CONTROL_PAGE = 0, VA_CONTROL_PAGE = 1, PA_PGD = 2, VA_PGD = 3, PA_PTE_0 = 4,
            VA_PTE_0 = 5, PA_PTE_1 = 6, VA_PTE_1 = 7, PA_SWAP_PAGE = 8, PAGES_NR = 9;

    private static final byte[] CODE = load();

    private ControlPage() {
    }

    private static byte[] load() {
        try (InputStream in = ControlPage.class.getResourceAsStream("/dev/kjump/kernel/relocate_page.bin")) {
            if (in == null) {
                throw new IllegalStateException("relocate_page.bin is missing from the classpath");
            }
            byte[] b = in.readAllBytes();
            if (b.length != KJUMP_DATA_BASE) {
                throw new IllegalStateException("relocate_page.bin must be 2 KiB, is " + b.length);
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code relocate_page}: the 2 KiB of code machine_kexec copies into the control page. */
    public static byte[] code() {
        return CODE.clone();
    }
}
