package dev.kjump.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kjump.kernel.kexec.ControlPage;
import dev.kjump.kernel.kexec.KexecSegment;
import dev.kjump.kernel.kexec.MachineKexec;
import dev.kjump.kernel.pm.PmDevice;
import dev.kjump.kernel.pm.Task;
import dev.kjump.machine.cpu.Cpu;
import dev.kjump.machine.cpu.CpuState;
import dev.kjump.machine.Uart16550;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** reboot(KEXEC) with preserve_context: the callee runs, comes back, and the kernel is exactly as it was. */
class KexecJumpTest {
    static final String HELLO1 = "hello from a jump-back image (entry 1)\n";

    /** Physical contents of {@code pages} pages from {@code pa}. */
    private static List<byte[]> pages(KernelFixture f, long pa, int pages) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < pages; i++) {
            out.add(f.page(pa + i * 4096L));
        }
        return out;
    }

    private static byte[] block(Kernel k, Task t) {
        byte[] b = new byte[Task.BLOCK_SIZE];
        k.memory().read(t.blockVa(), b, 0, b.length);
        return b;
    }

    @Test
    void helloComesBackAndTheKernelIsAsItWas() {
        KernelFixture f = new KernelFixture(KernelConfig.defaults().withCpus(4));
        Kernel k = f.kernel();
        SpyDevice spy = new SpyDevice("spy").watch(k);
        k.devices().register(new PmDevice("spy", spy));
        k.runTasks(3);
        assertThat(f.load("hello.elf")).isZero();
        int entry = (int) KernelFixture.image("hello.elf").entry();
        int destPages = 11;
        // the destination is kernel memory (RAM disk pages): it must come back byte for byte
        assertThat(k.pageAllocator().inUse(0x400)).as("0x400000 is the kernel's before the jump").isTrue();
        List<byte[]> destBefore = pages(f, 0x400000, destPages);
        CpuState cpuBefore = k.machine().cpu().saveState();
        Uart16550.State uartBefore = k.machine().uart().saveState();
        List<byte[]> blocksBefore = k.tasks().stream().map(t -> block(k, t)).toList();
        int[] stepsBefore = k.tasks().stream().mapToInt(Task::steps).toArray();
        byte[] diskBefore = k.ramdisk().read(0, k.ramdisk().pageCount() * 4096);
        var ownedBefore = k.ownedFrames();
        int used = f.usedPages();

        assertThat(f.exec()).isZero();

        assertThat(f.transcript()).isEqualTo(HELLO1);
        JumpReport r = k.lastJump();
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.result()).isZero();
        assertThat(r.number()).isOne();
        assertThat(r.startBefore()).isEqualTo(entry);
        assertThat(r.integrity().pagesChecked()).isGreaterThan(1000);
        assertThat(r.integrity().destinationPages()).isEqualTo(destPages);
        assertThat(r.integrity().damaged()).isEmpty();
        assertThat(r.outcome().kind()).isEqualTo(MachineKexec.Kind.JUMPED_BACK);
        assertThat(r.outcome().returned()).as("a C callee returns through the helper").isTrue();
        assertThat(r.outcome().eax()).as("kmain's return value").isZero();
        assertThat(r.outcome().pagesSwapped()).isEqualTo(destPages);
        assertThat(r.outcome().problems()).isEmpty();
        // memory
        List<byte[]> destAfter = pages(f, 0x400000, destPages);
        for (int i = 0; i < destPages; i++) {
            assertThat(destAfter.get(i)).as("destination page %d", i).isEqualTo(destBefore.get(i));
        }
        assertThat(k.ramdisk().read(0, k.ramdisk().pageCount() * 4096)).isEqualTo(diskBefore);
        assertThat(k.ownedFrames()).isEqualTo(ownedBefore);
        assertThat(f.usedPages()).isEqualTo(used);
        // the image's pages now hold what it left behind: its entry count went up in its .data
        boolean sawImage = false;
        for (long[] p : f.image().pagePairs()) {
            String s = new String(f.page(p[1]), java.nio.charset.StandardCharsets.ISO_8859_1);
            sawImage |= s.contains("hello from a jump-back image");
        }
        assertThat(sawImage).as("the source pages hold the image's text again").isTrue();
        // CPU
        CpuState cpuAfter = k.machine().cpu().saveState();
        assertThat(cpuAfter).isEqualTo(cpuBefore);
        assertThat(cpuAfter.cr0() & Cpu.CR0_PG).isNotZero();
        assertThat(cpuAfter.cr3()).isEqualTo(0x105000);
        assertThat(cpuAfter.gdtBase()).isEqualTo(cpuBefore.gdtBase());
        assertThat(cpuAfter.idtLimit()).isEqualTo(cpuBefore.idtLimit());
        // the UART: the image's uart_init set divisor 1 and turned OUT2 off; the kernel's 9600 baud is back
        Uart16550.State uartAfter = k.machine().uart().saveState();
        assertThat(uartAfter).usingRecursiveComparison().isEqualTo(uartBefore);
        assertThat(uartAfter.dll()).isEqualTo(12);
        assertThat(uartAfter.mcr()).isEqualTo(0x0B);
        // PM: what the spy saw at suspend and at power-down, and what is true now
        assertThat(spy.saves).containsExactly(new SpyDevice.Seen(true, true, 4, true),
                new SpyDevice.Seen(true, true, 1, false));
        assertThat(spy.restores).hasSize(2);
        assertThat(k.tasks()).noneMatch(Task::frozen);
        assertThat(k.log().consoleSuspended()).isFalse();
        assertThat(k.cpus().onlineCount()).isEqualTo(4);
        assertThat(k.irqsEnabled()).isTrue();
        assertThat(k.devices().devices()).allMatch(d -> d.state() == PmDevice.State.ON);
        // tasks: blocks intact, and they go on running
        List<Task> tasks = k.tasks();
        for (int i = 0; i < tasks.size(); i++) {
            assertThat(block(k, tasks.get(i))).as("task block %d", i).isEqualTo(blocksBefore.get(i));
        }
        k.runTasks(5);
        for (int i = 0; i < tasks.size(); i++) {
            assertThat(tasks.get(i).steps()).isEqualTo(stepsBefore[i] + 5);
        }
        // image->start after a returning callee: the address it was entered at
        assertThat(f.image().start()).isEqualTo(entry);
        assertThat(k.kexec().kexecLock.get()).isZero();
        assertThat(f.dmesg()).anyMatch(l -> l.contains("kexec_jump #1: integrity held"));
    }

    @Test
    void seedStepSequence() {
        KernelFixture f = new KernelFixture();
        f.loadAndJump("hello.elf", null);
        assertThat(f.kernel().lastJump().steps()).extracting(JumpReport.Step::name).containsExactly(
                "pm_prepare_console", "freeze_processes", "suspend_console", "device_suspend", "disable_nonboot_cpus",
                "local_irq_disable", "device_power_down", "save_processor_state", "machine_kexec",
                "restore_processor_state", "device_power_up", "local_irq_enable", "enable_nonboot_cpus",
                "device_resume", "resume_console", "thaw_processes", "pm_restore_console");
        assertThat(f.kernel().lastJump().steps()).allMatch(s -> s.result() == 0);
    }

    @Test
    void entryStateFollowsTheJumpBackProtocol() {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        assertThat(f.load(RegisterDump.BASE, KernelFixture.PRESERVE, RegisterDump.segment(true))).isZero();
        int cp = f.image().controlPage();
        int swap = f.image().swapPage();
        CpuState before = k.machine().cpu().saveState();
        for (int round = 1; round <= 2; round++) {
            assertThat(f.exec()).isZero();
            JumpReport r = k.lastJump();
            assertThat(r.ok()).isTrue();
            assertThat(r.outcome().eax()).isEqualTo(42);
            assertThat(r.outcome().returned()).isTrue();
            // what the callee stored is in its data page, now swapped back out into that page's source
            long src = f.image().pagePairs().stream().filter(p -> p[0] == RegisterDump.DATA).findFirst()
                    .orElseThrow()[1];
            var mem = k.machine().memory();
            int[] v = new int[13];
            for (int i = 0; i < v.length; i++) {
                v[i] = mem.read32((int) src + 4 * i);
            }
            assertThat(v[Cpu.EDI]).as("%%edi = the real jump-back entry").isEqualTo(cp + ControlPage.JUMP_BACK_ENTRY);
            assertThat(v[Cpu.ESP]).as("%%esp").isEqualTo(swap + 4096 - 8);
            assertThat(v[RegisterDump.TOP]).as("(%%esp) = the helper entry").isEqualTo(cp + ControlPage.HELPER_ENTRY);
            assertThat(v[RegisterDump.NEXT]).as("4(%%esp) = the entered address").isEqualTo(RegisterDump.BASE);
            assertThat(v[RegisterDump.CR0] & Cpu.CR0_PG).as("paging off").isZero();
            assertThat(v[RegisterDump.CR0] & Cpu.CR0_PE).isOne();
            assertThat(v[RegisterDump.EFLAGS] & Cpu.IF).as("interrupts off").isZero();
            assertThat(v[RegisterDump.COUNT]).as("entries").isEqualTo(round);
            assertThat(f.image().start()).isEqualTo(RegisterDump.BASE);
            assertThat(k.machine().cpu().saveState()).isEqualTo(before);
            // the kernel's own page at 0x401000 is back
            assertThat(mem.read32(RegisterDump.DATA + 4 * Cpu.EDI)).isNotEqualTo(v[Cpu.EDI]);
        }
    }

    @Test
    void pingpongRoundsAndReentry() {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        assertThat(f.load("pingpong.elf")).isZero();
        int entry = (int) KernelFixture.image("pingpong.elf").entry();
        StringBuilder want = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            assertThat(f.exec()).isZero();
            want.append("pingpong: round ").append(i).append('\n');
            JumpReport r = k.lastJump();
            assertThat(r.ok()).isTrue();
            assertThat(r.startBefore()).isEqualTo(i == 1 ? entry : 0x400022);
            assertThat(r.outcome().returned()).as("a kernel-style callee jumps, it does not return").isFalse();
            assertThat(r.outcome().reentry()).isEqualTo(0x400022);
            assertThat(f.image().start()).isEqualTo(0x400022);
        }
        assertThat(f.transcript()).isEqualTo(want.toString());
        assertThat(k.jumps()).hasSize(5).allMatch(JumpReport::ok);
    }

    @Test
    void argsGetsItsCommandLine() {
        KernelFixture f = new KernelFixture();
        f.loadAndJump("args.elf", "alpha  beta\tgamma");
        assertThat(f.transcript()).isEqualTo("args: cmdline=\"alpha  beta\tgamma\"\nargs: argc=3\n"
                + "args: argv[0]=\"alpha\"\nargs: argv[1]=\"beta\"\nargs: argv[2]=\"gamma\"\n");
        assertThat(f.kernel().lastJump().ok()).isTrue();
        // every entry sees the same command line
        f.clearTranscript();
        assertThat(f.exec()).isZero();
        assertThat(f.transcript()).startsWith("args: cmdline=\"alpha  beta\tgamma\"\n");
    }

    @Test
    void scribbleOverwritesItsPagesAndTheKernelDoesNotCare() {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        List<byte[]> before = pages(f, 0x400000, 27);
        byte[] disk = k.ramdisk().read(0, k.ramdisk().pageCount() * 4096);
        JumpReport r = f.loadAndJump("scribble.elf", null);
        assertThat(f.transcript()).isEqualTo("scribble: image 0x00400000-0x0041b000, 27 pages\n"
                + "scribble: filling them with 0x53435242 from the caller's stack, then returning 0\n");
        assertThat(r.ok()).isTrue();
        assertThat(r.outcome().pagesSwapped()).isEqualTo(27);
        assertThat(r.integrity().destinationPages()).isEqualTo(27);
        List<byte[]> after = pages(f, 0x400000, 27);
        for (int i = 0; i < 27; i++) {
            assertThat(after.get(i)).isEqualTo(before.get(i));
        }
        assertThat(k.ramdisk().read(0, disk.length)).isEqualTo(disk);
        // the sources hold the scribbled pages
        for (long[] p : f.image().pagePairs()) {
            assertThat(k.machine().memory().read32((int) p[1] + 0x800)).isEqualTo(0x53435242);
        }
    }

    @Test
    void wildDamageIsNamedExactly() {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        long a = k.ramdisk().pagePhys(0), b = k.ramdisk().pagePhys(100);
        long task = dev.kjump.kernel.mm.KernelMemory.pa(k.tasks().get(0).blockVa()) & ~0xFFFL;
        int words = k.machine().memory().read32((int) a + 0x10);
        long pgd = k.machine().cpu().cr3(); // swapper_pg_dir: +0x10 is an unused PDE, the damage still counts
        assertThat(f.load("wild.elf", String.format("%x 0x%08x %x %x", a, b, task, pgd), KernelFixture.PRESERVE))
                .isZero();
        assertThat(f.exec()).as("damage does not make the call fail").isZero();
        JumpReport r = k.lastJump();
        assertThat(r.ok()).isFalse();
        assertThat(r.outcome().kind()).isEqualTo(MachineKexec.Kind.JUMPED_BACK);
        assertThat(r.integrity().intact()).isFalse();
        assertThat(r.integrity().damaged()).containsExactlyInAnyOrder(a, b, task, pgd);
        assertThat(k.machine().memory().read32((int) a + 0x10)).isEqualTo(0x57494c44).isNotEqualTo(words);
        assertThat(f.transcript()).contains(String.format("wild: wrote 0x57494c44 at 0x%08x (page 0x%08x)\n",
                a + 0x10, a)).endsWith("wild: 4 writes, returning 0\n");
        assertThat(f.dmesg()).anyMatch(l -> l.contains("integrity BROKEN") && l.contains(String.format("%08x", b)));
    }

    @Test
    void wildInsideItsOwnImageDamagesNothing() {
        KernelFixture f = new KernelFixture();
        Kernel k = f.kernel();
        byte[] disk = k.ramdisk().read(0, k.ramdisk().pageCount() * 4096);
        List<byte[]> before = pages(f, 0x400000, 16);
        f.loadAndJump("wild.elf", "0x400000 401000");
        JumpReport r = k.lastJump();
        assertThat(r.ok()).isTrue();
        assertThat(r.integrity().damaged()).isEmpty();
        assertThat(f.transcript()).contains("(inside the image)");
        assertThat(k.ramdisk().read(0, disk.length)).isEqualTo(disk);
        List<byte[]> after = pages(f, 0x400000, 16);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i)).isEqualTo(before.get(i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "pingpong", "args", "wild", "scribble"})
    void elf32AndElf64AreTheSame(String name) {
        String cmd = name.equals("args") ? "x y" : name.equals("wild") ? "0x400000" : null;
        String[] transcript = new String[2];
        JumpReport[] reports = new JumpReport[2];
        String[] forms = {name + ".elf", name + ".elf64"};
        for (int i = 0; i < 2; i++) {
            KernelFixture f = new KernelFixture();
            f.loadAndJump(forms[i], cmd);
            if (!name.equals("scribble")) {
                assertThat(f.exec()).isZero();
            }
            transcript[i] = f.transcript();
            reports[i] = f.kernel().lastJump();
        }
        assertThat(transcript[1]).isEqualTo(transcript[0]).isNotEmpty();
        assertThat(reports[1].result()).isEqualTo(reports[0].result());
        assertThat(reports[1].startBefore()).isEqualTo(reports[0].startBefore());
        assertThat(reports[1].integrity()).isEqualTo(reports[0].integrity());
        var o0 = reports[0].outcome();
        var o1 = reports[1].outcome();
        assertThat(o1.kind()).isEqualTo(o0.kind());
        assertThat(o1.pagesSwapped()).isEqualTo(o0.pagesSwapped());
        assertThat(o1.calleeInstructions()).isEqualTo(o0.calleeInstructions());
        assertThat(o1.reentry()).isEqualTo(o0.reentry());
        assertThat(o1.eax()).isEqualTo(o0.eax());
        assertThat(reports[1].steps()).extracting(JumpReport.Step::name)
                .isEqualTo(reports[0].steps().stream().map(JumpReport.Step::name).toList());
    }

    @Test
    void pagesSwappedAreTheDestinationPages() {
        // two destination pages (code, data): exactly two pages are swapped each way
        KernelFixture f = new KernelFixture();
        byte[] code = RegisterDump.code(true);
        KexecSegment s = KexecSegment.of(code, RegisterDump.BASE, 0x2000);
        assertThat(f.load(RegisterDump.BASE, KernelFixture.PRESERVE, s)).isZero();
        assertThat(f.exec()).isZero();
        assertThat(f.kernel().lastJump().outcome().pagesSwapped()).isEqualTo(2);
        assertThat(f.kernel().lastJump().integrity().destinationPages()).isEqualTo(2);
    }
}
