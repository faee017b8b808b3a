/*
 * init.c - the /init of kjump's example initramfs: a freestanding i386 program
 * (no libc, raw int $0x80 system calls), built by the Makefile here with
 * gcc -m32 -march=i486 -static -nostdlib -ffreestanding -fno-pic -Os.
 *
 * Default path (issue 10): print a few lines on the console (fd 1 is
 * /dev/console, opened by the kernel), mount proc on /proc, print
 * /proc/cmdline, then restart the machine with
 * reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_RESTART).
 *
 * kjump.jumps=N on the kernel command line (issue 11): jump back to the kernel
 * that kexec-jumped into this one, N times, as kexec-tools'
 * "kexec --load-jump-back-helper --entry=ADDR; kexec -e" does: ADDR is the
 * kexec_jump_back_entry=0x... that the first kernel appended to the command
 * line (Linux 6.1 keeps kexec* parameters out of init's environment, so it is
 * read from /proc/cmdline); kexec_load(ADDR, 1, {one all-zero segment},
 * KEXEC_PRESERVE_CONTEXT) once, then reboot(LINUX_REBOOT_CMD_KEXEC) N times:
 * each call returns 0 when the first kernel jumps in again. Then restart.
 */

typedef unsigned int u32;

#define SYS_exit        1
#define SYS_read        3
#define SYS_write       4
#define SYS_open        5
#define SYS_close       6
#define SYS_getpid      20
#define SYS_mount       21
#define SYS_pause       29
#define SYS_mkdir       39
#define SYS_reboot      88
#define SYS_kexec_load  283

#define O_RDONLY 0
#define EEXIST 17

#define LINUX_REBOOT_MAGIC1      0xfee1dead
#define LINUX_REBOOT_MAGIC2      0x28121969
#define LINUX_REBOOT_CMD_RESTART 0x01234567
#define LINUX_REBOOT_CMD_KEXEC   0x45584543
#define KEXEC_PRESERVE_CONTEXT   0x00000002

/* struct kexec_segment */
struct kexec_segment {
	const void *buf;
	u32 bufsz;
	const void *mem;
	u32 memsz;
};

static long syscall3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static long syscall5(long n, long a, long b, long c, long d, long e)
{
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
	return r;
}

static u32 slen(const char *s)
{
	u32 n = 0;
	while (s[n])
		n++;
	return n;
}

static void out(const char *s)
{
	syscall3(SYS_write, 1, (long)s, slen(s));
}

/* an unsigned or (neg) negative decimal number */
static void outnum(long v)
{
	char buf[12];
	int i = sizeof(buf) - 1;
	u32 u = v < 0 ? -(u32)v : (u32)v;

	buf[i] = 0;
	do {
		buf[--i] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	out(buf + i);
}

static void outhex(u32 v)
{
	char buf[11];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < 8; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
	buf[10] = 0;
	out(buf);
}

/* the value of "key=" (a whole word) in cmdline, as strtoul(.., 0) reads it; -1 if absent */
static long param(const char *cmdline, const char *key, u32 *value)
{
	u32 klen = slen(key);
	const char *p = cmdline;

	while (*p) {
		u32 i = 0;
		while (i < klen && p[i] == key[i])
			i++;
		if (i == klen && (p == cmdline || p[-1] == ' ')) {
			const char *q = p + klen;
			u32 v = 0, base = 10;
			if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
				base = 16;
				q += 2;
			}
			for (;; q++) {
				u32 d;
				if (*q >= '0' && *q <= '9')
					d = *q - '0';
				else if (base == 16 && (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')
					d = (*q | 0x20) - 'a' + 10;
				else
					break;
				v = v * base + d;
			}
			*value = v;
			return 0;
		}
		p++;
	}
	return -1;
}

static char cmdline[2048];

static void read_cmdline(void)
{
	long fd, n;

	n = syscall3(SYS_mkdir, (long)"/proc", 0555, 0);
	if (n < 0 && n != -EEXIST) {
		out("init: mkdir /proc failed: ");
		outnum(n);
		out("\n");
	}
	n = syscall5(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0);
	if (n < 0) {
		out("init: mount proc failed: ");
		outnum(n);
		out("\n");
		return;
	}
	fd = syscall3(SYS_open, (long)"/proc/cmdline", O_RDONLY, 0);
	if (fd < 0) {
		out("init: open /proc/cmdline failed: ");
		outnum(fd);
		out("\n");
		return;
	}
	n = syscall3(SYS_read, fd, (long)cmdline, sizeof(cmdline) - 1);
	syscall3(SYS_close, fd, 0, 0);
	if (n < 0)
		n = 0;
	cmdline[n] = 0;
	if (n > 0 && cmdline[n - 1] == '\n')
		cmdline[n - 1] = 0;
}

/* issue 11: jump back to the kernel that jumped into this one, jumps times */
static void jump_back(u32 jumps)
{
	struct kexec_segment seg;
	u32 entry, i;
	long r;

	if (param(cmdline, "kexec_jump_back_entry=", &entry) < 0) {
		out("init: no kexec_jump_back_entry= on the command line: no kernel to jump back to\n");
		return;
	}
	seg.buf = 0;
	seg.bufsz = 0;
	seg.mem = 0;
	seg.memsz = 0;
	r = syscall5(SYS_kexec_load, entry, 1, (long)&seg, KEXEC_PRESERVE_CONTEXT, 0);
	if (r < 0) {
		out("init: kexec_load failed: ");
		outnum(r);
		out("\n");
		return;
	}
	for (i = 1; i <= jumps; i++) {
		out("init: jump ");
		outnum(i);
		out(" of ");
		outnum(jumps);
		out(" back to ");
		outhex(entry);
		out("\n");
		r = syscall5(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC, 0, 0);
		out("init: back from jump ");
		outnum(i);
		out(": reboot returned ");
		outnum(r);
		out("\n");
		if (r < 0)
			return;
	}
}

void init_main(void)
{
	u32 jumps;
	long r;

	out("init: hello from /init\n");
	out("init: pid ");
	outnum(syscall3(SYS_getpid, 0, 0, 0));
	out("\n");
	read_cmdline();
	out("init: /proc/cmdline: ");
	out(cmdline);
	out("\n");
	if (param(cmdline, "kjump.jumps=", &jumps) == 0 && jumps > 0)
		jump_back(jumps);
	out("init: restarting\n");
	r = syscall3(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_RESTART);
	out("init: reboot failed: ");
	outnum(r);
	out("\n");
	for (;;)
		syscall3(SYS_pause, 0, 0, 0);
}

/* the kernel enters here with argc, argv, envp on the stack; init_main never returns */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	andl $-16, %esp\n"
	"	call init_main\n"
	"	movl $1, %eax\n"          /* SYS_exit, not reached */
	"	xorl %ebx, %ebx\n"
	"	int $0x80\n");
