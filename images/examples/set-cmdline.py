#!/usr/bin/env python3
"""set-cmdline.py IN.elf OUT.elf TEXT

Test helper for the kjump_cmdline contract (what `kjump run --append TEXT`
does in memory, done here on the file): copies IN (ELF32 or ELF64) to OUT
with TEXT, NUL-terminated, written at the global object kjump_cmdline.
The symbol must lie in a PT_LOAD segment's file bytes; TEXT must be
shorter than the symbol's size.
"""
import struct
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[0])
    src, dst, text = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    data = bytearray(open(src, "rb").read())
    if data[:4] != b"\x7fELF":
        sys.exit("not an ELF file")
    is64 = data[4] == 2
    if is64:
        phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
        phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x36)
    else:
        phoff, shoff = struct.unpack_from("<II", data, 0x1C)
        phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x2A)

    def section(i):
        off = shoff + i * shentsize
        if is64:
            _, typ, _, _, offset, size, link, _, _, entsize = struct.unpack_from("<IIQQQQIIQQ", data, off)
        else:
            _, typ, _, _, offset, size, link, _, _, entsize = struct.unpack_from("<IIIIIIIIII", data, off)
        return typ, offset, size, link, entsize

    sym = None
    for i in range(shnum):
        typ, offset, size, link, entsize = section(i)
        if typ != 2:  # SHT_SYMTAB
            continue
        _, stroff, _, _, _ = section(link)
        for j in range(size // entsize):
            o = offset + j * entsize
            if is64:
                name, info, _, _, value, ssize = struct.unpack_from("<IBBHQQ", data, o)
            else:
                name, value, ssize, info, _, _ = struct.unpack_from("<IIIBBH", data, o)
            end = data.index(b"\0", stroff + name)
            if data[stroff + name:end] == b"kjump_cmdline" and info & 0xF == 1:  # STT_OBJECT
                sym = (value, ssize)
    if sym is None:
        sys.exit("no kjump_cmdline object symbol")
    addr, size = sym
    if len(text) >= size:
        sys.exit("text too long: %d bytes, kjump_cmdline holds %d with the NUL" % (len(text), size))

    for i in range(phnum):
        o = phoff + i * phentsize
        if is64:
            typ, _, offset, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, o)
        else:
            typ, offset, vaddr, _, filesz, _, _, _ = struct.unpack_from("<IIIIIIII", data, o)
        if typ == 1 and vaddr <= addr and addr + size <= vaddr + filesz:
            fo = offset + addr - vaddr
            data[fo:fo + size] = text + bytes(size - len(text))
            open(dst, "wb").write(data)
            return
    sys.exit("kjump_cmdline is not in a PT_LOAD segment's file bytes")


main()
