/*
 * mkcpio.c - write a newc cpio archive (the initramfs format) from a list
 * file, reproducibly: every entry has mtime 0, owner 0:0 and inode numbers
 * counting from 1, so the same inputs give the same bytes. A host tool; it
 * needs no root (device nodes are described, not made).
 *
 *   mkcpio LIST DIR > initramfs.cpio
 *
 * LIST has one entry a line ('#' starts a comment), as the kernel's
 * usr/gen_init_cpio takes them:
 *   dir  NAME MODE
 *   nod  NAME MODE c|b MAJOR MINOR
 *   file NAME MODE SOURCE
 * MODE is octal; SOURCE is a path relative to DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned ino = 1;
static unsigned long offset;

static void pad(void)
{
	while (offset & 3) {
		putchar(0);
		offset++;
	}
}

static void header(const char *name, unsigned mode, unsigned long size, unsigned rmaj, unsigned rmin)
{
	unsigned long namesize = strlen(name) + 1;

	offset += printf("070701%08X%08X%08X%08X%08X%08X%08lX%08X%08X%08X%08X%08lX%08X",
			 strcmp(name, "TRAILER!!!") ? ino++ : 0, mode, 0u, 0u,
			 (mode & 0170000) == 0040000 ? 2u : 1u, 0u, size, 0u, 0u, rmaj, rmin, namesize, 0u);
	fwrite(name, 1, namesize, stdout);
	offset += namesize;
	pad();
}

static int die(const char *what, const char *arg)
{
	fprintf(stderr, "mkcpio: %s%s\n", what, arg);
	exit(1);
}

int main(int argc, char **argv)
{
	char line[1024], kind[16], name[512], src[512], path[1100], type;
	unsigned mode, maj, min;
	FILE *list;

	if (argc != 3)
		die("usage: mkcpio LIST DIR > out.cpio", "");
	list = fopen(argv[1], "r");
	if (!list)
		die("cannot open ", argv[1]);
	while (fgets(line, sizeof(line), list)) {
		const char *n;
		if (line[0] == '#' || sscanf(line, "%15s", kind) != 1)
			continue;
		if (sscanf(line, "%*s %511s %o", name, &mode) != 2)
			die("bad line: ", line);
		n = name[0] == '/' ? name + 1 : name;  /* archive names are relative */
		if (!strcmp(kind, "dir")) {
			header(n, 0040000 | mode, 0, 0, 0);
		} else if (!strcmp(kind, "nod")) {
			if (sscanf(line, "%*s %*s %*o %c %u %u", &type, &maj, &min) != 3 || (type != 'c' && type != 'b'))
				die("bad nod line: ", line);
			header(n, (type == 'c' ? 0020000 : 0060000) | mode, 0, maj, min);
		} else if (!strcmp(kind, "file")) {
			FILE *f;
			char *data;
			long size;
			if (sscanf(line, "%*s %*s %*o %511s", src) != 1)
				die("bad file line: ", line);
			snprintf(path, sizeof(path), "%s/%s", argv[2], src);
			f = fopen(path, "rb");
			if (!f)
				die("cannot open ", path);
			fseek(f, 0, SEEK_END);
			size = ftell(f);
			rewind(f);
			data = malloc(size ? size : 1);
			if (!data || fread(data, 1, size, f) != (size_t)size)
				die("cannot read ", path);
			fclose(f);
			header(n, 0100000 | mode, size, 0, 0);
			fwrite(data, 1, size, stdout);
			offset += size;
			pad();
			free(data);
		} else {
			die("unknown entry: ", kind);
		}
	}
	header("TRAILER!!!", 0, 0, 0, 0);
	while (offset & 511) {  /* pad to a 512-byte block, as cpio(1) does */
		putchar(0);
		offset++;
	}
	return fflush(stdout) ? 1 : 0;
}
