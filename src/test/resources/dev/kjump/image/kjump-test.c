/*
 * A tiny freestanding i386 program: a test fixture for dev.kjump.image.
 * It is never run; the tests only parse the ELF files built from it.
 * How they were built is in README.md next to this file.
 */
int counter = 3;		/* .data: an object symbol with file contents */
char scratch[4096];		/* .bss: memory size beyond the file size */

static int __attribute__((noinline)) add(int a, int b)
{
	return a + b + counter;
}

void kmain(void)
{
	for (int i = 0; i < 16; i++)
		scratch[i] = (char)add(i, 1);
}

void _start(void)
{
	kmain();
	for (;;)
		__asm__ volatile("hlt");
}
