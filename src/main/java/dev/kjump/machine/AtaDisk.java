package dev.kjump.machine;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An ATA hard disk on the primary IDE channel, as the master device, driven by PIO.
 *
 * <p>Ports: command block 0x1F0-0x1F7 (0x1F0 data, 16 or 32 bits; 0x1F1 error / features; 0x1F2 sector count;
 * 0x1F3-0x1F5 LBA low, mid, high; 0x1F6 drive/head; 0x1F7 status / command) and control block 0x3F6 (alternate
 * status / device control).
 *
 * <p>Commands: IDENTIFY DEVICE (0xEC), READ SECTORS (0x20, 0x21), WRITE SECTORS (0x30, 0x31) and FLUSH CACHE
 * (0xE7); any other command is aborted (ERR, error ABRT). Addressing is LBA28 (drive/head bit 6 set; its low
 * nibble holds LBA bits 27-24) or CHS with a fixed geometry of 16 heads and 63 sectors per track. A sector count
 * of 0 means 256. As in QEMU, a transfer is checked sector by sector: the sectors before the end of the disk move,
 * and when a sector past the end is due (read) or has been received (write) the command ends with ERR and error
 * ABRT, the registers left at that sector. The address and sector count registers advance as each sector is read
 * from the disk or written to it, so after a complete transfer they hold the sector after the last one and a count
 * of 0.
 *
 * <p>There is no time model: BSY is never seen except while software reset (SRST) is held. Status values used:
 * 0x50 (DRDY|DSC) idle, 0x58 (with DRQ) while data waits at the data port, 0x41 (DRDY|ERR) after an error,
 * 0x61 (DRDY|DF|ERR) after a failed write to the backing file, 0x90 (BSY|DSC) during reset.
 *
 * <p>As in QEMU: writes to the command block registers are ignored while BSY or DRQ is set, and so are commands;
 * the drive/head register reads back with bits 7 and 5 set; data-port reads without DRQ (or during a write
 * transfer) return 0 and data-port writes without DRQ are ignored. 8-bit data-port access is not part of ATA
 * PIO: it reads 0xFF and writes are ignored. Other registers accessed with width 2 or 4 act as byte accesses.
 * A 32-bit data access moves two words, the first in the low half.
 *
 * <p>There is no slave device. While drive/head bit 4 selects it, status, alternate status and registers
 * 0x1F1-0x1F5 read 0, the data port reads 0, and commands are ignored, as QEMU does for an absent slave
 * (a status of 0 tells drivers that no device is there). Register writes still land, since both devices on a
 * channel share the task file writes.
 *
 * <p>Software reset: setting SRST (device control bit 2) stops any transfer and shows BSY; clearing it completes
 * the reset with status 0x50, error 0x01 (diagnostics passed) and the ATA signature (count 1, LBA low 1,
 * mid/high 0, drive/head 0xA0). {@link #interruptPending()} reports the INTRQ line, which nIEN (bit 1) masks.
 *
 * <p>The backing store is a host file whose size, rounded down to whole 512-byte sectors, is the disk's capacity
 * (capped at the LBA28 limit), or a byte array. Written sectors go to the file at once; FLUSH CACHE and
 * {@link #close()} force them to the storage device. A file is locked while the disk has it open (until
 * {@link #close()}): exclusively when it is written, shared when it is read-only, so two machines never write one
 * image at once ({@link InUseException}); the lock is the host's advisory file lock ({@link FileChannel#tryLock}).
 *
 * <p>A read-only disk ({@link #open open(image, true)}) is what a drive that refuses writes does: WRITE SECTORS
 * (0x30, 0x31) and WRITE MULTIPLE (0xC5) end at once with status DRDY|ERR (0x41) and error ABRT, the command
 * aborted before any data moves (no DRQ, an interrupt as for any completed command); reads, IDENTIFY and FLUSH CACHE
 * work as usual. Fixed ATA disks have no write-protect bit, so ABRT, the answer to a command the device will not
 * carry out, is how a real drive refuses; drivers report it as an I/O error. The file is opened for reading only.
 */
public final class AtaDisk implements IoDevice, Closeable {
    /** First port of the primary channel's command block. */
    public static final int COMMAND_BASE = 0x1F0;
    /** The primary channel's control block port (alternate status / device control). */
    public static final int CONTROL_PORT = 0x3F6;
    /** Bytes per sector. */
    public static final int SECTOR_SIZE = 512;
    /** Largest number of sectors LBA28 addresses. */
    public static final long MAX_LBA28_SECTORS = 0x0FFFFFFFL;
    /** CHS geometry: heads. */
    public static final int HEADS = 16;
    /** CHS geometry: sectors per track. */
    public static final int SECTORS_PER_TRACK = 63;
    /** Model string reported by IDENTIFY DEVICE. */
    public static final String MODEL = "KJUMP HARDDISK";
    /** Serial number reported by IDENTIFY DEVICE. */
    public static final String SERIAL = "KJ0000000001";
    /** Firmware revision reported by IDENTIFY DEVICE. */
    public static final String FIRMWARE = "0.1.0";

    /** Status: busy. */
    public static final int BSY = 0x80;
    /** Status: device ready. */
    public static final int DRDY = 0x40;
    /** Status: device fault. */
    public static final int DF = 0x20;
    /** Status: device seek complete. */
    public static final int DSC = 0x10;
    /** Status: data request. */
    public static final int DRQ = 0x08;
    /** Status: error. */
    public static final int ERR = 0x01;

    /** Error: uncorrectable data. */
    public static final int UNC = 0x40;
    /** Error: ID not found (address out of range). */
    public static final int IDNF = 0x10;
    /** Error: command aborted. */
    public static final int ABRT = 0x04;

    /** Device control: interrupts disabled. */
    public static final int NIEN = 0x02;
    /** Device control: software reset. */
    public static final int SRST = 0x04;

    /** Command: IDENTIFY DEVICE. */
    public static final int CMD_IDENTIFY = 0xEC;
    /** Command: READ SECTORS (with retries). */
    public static final int CMD_READ = 0x20;
    /** Command: READ SECTORS without retries. */
    public static final int CMD_READ_NORETRY = 0x21;
    /** Command: WRITE SECTORS (with retries). */
    public static final int CMD_WRITE = 0x30;
    /** Command: WRITE SECTORS without retries. */
    public static final int CMD_WRITE_NORETRY = 0x31;
    /** Command: FLUSH CACHE. */
    public static final int CMD_FLUSH_CACHE = 0xE7;
    /** READ MULTIPLE. */
    public static final int CMD_READ_MULTIPLE = 0xC4;
    /** WRITE MULTIPLE. */
    public static final int CMD_WRITE_MULTIPLE = 0xC5;
    /** SET MULTIPLE MODE. */
    public static final int CMD_SET_MULTIPLE = 0xC6;
    /** The largest READ/WRITE MULTIPLE block (IDENTIFY word 47), QEMU's value; also the power-on setting. */
    public static final int MAX_MULTIPLE_SECTORS = 16;

    private static final int DH_ALWAYS_SET = 0xA0;
    private static final int DH_LBA = 0x40;
    private static final int DH_SLAVE = 0x10;

    private final Backing backing;
    private final long sectors;
    private final boolean readOnly;

    private int features;
    private int sectorCount;
    private int lbaLow;
    private int lbaMid;
    private int lbaHigh;
    private int driveHead;
    private int status;
    private int error;
    private int deviceControl;
    private int command;
    private int bufferPosition;
    private final byte[] buffer = new byte[SECTOR_SIZE];
    private int remainingSectors;
    /** Sectors per READ/WRITE MULTIPLE block (SET MULTIPLE MODE); 0: multiple mode off. */
    private int multipleSectors = MAX_MULTIPLE_SECTORS;
    private boolean interrupt;

    /**
     * The disk image is locked by another user: another kjump, or another disk of this one, has it open for
     * writing (or, for a disk to be written, has it open at all).
     */
    public static final class InUseException extends IOException {
        private static final long serialVersionUID = 1L;

        InUseException(Path image) {
            super(image + ": in use by another kjump (locked)");
        }
    }

    /**
     * Opens {@code image} for reading and writing as the disk's backing file, locked exclusively until
     * {@link #close()}.
     *
     * @param image the disk image file; its size rounded down to 512 bytes is the capacity
     * @throws InUseException if another user holds a lock on the file
     * @throws IOException if the file cannot be opened
     */
    public AtaDisk(Path image) throws IOException {
        this(FileBacking.open(image, false), false);
    }

    /**
     * Opens {@code image} as the disk's backing file, locked until {@link #close()}: for reading and writing with an
     * exclusive lock, or with {@code readOnly} for reading only with a shared lock, the disk then refusing writes
     * (see the class comment).
     *
     * @param image the disk image file; its size rounded down to 512 bytes is the capacity
     * @param readOnly whether the guest may only read
     * @return the disk
     * @throws InUseException if another user holds a conflicting lock on the file
     * @throws IOException if the file cannot be opened
     */
    public static AtaDisk open(Path image, boolean readOnly) throws IOException {
        return new AtaDisk(FileBacking.open(image, readOnly), readOnly);
    }

    /**
     * Uses {@code image} itself (not a copy) as the disk's contents, so writes show in the array.
     *
     * @param image the disk contents; its length rounded down to 512 bytes is the capacity
     */
    public AtaDisk(byte[] image) {
        this(new MemoryBacking(Objects.requireNonNull(image, "image")), false);
    }

    /**
     * Uses {@code image} itself as the disk's contents, read-only when asked (writes then abort, the array does not
     * change).
     *
     * @param image the disk contents; its length rounded down to 512 bytes is the capacity
     * @param readOnly whether the guest may only read
     */
    public AtaDisk(byte[] image, boolean readOnly) {
        this(new MemoryBacking(Objects.requireNonNull(image, "image")), readOnly);
    }

    private AtaDisk(Backing backing, boolean readOnly) {
        this.backing = backing;
        this.readOnly = readOnly;
        this.sectors = Math.min(backing.sizeInBytes() / SECTOR_SIZE, MAX_LBA28_SECTORS);
        powerOn();
    }

    /** Whether the disk refuses writes (WRITE SECTORS and WRITE MULTIPLE abort with ERR and ABRT). */
    public boolean readOnly() {
        return readOnly;
    }

    /** The capacity in 512-byte sectors. */
    public long capacitySectors() {
        return sectors;
    }

    /** Registers the command block ports 0x1F0-0x1F7 and the control port 0x3F6 on {@code bus}. */
    public void attachTo(IoBus bus) {
        bus.register(COMMAND_BASE, 8, this);
        bus.register(CONTROL_PORT, 1, this);
    }

    /** Puts the registers to their power-on values (the state after a completed reset) and device control to 0. */
    public void powerOn() {
        features = 0;
        deviceControl = 0;
        command = 0;
        completeReset();
    }

    /** Whether the INTRQ line is asserted: an interrupt is pending, the master is selected and nIEN is clear. */
    public boolean interruptPending() {
        return interrupt && !slaveSelected() && (deviceControl & NIEN) == 0;
    }

    /** Forces written data to the storage device. */
    public void flush() throws IOException {
        backing.flush();
    }

    /** Flushes and closes the backing file, releasing its lock. */
    @Override
    public void close() throws IOException {
        backing.close();
    }

    /** {@inheritDoc} */
    @Override
    public String name() {
        return "ata-disk@0x1f0";
    }

    /** {@inheritDoc} */
    @Override
    public int in(int port, int size) {
        if (port == CONTROL_PORT) {
            return slaveSelected() ? 0 : status;
        }
        switch (port - COMMAND_BASE) {
            case 0:
                return readData(size);
            case 1:
                return slaveSelected() ? 0 : error;
            case 2:
                return slaveSelected() ? 0 : sectorCount;
            case 3:
                return slaveSelected() ? 0 : lbaLow;
            case 4:
                return slaveSelected() ? 0 : lbaMid;
            case 5:
                return slaveSelected() ? 0 : lbaHigh;
            case 6:
                return driveHead;
            case 7:
                if (slaveSelected()) {
                    return 0;
                }
                interrupt = false;
                return status;
            default:
                throw new IllegalArgumentException("port 0x" + Integer.toHexString(port) + " is not on " + name());
        }
    }

    /** {@inheritDoc} */
    @Override
    public void out(int port, int size, int value) {
        if (port == CONTROL_PORT) {
            writeDeviceControl(value & 0xFF);
            return;
        }
        int reg = port - COMMAND_BASE;
        if (reg < 0 || reg > 7) {
            throw new IllegalArgumentException("port 0x" + Integer.toHexString(port) + " is not on " + name());
        }
        if (reg == 0) {
            writeData(size, value);
            return;
        }
        int v = value & 0xFF;
        if (reg == 7) {
            execute(v);
            return;
        }
        if ((status & (BSY | DRQ)) != 0) {
            return;
        }
        switch (reg) {
            case 1 -> features = v;
            case 2 -> sectorCount = v;
            case 3 -> lbaLow = v;
            case 4 -> lbaMid = v;
            case 5 -> lbaHigh = v;
            default -> driveHead = v | DH_ALWAYS_SET;
        }
    }

    /** {@inheritDoc} */
    @Override
    public State saveState() {
        return new State(features, sectorCount, lbaLow, lbaMid, lbaHigh, driveHead, status, error, deviceControl,
                command, bufferPosition, buffer, remainingSectors, interrupt, multipleSectors);
    }

    /** {@inheritDoc} */
    @Override
    public void restoreState(DeviceState state) {
        if (!(state instanceof State)) {
            throw new IllegalArgumentException("not an AtaDisk state: " + state);
        }
        State s = (State) state;
        if (s.bufferPosition() < 0 || s.bufferPosition() > SECTOR_SIZE || (s.bufferPosition() & 1) != 0
                || s.remainingSectors() < 0 || s.remainingSectors() > 256 || s.multipleSectors() < 0
                || s.multipleSectors() > MAX_MULTIPLE_SECTORS) {
            throw new IllegalArgumentException("inconsistent AtaDisk state: " + s);
        }
        features = s.features() & 0xFF;
        sectorCount = s.sectorCount() & 0xFF;
        lbaLow = s.lbaLow() & 0xFF;
        lbaMid = s.lbaMid() & 0xFF;
        lbaHigh = s.lbaHigh() & 0xFF;
        driveHead = (s.driveHead() & 0xFF) | DH_ALWAYS_SET;
        status = s.status() & 0xFF;
        error = s.error() & 0xFF;
        deviceControl = s.deviceControl() & 0xFF;
        command = s.command() & 0xFF;
        bufferPosition = s.bufferPosition();
        System.arraycopy(s.buffer(), 0, buffer, 0, SECTOR_SIZE);
        remainingSectors = s.remainingSectors();
        interrupt = s.interruptPending();
        multipleSectors = s.multipleSectors();
    }

    private boolean slaveSelected() {
        return (driveHead & DH_SLAVE) != 0;
    }

    private boolean isReadCommand() {
        return command == CMD_IDENTIFY || command == CMD_READ || command == CMD_READ_NORETRY
                || command == CMD_READ_MULTIPLE;
    }

    private boolean isWriteCommand() {
        return command == CMD_WRITE || command == CMD_WRITE_NORETRY || command == CMD_WRITE_MULTIPLE;
    }

    private void completeReset() {
        status = DRDY | DSC;
        error = 0x01;
        sectorCount = 1;
        lbaLow = 1;
        lbaMid = 0;
        lbaHigh = 0;
        driveHead = DH_ALWAYS_SET;
        stopTransfer();
        interrupt = false;
    }

    private void stopTransfer() {
        bufferPosition = 0;
        remainingSectors = 0;
    }

    private void writeDeviceControl(int v) {
        boolean wasReset = (deviceControl & SRST) != 0;
        boolean reset = (v & SRST) != 0;
        deviceControl = v;
        if (!wasReset && reset) {
            status = BSY | DSC;
            stopTransfer();
            interrupt = false;
        } else if (wasReset && !reset) {
            completeReset();
        }
    }

    private void execute(int cmd) {
        if (slaveSelected() || (status & (BSY | DRQ)) != 0) {
            return;
        }
        command = cmd;
        error = 0;
        interrupt = false;
        stopTransfer();
        switch (cmd) {
            case CMD_IDENTIFY -> {
                identify();
                status = DRDY | DSC | DRQ;
                interrupt = true;
            }
            case CMD_READ, CMD_READ_NORETRY -> startTransfer(true);
            case CMD_WRITE, CMD_WRITE_NORETRY -> {
                if (readOnly) {
                    fail(DRDY | ERR, ABRT); // refused before any data moves
                } else {
                    startTransfer(false);
                }
            }
            // without a time model a block of sectors moves like single sectors; multiple mode must be on
            case CMD_READ_MULTIPLE, CMD_WRITE_MULTIPLE -> {
                if (multipleSectors == 0 || readOnly && cmd == CMD_WRITE_MULTIPLE) {
                    fail(DRDY | ERR, ABRT);
                } else {
                    startTransfer(cmd == CMD_READ_MULTIPLE);
                }
            }
            case CMD_SET_MULTIPLE -> {
                if (sectorCount > MAX_MULTIPLE_SECTORS || (sectorCount & (sectorCount - 1)) != 0) {
                    fail(DRDY | ERR, ABRT);
                } else {
                    multipleSectors = sectorCount;
                    status = DRDY | DSC;
                    interrupt = true;
                }
            }
            case CMD_FLUSH_CACHE -> {
                try {
                    backing.flush();
                    status = DRDY | DSC;
                    interrupt = true;
                } catch (IOException e) {
                    fail(DRDY | DF | ERR, ABRT);
                }
            }
            default -> fail(DRDY | ERR, ABRT);
        }
    }

    private void fail(int newStatus, int newError) {
        stopTransfer();
        status = newStatus;
        error = newError;
        interrupt = true;
    }

    private void startTransfer(boolean read) {
        remainingSectors = sectorCount == 0 ? 256 : sectorCount;
        if (read) {
            loadNextSector();
        } else {
            status = DRDY | DSC | DRQ; // the first block of a PIO write raises no interrupt
        }
    }

    /** Reads the sector at the current address into the buffer and offers it at the data port. */
    private void loadNextSector() {
        long lba = currentAddress();
        if (lba < 0 || lba >= sectors) {
            fail(DRDY | ERR, ABRT); // past the end of the disk (or CHS sector 0), as QEMU reports it
            return;
        }
        try {
            backing.read(lba * SECTOR_SIZE, buffer);
        } catch (IOException e) {
            fail(DRDY | ERR, UNC);
            return;
        }
        advance(lba);
        bufferPosition = 0;
        status = DRDY | DSC | DRQ;
        interrupt = true;
    }

    /** Writes the filled buffer to the sector at the current address. */
    private void storeSector() {
        long lba = currentAddress();
        if (lba < 0 || lba >= sectors) {
            fail(DRDY | ERR, ABRT); // past the end of the disk (or CHS sector 0), as QEMU reports it
            return;
        }
        try {
            backing.write(lba * SECTOR_SIZE, buffer);
        } catch (IOException e) {
            fail(DRDY | DF | ERR, ABRT);
            return;
        }
        advance(lba);
        bufferPosition = 0;
        interrupt = true;
        status = remainingSectors > 0 ? DRDY | DSC | DRQ : DRDY | DSC;
    }

    /** Counts one sector done and moves the address registers past {@code lba}. */
    private void advance(long lba) {
        remainingSectors--;
        sectorCount = remainingSectors & 0xFF;
        setAddress(lba + 1);
    }

    private int readData(int size) {
        if (size == 1) {
            return 0xFF;
        }
        if (slaveSelected() || (status & DRQ) == 0 || !isReadCommand()) {
            return 0;
        }
        int low = nextWord();
        if (size == 2) {
            return low;
        }
        int high = (status & DRQ) != 0 ? nextWord() : 0;
        return low | high << 16;
    }

    private int nextWord() {
        int w = (buffer[bufferPosition] & 0xFF) | (buffer[bufferPosition + 1] & 0xFF) << 8;
        bufferPosition += 2;
        if (bufferPosition == SECTOR_SIZE) {
            if (command != CMD_IDENTIFY && remainingSectors > 0) {
                loadNextSector();
            } else {
                bufferPosition = 0;
                status = DRDY | DSC;
            }
        }
        return w;
    }

    private void writeData(int size, int value) {
        if (size == 1 || slaveSelected() || (status & DRQ) == 0 || !isWriteCommand()) {
            return;
        }
        putWord(value & 0xFFFF);
        if (size == 4 && (status & DRQ) != 0) {
            putWord(value >>> 16);
        }
    }

    private void putWord(int w) {
        buffer[bufferPosition] = (byte) w;
        buffer[bufferPosition + 1] = (byte) (w >>> 8);
        bufferPosition += 2;
        if (bufferPosition == SECTOR_SIZE) {
            storeSector();
        }
    }

    /** The address in the task file registers as an LBA, or -1 for an invalid CHS address. */
    private long currentAddress() {
        if ((driveHead & DH_LBA) != 0) {
            return (long) (driveHead & 0x0F) << 24 | lbaHigh << 16 | lbaMid << 8 | lbaLow;
        }
        int cylinder = lbaHigh << 8 | lbaMid;
        int head = driveHead & 0x0F;
        int sector = lbaLow;
        if (sector == 0 || sector > SECTORS_PER_TRACK) {
            return -1;
        }
        return ((long) cylinder * HEADS + head) * SECTORS_PER_TRACK + sector - 1;
    }

    private void setAddress(long lba) {
        if ((driveHead & DH_LBA) != 0) {
            lbaLow = (int) (lba & 0xFF);
            lbaMid = (int) (lba >>> 8 & 0xFF);
            lbaHigh = (int) (lba >>> 16 & 0xFF);
            driveHead = (driveHead & 0xF0) | (int) (lba >>> 24 & 0x0F);
        } else {
            long cylinder = lba / (HEADS * SECTORS_PER_TRACK);
            int head = (int) (lba / SECTORS_PER_TRACK % HEADS);
            lbaLow = (int) (lba % SECTORS_PER_TRACK) + 1;
            lbaMid = (int) (cylinder & 0xFF);
            lbaHigh = (int) (cylinder >>> 8 & 0xFF);
            driveHead = (driveHead & 0xF0) | head;
        }
    }

    private int cylinders() {
        return (int) Math.min(16383, sectors / (HEADS * SECTORS_PER_TRACK));
    }

    /** Fills the buffer with the IDENTIFY DEVICE data. */
    private void identify() {
        int[] w = new int[256];
        int cylinders = cylinders();
        long chsSectors = (long) cylinders * HEADS * SECTORS_PER_TRACK;
        w[0] = 0x0040; // fixed device
        w[1] = cylinders;
        w[3] = HEADS;
        w[6] = SECTORS_PER_TRACK;
        putString(w, 10, 10, SERIAL);
        putString(w, 23, 4, FIRMWARE);
        putString(w, 27, 20, MODEL);
        w[47] = 0x8000 | MAX_MULTIPLE_SECTORS; // READ/WRITE MULTIPLE: largest block
        w[59] = multipleSectors != 0 ? 0x100 | multipleSectors : 0; // current block, when valid
        w[49] = 1 << 9; // LBA supported
        w[50] = 0x4000;
        w[51] = 0x0200; // PIO timing mode 2
        w[53] = 0x0003; // words 54-58 and 64-70 valid
        w[54] = cylinders;
        w[55] = HEADS;
        w[56] = SECTORS_PER_TRACK;
        w[57] = (int) (chsSectors & 0xFFFF);
        w[58] = (int) (chsSectors >>> 16);
        w[60] = (int) (sectors & 0xFFFF);
        w[61] = (int) (sectors >>> 16);
        w[64] = 0x0003; // PIO modes 3 and 4
        w[65] = 120;
        w[66] = 120;
        w[67] = 120;
        w[68] = 120;
        w[80] = 0x007E; // ATA-1 to ATA-6
        w[82] = 0x0000;
        w[83] = 0x4000 | 1 << 12; // FLUSH CACHE supported
        w[84] = 0x4000;
        w[85] = 0x0000;
        w[86] = 1 << 12; // FLUSH CACHE enabled
        w[87] = 0x4000;
        w[255] = 0x00A5;
        for (int i = 0; i < 256; i++) {
            buffer[2 * i] = (byte) w[i];
            buffer[2 * i + 1] = (byte) (w[i] >>> 8);
        }
        int sum = 0;
        for (int i = 0; i < SECTOR_SIZE - 1; i++) {
            sum += buffer[i] & 0xFF;
        }
        buffer[SECTOR_SIZE - 1] = (byte) -sum; // integrity word: all 512 bytes sum to 0 mod 256
        bufferPosition = 0;
    }

    /** Puts an ATA string: space padded, two characters per word, the first in the high byte. */
    private static void putString(int[] w, int first, int words, String s) {
        byte[] chars = new byte[words * 2];
        Arrays.fill(chars, (byte) ' ');
        byte[] src = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(src, 0, chars, 0, Math.min(src.length, chars.length));
        for (int i = 0; i < words; i++) {
            w[first + i] = (chars[2 * i] & 0xFF) << 8 | (chars[2 * i + 1] & 0xFF);
        }
    }

    /** Where the disk's sectors live. */
    private interface Backing extends Closeable {
        long sizeInBytes();

        void read(long offset, byte[] dst) throws IOException;

        void write(long offset, byte[] src) throws IOException;

        void flush() throws IOException;
    }

    private static final class FileBacking implements Backing {
        private final FileChannel channel;
        private final long size;
        private final boolean readOnly;

        private FileBacking(FileChannel channel, boolean readOnly) throws IOException {
            this.channel = channel;
            this.size = channel.size();
            this.readOnly = readOnly;
        }

        /**
         * Opens and locks {@code image}: exclusively for writing, shared for reading only. The lock lives as long
         * as the channel; a lock held by another process, or by another channel of this JVM, is an
         * {@link InUseException}.
         */
        static FileBacking open(Path image, boolean readOnly) throws IOException {
            FileChannel ch = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
                    : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                java.nio.channels.FileLock lock;
                try {
                    lock = ch.tryLock(0, Long.MAX_VALUE, readOnly);
                } catch (java.nio.channels.OverlappingFileLockException e) {
                    lock = null; // this JVM holds it already: another machine's disk
                }
                if (lock == null) {
                    throw new InUseException(image);
                }
                return new FileBacking(ch, readOnly);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        @Override
        public long sizeInBytes() {
            return size;
        }

        @Override
        public void read(long offset, byte[] dst) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(dst);
            while (bb.hasRemaining()) {
                if (channel.read(bb, offset + bb.position()) < 0) {
                    throw new EOFException("disk image ended at " + (offset + bb.position()));
                }
            }
        }

        @Override
        public void write(long offset, byte[] src) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(src);
            while (bb.hasRemaining()) {
                channel.write(bb, offset + bb.position());
            }
        }

        @Override
        public void flush() throws IOException {
            if (!readOnly) {
                channel.force(false);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (channel.isOpen() && !readOnly) {
                    channel.force(false);
                }
            } finally {
                channel.close(); // and with it the lock
            }
        }
    }

    private static final class MemoryBacking implements Backing {
        private final byte[] image;

        MemoryBacking(byte[] image) {
            this.image = image;
        }

        @Override
        public long sizeInBytes() {
            return image.length;
        }

        @Override
        public void read(long offset, byte[] dst) {
            System.arraycopy(image, (int) offset, dst, 0, dst.length);
        }

        @Override
        public void write(long offset, byte[] src) {
            System.arraycopy(src, 0, image, (int) offset, src.length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /**
     * The disk's saved register state.
     *
     * @param features         features register
     * @param sectorCount      sector count register
     * @param lbaLow           LBA low (sector number) register
     * @param lbaMid           LBA mid (cylinder low) register
     * @param lbaHigh          LBA high (cylinder high) register
     * @param driveHead        drive/head register
     * @param status           status register
     * @param error            error register
     * @param deviceControl    device control register
     * @param command          the last command accepted
     * @param bufferPosition   byte offset of the next data-port word in the buffer
     * @param buffer           the 512-byte sector buffer
     * @param remainingSectors sectors of the current transfer not yet read from or written to the disk
     * @param interruptPending whether the device has an interrupt pending (before nIEN masking)
     * @param multipleSectors the READ/WRITE MULTIPLE block size set by SET MULTIPLE MODE (0: off)
     */
    public record State(int features, int sectorCount, int lbaLow, int lbaMid, int lbaHigh, int driveHead,
                        int status, int error, int deviceControl, int command, int bufferPosition, byte[] buffer,
                        int remainingSectors, boolean interruptPending, int multipleSectors) implements DeviceState {
        /** Copies the buffer, so a state stays immutable; it must be 512 bytes. */
        public State {
            if (buffer.length != SECTOR_SIZE) {
                throw new IllegalArgumentException("buffer must be 512 bytes, not " + buffer.length);
            }
            buffer = buffer.clone();
        }

        /** A copy of the sector buffer. */
        @Override
        public byte[] buffer() {
            return buffer.clone();
        }

        /** {@inheritDoc} The buffer is left out. */
        @Override
        public Map<String, Long> registers() {
            Map<String, Long> r = new LinkedHashMap<>();
            r.put("features", (long) features);
            r.put("sectorCount", (long) sectorCount);
            r.put("lbaLow", (long) lbaLow);
            r.put("lbaMid", (long) lbaMid);
            r.put("lbaHigh", (long) lbaHigh);
            r.put("driveHead", (long) driveHead);
            r.put("status", (long) status);
            r.put("error", (long) error);
            r.put("deviceControl", (long) deviceControl);
            r.put("command", (long) command);
            r.put("bufferPosition", (long) bufferPosition);
            r.put("remainingSectors", (long) remainingSectors);
            r.put("interruptPending", interruptPending ? 1L : 0L);
            r.put("multipleSectors", (long) multipleSectors);
            return r;
        }

        /** Equality by value, comparing the buffer's contents. */
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof State)) {
                return false;
            }
            State s = (State) o;
            return features == s.features && sectorCount == s.sectorCount && lbaLow == s.lbaLow
                    && lbaMid == s.lbaMid && lbaHigh == s.lbaHigh && driveHead == s.driveHead && status == s.status
                    && error == s.error && deviceControl == s.deviceControl && command == s.command
                    && bufferPosition == s.bufferPosition && remainingSectors == s.remainingSectors
                    && interruptPending == s.interruptPending && multipleSectors == s.multipleSectors
                    && Arrays.equals(buffer, s.buffer);
        }

        /** A hash consistent with {@link #equals(Object)}. */
        @Override
        public int hashCode() {
            return 31 * Objects.hash(features, sectorCount, lbaLow, lbaMid, lbaHigh, driveHead, status, error,
                    deviceControl, command, bufferPosition, remainingSectors, interruptPending, multipleSectors)
                    + Arrays.hashCode(buffer);
        }

        /** The registers; the buffer is left out. */
        @Override
        public String toString() {
            return "AtaDisk.State" + registers();
        }
    }
}
