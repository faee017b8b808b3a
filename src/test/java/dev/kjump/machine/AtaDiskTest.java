package dev.kjump.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtaDiskTest {
    private static final int DATA = 0x1F0;
    private static final int ERROR = 0x1F1;
    private static final int COUNT = 0x1F2;
    private static final int LBA_LOW = 0x1F3;
    private static final int LBA_MID = 0x1F4;
    private static final int LBA_HIGH = 0x1F5;
    private static final int DRIVE_HEAD = 0x1F6;
    private static final int STATUS = 0x1F7;
    private static final int CONTROL = 0x3F6;

    @TempDir
    Path tmp;

    /** A disk image whose every byte tells its sector and offset. */
    private static byte[] patternImage(int sectors) {
        byte[] image = new byte[sectors * 512];
        for (int i = 0; i < image.length; i++) {
            image[i] = (byte) ((i / 512) * 7 + i);
        }
        return image;
    }

    private static void selectLba(IoBus bus, long lba, int count) {
        bus.out(DRIVE_HEAD, 1, 0xE0 | (int) (lba >>> 24 & 0x0F));
        bus.out(COUNT, 1, count);
        bus.out(LBA_LOW, 1, (int) (lba & 0xFF));
        bus.out(LBA_MID, 1, (int) (lba >>> 8 & 0xFF));
        bus.out(LBA_HIGH, 1, (int) (lba >>> 16 & 0xFF));
    }

    private static IoBus busWith(AtaDisk disk) {
        IoBus bus = new IoBus();
        disk.attachTo(bus);
        return bus;
    }

    private static byte[] readWords(IoBus bus, int bytes) {
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i += 2) {
            int w = bus.in(DATA, 2);
            data[i] = (byte) w;
            data[i + 1] = (byte) (w >>> 8);
        }
        return data;
    }

    private static int[] identify(IoBus bus) {
        bus.out(STATUS, 1, 0xEC);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x58);
        int[] words = new int[256];
        for (int i = 0; i < 256; i++) {
            words[i] = bus.in(DATA, 2);
        }
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        return words;
    }

    private static String ataString(int[] words, int first, int count) {
        byte[] b = new byte[count * 2];
        for (int i = 0; i < count; i++) {
            b[2 * i] = (byte) (words[first + i] >>> 8);
            b[2 * i + 1] = (byte) words[first + i];
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void powerOnRegistersShowTheAtaSignature() {
        IoBus bus = busWith(new AtaDisk(new byte[512 * 4]));
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        assertThat(bus.in(CONTROL, 1)).isEqualTo(0x50);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x01);
        assertThat(bus.in(COUNT, 1)).isEqualTo(1);
        assertThat(bus.in(LBA_LOW, 1)).isEqualTo(1);
        assertThat(bus.in(LBA_MID, 1)).isZero();
        assertThat(bus.in(LBA_HIGH, 1)).isZero();
        assertThat(bus.in(DRIVE_HEAD, 1)).isEqualTo(0xA0);
    }

    @Test
    void identifyReportsModelCapacityAndLba() {
        int sectors = 20000;
        AtaDisk disk = new AtaDisk(new byte[512 * sectors]);
        assertThat(disk.capacitySectors()).isEqualTo(sectors);
        IoBus bus = busWith(disk);
        int[] w = identify(bus);
        assertThat(w[0]).isEqualTo(0x0040);
        assertThat(ataString(w, 27, 20)).isEqualTo(String.format("%-40s", "KJUMP HARDDISK"));
        assertThat(ataString(w, 10, 10)).isEqualTo(String.format("%-20s", AtaDisk.SERIAL));
        assertThat(ataString(w, 23, 4)).isEqualTo(String.format("%-8s", AtaDisk.FIRMWARE));
        assertThat(w[49] & 0x0200).as("LBA supported").isEqualTo(0x0200);
        assertThat(w[60] | w[61] << 16).isEqualTo(sectors);
        assertThat(w[1]).isEqualTo(sectors / (16 * 63));
        assertThat(w[3]).isEqualTo(16);
        assertThat(w[6]).isEqualTo(63);
        assertThat(w[83] & 0x1000).as("FLUSH CACHE supported").isNotZero();
        int sum = 0;
        for (int word : w) {
            sum += (word & 0xFF) + (word >>> 8);
        }
        assertThat(w[255] & 0xFF).isEqualTo(0xA5);
        assertThat(sum & 0xFF).as("integrity word checksum").isZero();
        assertThat(bus.in(DATA, 2)).as("no data after the transfer").isZero();
    }

    @Test
    void identifyCapacityOfALargeDiskUsesBothWords() {
        // 0x12345 sectors; the array is large but quick to allocate (about 38 MB)
        AtaDisk disk = new AtaDisk(new byte[0x12345 * 512 + 100]);
        int[] w = identify(busWith(disk));
        assertThat(w[60]).isEqualTo(0x2345);
        assertThat(w[61]).isEqualTo(0x0001);
    }

    @Test
    void capacityIsTheFileSizeRoundedDownToSectors() throws IOException {
        Path file = tmp.resolve("odd.img");
        Files.write(file, new byte[512 * 3 + 511]);
        try (AtaDisk disk = new AtaDisk(file)) {
            assertThat(disk.capacitySectors()).isEqualTo(3);
        }
    }

    @Test
    void readsMultipleSectorsFromAFile() throws IOException {
        byte[] image = patternImage(16);
        Path file = tmp.resolve("disk.img");
        Files.write(file, image);
        try (AtaDisk disk = new AtaDisk(file)) {
            IoBus bus = busWith(disk);
            selectLba(bus, 5, 3);
            bus.out(STATUS, 1, 0x20);
            assertThat(disk.interruptPending()).isTrue();
            assertThat(bus.in(STATUS, 1)).isEqualTo(0x58);
            assertThat(disk.interruptPending()).as("status read acknowledges").isFalse();
            byte[] got = readWords(bus, 3 * 512);
            assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(image, 5 * 512, 8 * 512));
            assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
            assertThat(bus.in(COUNT, 1)).isZero();
            assertThat(bus.in(LBA_LOW, 1)).as("address advanced past the last sector").isEqualTo(8);
        }
    }

    @Test
    void readsWith32BitAccesses() {
        byte[] image = patternImage(4);
        IoBus bus = busWith(new AtaDisk(image));
        selectLba(bus, 2, 1);
        bus.out(STATUS, 1, 0x21);
        for (int i = 0; i < 512; i += 4) {
            int v = bus.in(DATA, 4);
            int expected = (image[1024 + i] & 0xFF) | (image[1024 + i + 1] & 0xFF) << 8
                    | (image[1024 + i + 2] & 0xFF) << 16 | (image[1024 + i + 3] & 0xFF) << 24;
            assertThat(v).isEqualTo(expected);
        }
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
    }

    @Test
    void writesMultipleSectorsToTheFile() throws IOException {
        Path file = tmp.resolve("disk.img");
        byte[] original = patternImage(8);
        Files.write(file, original);
        byte[] payload = new byte[2 * 512];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (0xC3 ^ i * 13);
        }
        try (AtaDisk disk = new AtaDisk(file)) {
            IoBus bus = busWith(disk);
            selectLba(bus, 6, 2);
            bus.out(STATUS, 1, 0x30);
            assertThat(bus.in(STATUS, 1)).isEqualTo(0x58);
            assertThat(disk.interruptPending()).as("no interrupt before the first block").isFalse();
            for (int i = 0; i < 512; i += 2) {
                bus.out(DATA, 2, (payload[i] & 0xFF) | (payload[i + 1] & 0xFF) << 8);
            }
            assertThat(disk.interruptPending()).isTrue();
            assertThat(bus.in(STATUS, 1)).isEqualTo(0x58);
            for (int i = 512; i < 1024; i += 4) {
                bus.out(DATA, 4, (payload[i] & 0xFF) | (payload[i + 1] & 0xFF) << 8
                        | (payload[i + 2] & 0xFF) << 16 | (payload[i + 3] & 0xFF) << 24);
            }
            assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
            bus.out(STATUS, 1, 0xE7);
            assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
            assertThat(bus.in(ERROR, 1)).isZero();
        }
        byte[] expected = original.clone();
        System.arraycopy(payload, 0, expected, 6 * 512, payload.length);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void writtenSectorsReadBack() {
        byte[] image = new byte[512 * 4];
        IoBus bus = busWith(new AtaDisk(image));
        selectLba(bus, 1, 1);
        bus.out(STATUS, 1, 0x31);
        for (int i = 0; i < 256; i++) {
            bus.out(DATA, 2, i * 3);
        }
        assertThat(image[512 + 2]).isEqualTo((byte) 3);
        selectLba(bus, 1, 1);
        bus.out(STATUS, 1, 0x20);
        for (int i = 0; i < 256; i++) {
            assertThat(bus.in(DATA, 2)).isEqualTo(i * 3);
        }
    }

    @Test
    void sectorCountZeroMeans256() {
        byte[] image = patternImage(300);
        IoBus bus = busWith(new AtaDisk(image));
        selectLba(bus, 10, 0);
        bus.out(STATUS, 1, 0x20);
        byte[] got = readWords(bus, 256 * 512);
        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(image, 10 * 512, 266 * 512));
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        assertThat(bus.in(DATA, 2)).isZero();
        assertThat(bus.in(LBA_LOW, 1) | bus.in(LBA_MID, 1) << 8).isEqualTo(266);
    }

    /** As QEMU 7.2 does (measured): the sectors before the end move, then ABRT with the registers at the end. */
    @Test
    void aReadPastTheEndDeliversTheSectorsBeforeItThenAborts() {
        byte[] image = patternImage(255);
        IoBus bus = busWith(new AtaDisk(image));
        selectLba(bus, 0, 0); // 256 sectors from 0 on a 255-sector disk
        bus.out(STATUS, 1, 0x20);
        assertThat(readWords(bus, 255 * 512))
                .isEqualTo(java.util.Arrays.copyOfRange(image, 0, 255 * 512));
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x41);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x04);
        assertThat(bus.in(COUNT, 1)).isEqualTo(1);
        assertThat(bus.in(LBA_LOW, 1)).isEqualTo(255);
    }

    @Test
    void aTransferPastTheEndMovesTheSectorsBeforeItThenAborts() {
        byte[] image = new byte[512 * 8];
        AtaDisk disk = new AtaDisk(image);
        IoBus bus = busWith(disk);
        selectLba(bus, 7, 2); // sector 7 exists, sector 8 does not
        bus.out(STATUS, 1, 0x30);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x58);
        for (int i = 0; i < 256; i++) {
            bus.out(DATA, 2, 0xFFFF);
        }
        assertThat(java.util.Arrays.copyOfRange(image, 7 * 512, 8 * 512)).containsOnly((byte) 0xFF);
        assertThat(bus.in(STATUS, 1)).as("the second sector's data is asked for").isEqualTo(0x58);
        for (int i = 0; i < 256; i++) {
            bus.out(DATA, 2, 0x1234);
        }
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x41);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x04);
        assertThat(bus.in(COUNT, 1)).isEqualTo(1);
        assertThat(bus.in(LBA_LOW, 1)).isEqualTo(8);
        assertThat(java.util.Arrays.copyOfRange(image, 0, 7 * 512)).containsOnly(0);
        selectLba(bus, 1L << 27, 1); // far past the end: nothing moves
        bus.out(STATUS, 1, 0x20);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x41);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x04);
        selectLba(bus, 7, 1); // the last sector is fine
        bus.out(STATUS, 1, 0x20);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x58);
        assertThat(bus.in(ERROR, 1)).isZero();
    }

    @Test
    void readAndWriteMultipleMoveBlocksOnceMultipleModeIsSet() {
        byte[] image = patternImage(16);
        AtaDisk disk = new AtaDisk(image);
        IoBus bus = busWith(disk);
        assertThat(identify(bus)[47]).isEqualTo(0x8000 | 16);
        assertThat(identify(bus)[59]).as("power-on block: 16, as QEMU").isEqualTo(0x110);
        selectLba(bus, 0, 3); // SET MULTIPLE MODE 3: not a power of two
        bus.out(STATUS, 1, 0xC6);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x41);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x04);
        selectLba(bus, 0, 0); // 0 turns multiple mode off: READ MULTIPLE is then aborted
        bus.out(STATUS, 1, 0xC6);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        assertThat(identify(bus)[59]).isZero();
        selectLba(bus, 2, 2);
        bus.out(STATUS, 1, 0xC4);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x41);
        selectLba(bus, 0, 4); // block of 4
        bus.out(STATUS, 1, 0xC6);
        assertThat(identify(bus)[59]).isEqualTo(0x104);
        selectLba(bus, 2, 6);
        bus.out(STATUS, 1, 0xC4);
        assertThat(readWords(bus, 6 * 512)).isEqualTo(java.util.Arrays.copyOfRange(image, 2 * 512, 8 * 512));
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        selectLba(bus, 10, 2);
        bus.out(STATUS, 1, 0xC5);
        for (int i = 0; i < 2 * 256; i++) {
            bus.out(DATA, 2, 0xBEEF);
        }
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        assertThat(java.util.Arrays.copyOfRange(image, 10 * 512, 12 * 512)).containsOnly((byte) 0xEF, (byte) 0xBE);
        assertThat(disk.saveState().multipleSectors()).isEqualTo(4);
    }

    @Test
    void unknownCommandIsAborted() {
        AtaDisk disk = new AtaDisk(new byte[512]);
        IoBus bus = busWith(disk);
        bus.out(STATUS, 1, 0x00); // NOP: always aborted, as the ATA spec (and QEMU) say
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x41);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x04);
        bus.out(STATUS, 1, 0xE7);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        assertThat(bus.in(ERROR, 1)).as("a new command clears the error").isZero();
    }

    @Test
    void chsAddressingUsesSixteenHeadsAndSixtyThreeSectors() {
        byte[] image = patternImage(2100);
        IoBus bus = busWith(new AtaDisk(image));
        // cylinder 1, head 2, sector 5 -> LBA (1*16 + 2)*63 + 4 = 1138
        bus.out(DRIVE_HEAD, 1, 0xA2);
        bus.out(COUNT, 1, 1);
        bus.out(LBA_LOW, 1, 5);
        bus.out(LBA_MID, 1, 1);
        bus.out(LBA_HIGH, 1, 0);
        bus.out(STATUS, 1, 0x20);
        assertThat(readWords(bus, 512)).isEqualTo(java.util.Arrays.copyOfRange(image, 1138 * 512, 1139 * 512));
        assertThat(bus.in(LBA_LOW, 1)).isEqualTo(6);
        bus.out(LBA_LOW, 1, 0); // sector numbers start at 1
        bus.out(STATUS, 1, 0x20);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x41);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x04);
    }

    @Test
    void registersAndCommandsAreIgnoredDuringDataTransfer() {
        byte[] image = patternImage(4);
        IoBus bus = busWith(new AtaDisk(image));
        selectLba(bus, 1, 1);
        bus.out(STATUS, 1, 0x20);
        bus.out(LBA_LOW, 1, 3);
        bus.out(STATUS, 1, 0xEC);
        assertThat(bus.in(LBA_LOW, 1)).isEqualTo(2);
        assertThat(readWords(bus, 512)).isEqualTo(java.util.Arrays.copyOfRange(image, 512, 1024));
    }

    @Test
    void absentSlaveReadsZeroAndIgnoresCommands() {
        AtaDisk disk = new AtaDisk(new byte[512 * 2]);
        IoBus bus = busWith(disk);
        bus.out(DRIVE_HEAD, 1, 0xB0);
        assertThat(bus.in(STATUS, 1)).isZero();
        assertThat(bus.in(CONTROL, 1)).isZero();
        assertThat(bus.in(ERROR, 1)).isZero();
        assertThat(bus.in(COUNT, 1)).isZero();
        assertThat(bus.in(DRIVE_HEAD, 1)).isEqualTo(0xB0);
        bus.out(STATUS, 1, 0xEC);
        assertThat(bus.in(STATUS, 1)).isZero();
        assertThat(bus.in(DATA, 2)).isZero();
        assertThat(disk.interruptPending()).isFalse();
        bus.out(DRIVE_HEAD, 1, 0xA0);
        assertThat(bus.in(STATUS, 1)).as("the master did not take the command").isEqualTo(0x50);
        assertThat(bus.in(DATA, 2)).isZero();
    }

    @Test
    void softwareResetAbortsTransferAndRestoresSignature() {
        AtaDisk disk = new AtaDisk(patternImage(4));
        IoBus bus = busWith(disk);
        selectLba(bus, 2, 2);
        bus.out(STATUS, 1, 0x20);
        bus.in(DATA, 2);
        bus.out(CONTROL, 1, 0x04);
        assertThat(bus.in(CONTROL, 1)).isEqualTo(0x90);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x90);
        bus.out(STATUS, 1, 0xEC);
        assertThat(bus.in(STATUS, 1)).as("commands ignored during reset").isEqualTo(0x90);
        bus.out(CONTROL, 1, 0x00);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x50);
        assertThat(bus.in(ERROR, 1)).isEqualTo(0x01);
        assertThat(bus.in(COUNT, 1)).isEqualTo(1);
        assertThat(bus.in(LBA_LOW, 1)).isEqualTo(1);
        assertThat(bus.in(LBA_MID, 1)).isZero();
        assertThat(bus.in(LBA_HIGH, 1)).isZero();
        assertThat(bus.in(DRIVE_HEAD, 1)).isEqualTo(0xA0);
        assertThat(bus.in(DATA, 2)).isZero();
        assertThat(disk.interruptPending()).isFalse();
    }

    @Test
    void nIenMasksTheInterruptLineAndAlternateStatusDoesNotAcknowledge() {
        AtaDisk disk = new AtaDisk(new byte[512]);
        IoBus bus = busWith(disk);
        bus.out(CONTROL, 1, 0x02);
        bus.out(STATUS, 1, 0xE7);
        assertThat(disk.interruptPending()).isFalse();
        bus.out(CONTROL, 1, 0x00);
        assertThat(disk.interruptPending()).isTrue();
        assertThat(bus.in(CONTROL, 1)).isEqualTo(0x50);
        assertThat(disk.interruptPending()).isTrue();
        bus.in(STATUS, 1);
        assertThat(disk.interruptPending()).isFalse();
    }

    @Test
    void byteAccessToTheDataPortMovesNothing() {
        byte[] image = patternImage(1);
        IoBus bus = busWith(new AtaDisk(image));
        selectLba(bus, 0, 1);
        bus.out(STATUS, 1, 0x20);
        assertThat(bus.in(DATA, 1)).isEqualTo(0xFF);
        assertThat(bus.in(DATA, 2)).isEqualTo((image[0] & 0xFF) | (image[1] & 0xFF) << 8);
    }

    @Test
    void stateRoundTripMidTransfer() {
        byte[] image = patternImage(8);
        AtaDisk disk = new AtaDisk(image);
        IoBus bus = busWith(disk);
        bus.out(0x1F1, 1, 0x03);
        selectLba(bus, 3, 3);
        bus.out(STATUS, 1, 0x20);
        readWords(bus, 512 + 100);
        AtaDisk.State saved = disk.saveState();
        assertThat(saved.registers()).containsEntry("status", 0x58L).containsEntry("command", 0x20L)
                .containsEntry("bufferPosition", 100L).containsEntry("remainingSectors", 1L)
                .containsEntry("sectorCount", 1L).containsEntry("lbaLow", 5L).containsEntry("features", 3L);

        AtaDisk other = new AtaDisk(image);
        assertThat(other.saveState()).isNotEqualTo(saved);
        other.restoreState(saved);
        assertThat(other.saveState()).isEqualTo(saved);
        assertThat(other.saveState().hashCode()).isEqualTo(saved.hashCode());
        IoBus otherBus = busWith(other);
        byte[] rest = readWords(bus, 412 + 512);
        assertThat(readWords(otherBus, 412 + 512)).isEqualTo(rest);
        assertThat(other.saveState()).isEqualTo(disk.saveState());
        assertThat(otherBus.in(STATUS, 1)).isEqualTo(0x50);
    }

    @Test
    void stateIsImmutableAndChecked() {
        AtaDisk disk = new AtaDisk(patternImage(2));
        IoBus bus = busWith(disk);
        selectLba(bus, 0, 1);
        bus.out(STATUS, 1, 0x20);
        AtaDisk.State s = disk.saveState();
        s.buffer()[0] = 42;
        assertThat(s).isEqualTo(disk.saveState());
        assertThatThrownBy(() -> new AtaDisk.State(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new byte[10], 0, false, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> disk.restoreState(new AtaDisk.State(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 513,
                new byte[512], 0, false, 0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> disk.restoreState(new DebugExit.State(true, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeKeepsWrittenDataInTheFile() throws IOException {
        Path file = tmp.resolve("c.img");
        Files.write(file, new byte[1024]);
        AtaDisk disk = new AtaDisk(file);
        IoBus bus = busWith(disk);
        selectLba(bus, 1, 1);
        bus.out(STATUS, 1, 0x30);
        for (int i = 0; i < 256; i++) {
            bus.out(DATA, 2, 0xBEEF);
        }
        disk.close();
        byte[] after = Files.readAllBytes(file);
        assertThat(after[512]).isEqualTo((byte) 0xEF);
        assertThat(after[1023]).isEqualTo((byte) 0xBE);
        assertThat(after[511]).isZero();
    }

    // ---- issue 13 finding 7: locked while open, and read-only disks

    @Test
    void aFileIsLockedWhileADiskHasItOpenAndFreeAfterClose() throws IOException {
        Path file = tmp.resolve("locked.img");
        Files.write(file, new byte[4096]);
        try (AtaDisk first = new AtaDisk(file)) {
            assertThat(first.readOnly()).isFalse();
            assertThatThrownBy(() -> new AtaDisk(file)).isInstanceOf(AtaDisk.InUseException.class)
                    .hasMessage(file + ": in use by another kjump (locked)");
            assertThatThrownBy(() -> AtaDisk.open(file, true)).as("a reader waits for the writer too")
                    .isInstanceOf(AtaDisk.InUseException.class);
        }
        try (AtaDisk again = new AtaDisk(file)) {
            assertThat(again.capacitySectors()).isEqualTo(8);
        }
        try (AtaDisk reader = AtaDisk.open(file, true)) {
            assertThatThrownBy(() -> new AtaDisk(file)).as("a writer waits for the readers")
                    .isInstanceOf(AtaDisk.InUseException.class);
        }
    }

    /**
     * Another JVM that holds a lock on {@code file} as a second kjump would (exclusive, or shared for
     * {@code readOnly}) until its stdin closes; returns once the lock is taken.
     */
    private Process holdLock(Path file, boolean readOnly) throws Exception {
        Path ready = tmp.resolve("ready-" + System.nanoTime());
        Path holder = tmp.resolve("Hold.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        boolean ro = a[2].equals("ro");
                        try (FileChannel c = ro ? FileChannel.open(Path.of(a[0]), StandardOpenOption.READ)
                                : FileChannel.open(Path.of(a[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
                             var l = c.lock(0, Long.MAX_VALUE, ro)) {
                            Files.writeString(Path.of(a[1]), "locked");
                            System.in.read();
                        }
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, holder.toString(), file.toString(), ready.toString(),
                readOnly ? "ro" : "rw").redirectErrorStream(true).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(ready) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ready).as("the other process took the lock").exists();
        return p;
    }

    private static void release(Process p) throws Exception {
        p.getOutputStream().close();
        p.waitFor();
    }

    @Test
    void aLockHeldByAnotherProcessIsInUseAndReadersShare() throws Exception {
        Path file = tmp.resolve("other.img");
        Files.write(file, new byte[4096]);
        Process writer = holdLock(file, false);
        try {
            assertThatThrownBy(() -> new AtaDisk(file)).isInstanceOf(AtaDisk.InUseException.class);
            assertThatThrownBy(() -> AtaDisk.open(file, true)).isInstanceOf(AtaDisk.InUseException.class);
        } finally {
            release(writer);
        }
        Process reader = holdLock(file, true);
        try {
            assertThatThrownBy(() -> new AtaDisk(file)).isInstanceOf(AtaDisk.InUseException.class);
            try (AtaDisk shared = AtaDisk.open(file, true)) {
                assertThat(shared.readOnly()).isTrue();
            }
        } finally {
            release(reader);
        }
        try (AtaDisk free = new AtaDisk(file)) {
            assertThat(free.capacitySectors()).isEqualTo(8);
        }
    }

    /** WRITE SECTORS and WRITE MULTIPLE are aborted at once on a read-only disk; reads work; nothing changes. */
    private static void writesAreAborted(AtaDisk disk, byte[] before, java.util.function.Supplier<byte[]> contents) {
        IoBus bus = busWith(disk);
        assertThat(disk.readOnly()).isTrue();
        for (int cmd : new int[] {0x30, 0x31, 0xC5}) {
            selectLba(bus, 1, 1);
            bus.out(STATUS, 1, cmd);
            assertThat(disk.interruptPending()).as("command %02x completes with an interrupt", cmd).isTrue();
            assertThat(bus.in(STATUS, 1)).as("command %02x: DRDY|ERR, no DRQ", cmd).isEqualTo(0x41);
            assertThat(bus.in(ERROR, 1)).as("command %02x: ABRT", cmd).isEqualTo(0x04);
            bus.out(DATA, 2, 0xBEEF); // no data phase: ignored
            assertThat(bus.in(LBA_LOW, 1)).as("nothing moved").isEqualTo(1);
        }
        selectLba(bus, 1, 1);
        bus.out(STATUS, 1, 0x20);
        assertThat(bus.in(STATUS, 1)).isEqualTo(0x58);
        assertThat(readWords(bus, 512)).isEqualTo(java.util.Arrays.copyOfRange(before, 512, 1024));
        bus.out(STATUS, 1, 0xE7);
        assertThat(bus.in(STATUS, 1)).as("FLUSH CACHE works").isEqualTo(0x50);
        assertThat(contents.get()).isEqualTo(before);
    }

    @Test
    void aReadOnlyDiskAbortsWritesWithErrAndAbrt() throws IOException {
        Path file = tmp.resolve("ro.img");
        byte[] image = patternImage(4);
        Files.write(file, image);
        assertThat(file.toFile().setWritable(false)).isTrue(); // opened for reading only, so a read-only file is fine
        try (AtaDisk disk = AtaDisk.open(file, true)) {
            writesAreAborted(disk, image, () -> {
                try {
                    return Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        byte[] memory = patternImage(4);
        writesAreAborted(new AtaDisk(memory, true), patternImage(4), () -> memory);
    }
}
