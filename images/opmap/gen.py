#!/usr/bin/env python3
"""gen.py - generator for the opmap test (opcode map, developer tool).

Writes tests/opmap_cases.h: one case per line of the test's transcript.  A
case is the bytes of one instruction (prefixes, opcode, ModRM, SIB, disp,
imm), the initial EFLAGS (state 0 or, for instructions that read flags, also
state 1), the EFLAGS bits that are printed (the SDM-undefined flags of that
instruction masked out), and "extras": register overrides and memory
patches that make an instruction meaningful (a selector to load, a far
pointer, BOUND's limits, a pseudo-descriptor, an MSR number).
tests/opmap.c runs each case in a sandbox and prints a line (see there).
The output is deterministic and committed, so building needs no python:

    python3 opmap/gen.py          # rewrite tests/opmap_cases.h
    make && make expected         # rebuild images and QEMU transcripts

Coverage: every one-byte opcode 00-FF and every two-byte opcode 0F 00-FF,
in 32-bit protected mode at CPL 0:
  * ModRM opcodes: two register forms (ModRM C8 and F2) and four memory
    forms: [esi], [ebx+ecx*4+0x10] (SIB, disp8), [ebp+0x123] (disp32, SS),
    and [0x3ffe] (disp32 only; a dword there crosses into the not-present
    page at 0x4000: #PF).  With a 66 prefix: one register and one memory
    form.  Group opcodes: every `reg' field 0-7, in a register form and a
    memory form.
  * Opcodes that read flags (Jcc, SETcc, CMOVcc, ADC, SBB, RCL, RCR, LAHF,
    PUSHF, CMC, SALC, INTO, DAA..AAS, LOOPcc) run in both flag states.
  * Prefixes (26 2E 36 3E 64 65 66 67 F0 F2 F3) are tested in front of
    instructions they change (or do not apply to: LOCK with a register
    destination is #UD).
  * Branches target a landing pad at 0xC5 (the sandbox code page is linear
    0-0xFFF, the instruction at 0x80, filled with INT3 elsewhere), so a
    taken branch prints `jmp'.
Every line is compared byte for byte: kjump must print what QEMU printed,
including #UD on both for what is not an i686 integer instruction.

Machine-dependent instructions, excluded or pinned (the reason is by each
below): CPUID 0F A2 (model/feature bits), RDTSC 0F 31 and RDPMC 0F 33
(time, model), RDMSR/WRMSR 0F 32/0F 30 (real MSRs are model-specific;
QEMU's TCG does not #GP on an unknown MSR), SYSENTER/SYSEXIT 0F 34/35 (QEMU's TCG
runs them even without SEP), HLT F4 (stops the CPU), IN/OUT
and INS/OUTS E4-E7 EC-EF 6C-6F (devices).  Pinned: a read of CR3 prints
`cr3' (the page directory's physical address differs between the .elf
and the .mb.elf); MOV to CR0/CR3/CR4 only writes the value already there,
MOV to DR4-DR7 only 0.  x87 escapes D8-DF
run with CR0.EM=1 (#NM on both: kjump has no FPU); MMX/SSE with CR0.EM=1
and CR4.OSFXSR=0 (#UD).  QEMU runs this image with -cpu pentium2,-sep
(qemu-run.sh picks it by name): an i686 without SYSENTER, as kjump is
(the default qemu32 model has SSE2 and more; with CR0.EM=1 those are #UD
anyway, so the model matters little).
"""
import argparse

# ---- the sandbox (must agree with tests/opmap.c) ---------------------------
CODE = 0x80            # the instruction's address (linear; code page 0-0xFFF)
PAD = 0xC5             # landing pad for taken branches
CSEL = 0x80            # our flat code selector
DSEL = 0x88            # our flat data selector
GDT_BASE, GDT_LIMIT = 0x5000, 0xDF
IDT_BASE, IDT_LIMIT = 0x6000, 0x7FF

REGS = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
INIT = dict(eax=0x7F3EA509, ecx=3, edx=1, ebx=0x1300, esp=0x3800, ebp=0x1400, esi=0x1100, edi=0x1200)
FLAGS0 = 0x0893        # OF SF AF CF set, ZF PF clear
FLAGS1 = 0x0046        # ZF PF set

# EFLAGS bits printed by default: CF PF AF ZF SF TF IF DF OF IOPL NT RF AC ID
PRINT = 0x00257FD5
C, P, A, Z, S, O = 0x1, 0x4, 0x10, 0x40, 0x80, 0x800
ARITH = C | P | A | Z | S | O

# extras kinds (tests/opmap.c)
X_REG, X_MEM, X_CR, X_HIDE = 1, 2, 3, 4


class Case:
    def __init__(self, name, code, undef=0, fstates=(0,), extras=()):
        self.name = name
        self.code = list(code)
        self.undef = undef
        self.fstates = fstates
        self.extras = list(extras)
        assert len(self.code) <= 15, name


CASES = []


def add(name, code, undef=0, reads=False, extras=()):
    CASES.append(Case(name, code, undef, (0, 1) if reads else (0,), extras))


def le(v, n):
    return [(v >> (8 * i)) & 0xFF for i in range(n)]


def reg(r, v):
    return (X_REG, REGS.index(r), v)


def mem(addr, v):
    return (X_MEM, addr, v)


# ModRM forms: (bytes after the opcode without imm, name)
RFORMS = [([0xC8], "r"), ([0xF2], "r2")]
MFORMS = [([0x0E], "[esi]"), ([0x5C, 0x8B, 0x10], "[ebx+ecx*4+16]"),
          ([0x95] + le(0x123, 4), "[ebp+0x123]"), ([0x05] + le(0x3FFE, 4), "[0x3ffe]")]


def modrm(mod, r, rm):
    return mod << 6 | r << 3 | rm


def gforms(r):
    """Group opcode forms for reg field r: a register and a memory form."""
    return [([modrm(3, r, 0)], "r"), ([modrm(0, r, 6)], "[esi]")]


def imm(kind, o16):
    if kind == "b":
        return [0x85]
    if kind == "w":
        return le(0xF00D, 2)
    if kind == "z":
        return le(0xF00D, 2) if o16 else le(0x8000F00D, 4)
    return []


ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"]
SHIFT = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"]
CCN = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]


def alu_undef(op):
    return A if op in ("and", "or", "xor", "test") else 0


def shift_undef(op, count):
    c = count & 31
    if c == 0:
        return 0
    u = 0 if c == 1 else O
    if op in ("shl", "shr", "sal", "sar"):
        u |= A
    return u


def modrm_op(name, op, immk="", undef=0, reads=False, v=True, forms=None, extras=()):
    """An opcode with a ModRM byte: all forms, and the 66 forms if v."""
    fl = forms or RFORMS + MFORMS
    for f, fn in fl:
        add("%s %s" % (name, fn), op + f + imm(immk, False), undef, reads, extras)
    if v:
        for f, fn in fl[0:1] + [x for x in fl if x[1] == "[esi]"][0:1]:
            add("%s %s o16" % (name, fn), [0x66] + op + f + imm(immk, True), undef, reads, extras)


def group(name, op, names, immk="", undef=None, reads=(), v=True, extra_imm=None):
    for r in range(8):
        u = undef(names[r]) if undef else 0
        for f, fn in gforms(r):
            ib = extra_imm(names[r]) if extra_imm else imm(immk, False)
            add("%s %s %s" % (name, names[r], fn), op + f + ib, u, names[r] in reads)
            if v and fn == "r":
                ib16 = extra_imm(names[r]) if extra_imm else imm(immk, True)
                add("%s %s %s o16" % (name, names[r], fn), [0x66] + op + f + ib16, u, names[r] in reads)


def rel(op, size, o16=False):
    """A relative branch to the landing pad."""
    pre = [0x66] if o16 else []
    n = len(pre) + len(op) + size
    return pre + op + le(PAD - (CODE + n), size)


FAR = [mem(0x1100, 0x12345678), mem(0x1104, DSEL)]   # a far pointer to our data segment at [esi]


def one_byte():
    for i, op in enumerate(ALU):
        b = i * 8
        reads = op in ("adc", "sbb")
        u = alu_undef(op)
        modrm_op(op + " Eb,Gb", [b], undef=u, reads=reads, v=False)
        modrm_op(op + " Ev,Gv", [b + 1], undef=u, reads=reads)
        modrm_op(op + " Gb,Eb", [b + 2], undef=u, reads=reads, v=False)
        modrm_op(op + " Gv,Ev", [b + 3], undef=u, reads=reads)
        add(op + " al,Ib", [b + 4] + imm("b", False), u, reads)
        add(op + " eax,Iz", [b + 5] + imm("z", False), u, reads)
        add(op + " ax,Iw", [0x66, b + 5] + imm("z", True), u, reads)
    for op, n in ((0x06, "push es"), (0x0E, "push cs"), (0x16, "push ss"), (0x1E, "push ds"),
                  (0x0F, None)):
        if n:
            add(n, [op])
            add(n + " o16", [0x66, op])
    # pop sreg: the stack top is 0xc5 (an LDT selector: #GP while the LDT is null); then
    # our data selector, the null selector, and (16-bit) the read-only data selector
    for op, n in ((0x07, "pop es"), (0x17, "pop ss"), (0x1F, "pop ds")):
        add(n, [op])
        add(n + " 0x88", [op], extras=[mem(0x3800, DSEL)])
        add(n + " null", [op], extras=[mem(0x3800, 0)])
        add(n + " o16", [0x66, op], extras=[mem(0x3800, 0x90)])
    for op, n in ((0x27, "daa"), (0x2F, "das")):
        add(n, [op], O, True)
        add(n + " al=9a", [op], O, True, [reg("eax", 0x9A)])
    for op, n in ((0x37, "aaa"), (0x3F, "aas")):
        add(n, [op], O | S | Z | P, True)
        add(n + " al=0f", [op], O | S | Z | P, True, [reg("eax", 0x30F)])
    for i in range(8):
        add("inc " + REGS[i], [0x40 + i])
        add("dec " + REGS[i], [0x48 + i])
        add("push " + REGS[i], [0x50 + i])
        add("pop " + REGS[i], [0x58 + i])
    add("inc ax", [0x66, 0x40])
    add("dec sp", [0x66, 0x4C])
    add("push ax", [0x66, 0x50])
    add("pop si", [0x66, 0x5E])
    add("pusha", [0x60])
    add("pushaw", [0x66, 0x60])
    add("popa", [0x61])
    add("popaw", [0x66, 0x61])
    # BOUND: [esi] holds limits that contain EAX, [ebx+..] limits that do not
    inb = [mem(0x1100, 0), mem(0x1104, 0x7FFFFFFF)]
    outb = [mem(0x131C, 0x7F3EA50A), mem(0x1320, 0x7FFFFFFF)]
    add("bound r", [0x62, 0xC8])
    add("bound in", [0x62, 0x06], extras=inb)
    add("bound out", [0x62, 0x44, 0x8B, 0x10], extras=outb)
    add("bound [ebp+0x123]", [0x62] + MFORMS[2][0])
    add("bound [0x3ffe]", [0x62] + MFORMS[3][0])
    add("bound o16 in", [0x66, 0x62, 0x06], extras=[mem(0x1100, 0x7FFF0000 | 0xA509)])
    add("bound o16 out", [0x66, 0x62, 0x06], extras=[mem(0x1100, 0x0000A50A)])
    modrm_op("arpl", [0x63], v=False)
    add("arpl raise", [0x63, 0xC8], extras=[reg("eax", 0x88), reg("ecx", 0x8B)])
    add("push Iz", [0x68] + imm("z", False))
    add("push Iw", [0x66, 0x68] + imm("z", True))
    modrm_op("imul Gv,Ev,Iz", [0x69], "z", undef=S | Z | A | P)
    add("push Ib", [0x6A, 0x85])
    add("push Ib o16", [0x66, 0x6A, 0x85])
    modrm_op("imul Gv,Ev,Ib", [0x6B], "b", undef=S | Z | A | P)
    # 6C-6F INS/OUTS: port I/O (devices) - excluded
    for i in range(16):
        add("j%s rel8" % CCN[i], rel([0x70 + i], 1), reads=True)
    group("grp1 Eb,Ib", [0x80], ALU, "b", undef=alu_undef, reads=("adc", "sbb"), v=False)
    group("grp1 Ev,Iz", [0x81], ALU, "z", undef=alu_undef, reads=("adc", "sbb"))
    group("grp1 Eb,Ib 82", [0x82], ALU, "b", undef=alu_undef, reads=("adc", "sbb"), v=False)
    group("grp1 Ev,Ib", [0x83], ALU, "b", undef=alu_undef, reads=("adc", "sbb"))
    modrm_op("test Eb,Gb", [0x84], undef=A, v=False)
    modrm_op("test Ev,Gv", [0x85], undef=A)
    modrm_op("xchg Eb,Gb", [0x86], v=False)
    modrm_op("xchg Ev,Gv", [0x87])
    modrm_op("mov Eb,Gb", [0x88], v=False)
    modrm_op("mov Ev,Gv", [0x89])
    modrm_op("mov Gb,Eb", [0x8A], v=False)
    modrm_op("mov Gv,Ev", [0x8B])
    for r in range(8):
        add("mov Ew,sreg%d r" % r, [0x8C, modrm(3, r, 0)])
        add("mov Ew,sreg%d [esi]" % r, [0x8C, modrm(0, r, 6)])
    add("mov Ew,ds r o16", [0x66, 0x8C, 0xD8])
    modrm_op("lea", [0x8D])
    # mov sreg: EAX = a selector (ours: flat data, read-only data, DPL 3, not present, code)
    for r, sn in ((0, "es"), (1, "cs"), (2, "ss"), (3, "ds"), (4, "fs"), (5, "gs"), (6, "s6"), (7, "s7")):
        for sel in (DSEL, 0x90, 0xAB, 0xB0, CSEL, 0, 0x1234):
            add("mov %s,ax =%x" % (sn, sel), [0x8E, modrm(3, r, 0)], extras=[reg("eax", sel)])
        add("mov %s,[esi]" % sn, [0x8E, modrm(0, r, 6)])
    add("mov ds,[esi] =88", [0x8E, 0x1E], extras=[mem(0x1100, DSEL)])
    add("mov ds,ax o16", [0x66, 0x8E, 0xD8], extras=[reg("eax", DSEL)])
    # 8F /1-7: the SDM (and hardware) raise #UD; QEMU 7.2 ignores the reg field and pops. Only /0.
    for f, fn in gforms(0):
        add("pop Ev /0 %s" % fn, [0x8F] + f)
    add("pop Ev [esp]", [0x8F, 0x04, 0x24])
    add("pop Ev o16 [esi]", [0x66, 0x8F, 0x06])
    add("nop", [0x90])
    for i in range(1, 8):
        add("xchg eax," + REGS[i], [0x90 + i])
    add("xchg ax,cx", [0x66, 0x91])
    add("cwde", [0x98])
    add("cbw", [0x66, 0x98])
    add("cdq", [0x99])
    add("cwd", [0x66, 0x99])
    add("callf Ap", [0x9A] + le(PAD, 4) + le(CSEL, 2))
    add("callf Ap data sel", [0x9A] + le(PAD, 4) + le(DSEL, 2))
    add("callf Ap null", [0x9A] + le(PAD, 4) + le(0, 2))
    add("callf Ap o16", [0x66, 0x9A] + le(PAD, 2) + le(CSEL, 2))
    add("wait", [0x9B])
    add("pushf", [0x9C], reads=True)
    add("pushfw", [0x66, 0x9C], reads=True)
    add("popf", [0x9D])
    add("popf all", [0x9D], extras=[mem(0x3800, 0x00247FD5 & ~0x100)])
    add("popfw", [0x66, 0x9D])
    add("sahf", [0x9E])
    add("lahf", [0x9F], reads=True)
    add("mov al,moffs", [0xA0] + le(0x1101, 4))
    add("mov eax,moffs", [0xA1] + le(0x1101, 4))
    add("mov ax,moffs", [0x66, 0xA1] + le(0x1101, 4))
    add("mov moffs,al", [0xA2] + le(0x1101, 4))
    add("mov moffs,eax", [0xA3] + le(0x1101, 4))
    add("mov moffs,eax fs", [0x64, 0xA3] + le(0x1101, 4))
    add("mov moffs,ax", [0x66, 0xA3] + le(0x3FFE, 4))
    add("mov moffs,eax #pf", [0xA3] + le(0x3FFE, 4))
    strs = (("movsb", 0xA4, 0), ("movsd", 0xA5, 0), ("cmpsb", 0xA6, 1), ("cmpsd", 0xA7, 1),
            ("stosb", 0xAA, 0), ("stosd", 0xAB, 0), ("lodsb", 0xAC, 0), ("lodsd", 0xAD, 0),
            ("scasb", 0xAE, 1), ("scasd", 0xAF, 1))
    for n, op, _ in strs:
        add(n, [op])
        add(n + " o16", [0x66, op])
        add("rep " + n, [0xF3, op])
        add("repne " + n, [0xF2, op])
        add("rep " + n + " a16", [0x67, 0xF3, op])
    add("std; movsd (DF=1)", [0xA5], extras=[(X_REG, 8, FLAGS0 | 0x400)])
    add("rep stosd DF=1", [0xF3, 0xAB], extras=[(X_REG, 8, FLAGS0 | 0x400)])
    add("rep movsd ecx=0", [0xF3, 0xA5], extras=[reg("ecx", 0)])
    add("rep movsd #pf", [0xF3, 0xA5], extras=[reg("edi", 0x3FF8)])
    add("movsd es:=ds", [0x26, 0xA5])
    add("test al,Ib", [0xA8, 0x85], A)
    add("test eax,Iz", [0xA9] + imm("z", False), A)
    add("test ax,Iw", [0x66, 0xA9] + imm("z", True), A)
    for i in range(8):
        add("mov r8,Ib %d" % i, [0xB0 + i, 0x85])
        add("mov r32,Iz %d" % i, [0xB8 + i] + imm("z", False))
    add("mov r16,Iw", [0x66, 0xB9] + imm("z", True))
    group("grp2 Eb,Ib", [0xC0], SHIFT, undef=lambda o: shift_undef(o, 5), reads=("rcl", "rcr"),
          v=False, extra_imm=lambda o: [5])
    group("grp2 Ev,Ib", [0xC1], SHIFT, undef=lambda o: shift_undef(o, 5), reads=("rcl", "rcr"),
          extra_imm=lambda o: [5])
    add("shl Ev,Ib 0", [0xC1, 0xE0, 0x00])
    add("shl Ev,Ib 0x21", [0xC1, 0xE0, 0x21], shift_undef("shl", 1))
    add("rcl Ev,Ib 17 o16", [0x66, 0xC1, 0xD0, 17], O, True)
    add("rcr Eb,Ib 9", [0xC0, 0xD8, 9], O, True)
    add("ret Iw", [0xC2, 0x08, 0x00])
    add("ret Iw o16", [0x66, 0xC2, 0x08, 0x00], extras=[mem(0x3800, PAD)])
    add("ret", [0xC3])
    add("ret o16", [0x66, 0xC3])
    add("ret bad target", [0xC3], extras=[mem(0x3800, 0x9000)])
    for op, n in ((0xC4, "les"), (0xC5, "lds")):
        add(n + " r", [op, 0xC8])
        add(n + " [esi]", [op, 0x0E], extras=FAR)
        add(n + " [esi] ro", [op, 0x0E], extras=[mem(0x1100, 0x12345678), mem(0x1104, 0x90)])
        add(n + " [ebx+..]", [op, 0x5C, 0x8B, 0x10])
        add(n + " [esi] o16", [0x66, op, 0x0E], extras=[mem(0x1100, DSEL << 16 | 0x5678)])
        add(n + " [0x3ffe]", [op] + MFORMS[3][0])
    # C6/C7 /1-7 (XABORT/XBEGIN at F8 need RTM): #UD per the SDM and on hardware without RTM; QEMU 7.2
    # ignores the reg field and moves. Only /0.
    for f, fn in gforms(0):
        add("mov Eb,Ib /0 %s" % fn, [0xC6] + f + [0x85])
        add("mov Ev,Iz /0 %s" % fn, [0xC7] + f + imm("z", False))
    add("mov Ev,Iw o16", [0x66, 0xC7, 0x06] + imm("z", True))
    for lvl in (0, 1, 2, 3, 31, 33):
        add("enter 8,%d" % lvl, [0xC8, 0x08, 0x00, lvl])
    add("enter 8,2 o16", [0x66, 0xC8, 0x08, 0x00, 2])
    add("leave", [0xC9])
    add("leave o16", [0x66, 0xC9])
    add("retf Iw", [0xCA, 0x08, 0x00])
    add("retf", [0xCB])
    add("retf o16", [0x66, 0xCB], extras=[mem(0x3800, CSEL << 16 | PAD)])
    add("retf data sel", [0xCB], extras=[mem(0x3804, DSEL)])
    add("int3", [0xCC])
    add("int 0x80", [0xCD, 0x80])
    add("int 0x0d", [0xCD, 0x0D])
    add("int 0x41 (no gate)", [0xCD, 0x41])
    add("into", [0xCE], reads=True)
    add("iret", [0xCF])
    add("iret o16", [0x66, 0xCF], extras=[mem(0x3800, CSEL << 16 | PAD), mem(0x3804, 0x08D7)])
    add("iret NT", [0xCF], extras=[mem(0x3808, 0x48D7)])
    for op, n, cnt in ((0xD0, "Eb,1", 1), (0xD1, "Ev,1", 1), (0xD2, "Eb,cl", 3), (0xD3, "Ev,cl", 3)):
        group("grp2 " + n, [op], SHIFT, undef=lambda o, c=cnt: shift_undef(o, c), reads=("rcl", "rcr"),
              v=op in (0xD1, 0xD3))
    add("shl Ev,cl 0", [0xD3, 0xE0], extras=[reg("ecx", 0x20)])
    add("shr Ev,cl 33", [0xD3, 0xE8], shift_undef("shr", 1), extras=[reg("ecx", 33)])
    add("shl Eb,cl 9", [0xD2, 0xE0], O | A | C, extras=[reg("ecx", 9)])
    add("aam", [0xD4, 0x0A], O | A | C)
    add("aam 16", [0xD4, 0x10], O | A | C)
    add("aam 0", [0xD4, 0x00], O | A | C)
    add("aad", [0xD5, 0x0A], O | A | C)
    add("aad 7", [0xD5, 0x07], O | A | C)
    add("salc", [0xD6], reads=True)
    add("xlat", [0xD7])
    add("xlat a16", [0x67, 0xD7])
    # x87 escapes: CR0.EM=1, both raise #NM (kjump has no FPU)
    for op in range(0xD8, 0xE0):
        add("esc %02x r" % op, [op, 0xC1])
        add("esc %02x [esi]" % op, [op, 0x06])
    add("fnstsw ax", [0xDF, 0xE0])
    add("fninit", [0xDB, 0xE3])
    for op, n in ((0xE0, "loopne"), (0xE1, "loope"), (0xE2, "loop"), (0xE3, "jecxz")):
        add(n, rel([op], 1), reads=n != "loop" and n != "jecxz")
        add(n + " ecx=1", rel([op], 1), reads=n != "loop" and n != "jecxz", extras=[reg("ecx", 1)])
        add(n + " a16", [0x67] + rel([op], 1)[0:1] + [PAD - (CODE + 3)],
            extras=[reg("ecx", 0x10000)])
    add("jecxz ecx=0", rel([0xE3], 1), extras=[reg("ecx", 0)])
    # E4-E7, EC-EF: IN/OUT (devices) - excluded
    add("call rel32", rel([0xE8], 4))
    add("call rel16", rel([0xE8], 2, True))
    add("jmp rel32", rel([0xE9], 4))
    add("jmp rel16", rel([0xE9], 2, True))
    add("jmpf Ap", [0xEA] + le(PAD, 4) + le(CSEL, 2))
    add("jmpf Ap data sel", [0xEA] + le(PAD, 4) + le(DSEL, 2))
    add("jmpf Ap not present", [0xEA] + le(PAD, 4) + le(0xB8, 2))
    add("jmpf Ap o16", [0x66, 0xEA] + le(PAD, 2) + le(CSEL, 2))
    add("jmp rel8", rel([0xEB], 1))
    add("jmp rel8 0", [0xEB, 0x00])
    # prefixes
    for p, n in ((0x26, "es"), (0x2E, "cs"), (0x36, "ss"), (0x3E, "ds"), (0x64, "fs"), (0x65, "gs")):
        add(n + ": mov eax,[esi]", [p, 0x8B, 0x06])
        add(n + ": mov [esi],eax", [p, 0x89, 0x06])
        add(n + ": nop", [p, 0x90])
    add("66: nop", [0x66, 0x90])
    add("67: mov eax,[si]", [0x67, 0x8B, 0x04], extras=[reg("esi", 0xFFFF1100)])
    add("67: mov eax,[bx+si+0x10]", [0x67, 0x8B, 0x40, 0x10])
    add("67: mov eax,[bp+di]", [0x67, 0x8B, 0x03])
    add("67: mov eax,[0x1234]", [0x67, 0x8B, 0x06, 0x34, 0x12])
    add("67: lea eax,[bx+si-1]", [0x67, 0x8D, 0x80, 0xFF, 0xFF], extras=[reg("ebx", 0)])
    add("67: nop", [0x67, 0x90])
    add("lock add [esi],eax", [0xF0, 0x01, 0x06])
    add("lock add eax,ecx", [0xF0, 0x01, 0xC8])
    # LOCK MOV [mem]: #UD per the SDM (MOV cannot be locked); QEMU 7.2 runs it - left out
    add("lock xchg [esi],eax", [0xF0, 0x87, 0x06])
    add("lock nop", [0xF0, 0x90])
    add("lock inc [esi]", [0xF0, 0xFF, 0x06])
    add("lock bts [esi],eax", [0xF0, 0x0F, 0xAB, 0x06], O | S | A | P)
    add("lock cmpxchg8b [esi]", [0xF0, 0x0F, 0xC7, 0x0E], C | P | A | S | O)
    add("icebp", [0xF1])
    add("pause", [0xF3, 0x90])
    add("repne nop", [0xF2, 0x90])
    add("rep add", [0xF3, 0x01, 0xC8])
    # F4 HLT: stops the CPU - excluded
    add("cmc", [0xF5], reads=True)
    names3 = ["test", "test_alias", "not", "neg", "mul", "imul", "div", "idiv"]

    def g3_undef(o):
        return {"test": A, "test_alias": A, "mul": S | Z | A | P, "imul": S | Z | A | P,
                "div": ARITH, "idiv": ARITH}.get(o, 0)

    # F6/F7 /1: hardware runs the undocumented TEST alias, QEMU 7.2 raises #UD - left out
    for op, immk in ((0xF6, "b"), (0xF7, "z")):
        for r in (0, 2, 3, 4, 5, 6, 7):
            for f, fn in gforms(r) + [([modrm(3, r, 1)], "rc"), ([modrm(3, r, 6)], "r6")]:
                ib = imm(immk, False) if r < 2 else []
                add("grp3 %02x %s %s" % (op, names3[r], fn), [op] + f + ib, g3_undef(names3[r]))
            if op == 0xF7:
                ib = imm(immk, True) if r < 2 else []
                add("grp3 %s r o16" % names3[r], [0x66, op, modrm(3, r, 6)] + ib, g3_undef(names3[r]))
    add("div edx:eax/esi ok", [0xF7, 0xF6], ARITH, extras=[reg("edx", 0)])
    add("idiv -", [0xF7, 0xFE], ARITH, extras=[reg("edx", 0xFFFFFFFF), reg("eax", 0x80000000),
                                              reg("edi", 0xFFFFFFFF)])
    add("idiv 8 ok", [0xF6, 0xFA], ARITH, extras=[reg("eax", 0xFF85), reg("edx", 0x7)])
    for op, n in ((0xF8, "clc"), (0xF9, "stc"), (0xFA, "cli"), (0xFB, "sti"), (0xFC, "cld"),
                  (0xFD, "std")):
        add(n, [op])
    names4 = ["inc", "dec", "/2", "/3", "/4", "/5", "/6", "/7"]
    for r in range(8):
        for f, fn in gforms(r):
            add("grp4 %s %s" % (names4[r], fn), [0xFE] + f)
    names5 = ["inc", "dec", "call", "callf", "jmp", "jmpf", "push", "/7"]
    ptr = [mem(0x1100, PAD), mem(0x1104, CSEL)]
    for r in range(8):
        for f, fn in gforms(r):
            add("grp5 %s %s" % (names5[r], fn), [0xFF] + f, extras=ptr if fn != "r" else ())
        if r in (0, 1, 6):
            add("grp5 %s r o16" % names5[r], [0x66, 0xFF, modrm(3, r, 0)])
    add("call ecx (int3 at 3)", [0xFF, 0xD1])
    add("jmp ecx (int3 at 3)", [0xFF, 0xE1])
    add("jmp [esi] o16", [0x66, 0xFF, 0x26], extras=ptr)
    add("callf [esi] o16", [0x66, 0xFF, 0x1E], extras=[mem(0x1100, CSEL << 16 | PAD)])
    add("jmpf [esi] data sel", [0xFF, 0x2E], extras=[mem(0x1100, PAD), mem(0x1104, DSEL)])
    add("push [esp]", [0xFF, 0x34, 0x24])
    add("push [0x3ffe]", [0xFF, 0x35] + le(0x3FFE, 4))


def two_byte():
    E = [0x0F]
    # group 6: LLDT 0 and LTR 0xc8 first, so SLDT/STR read values of ours
    add("lldt ax=0", E + [0x00, 0xD0], extras=[reg("eax", 0)])
    add("ltr ax=c8", E + [0x00, 0xD8], extras=[reg("eax", 0xC8)])
    g6 = ["sldt", "str", "lldt", "ltr", "verr", "verw", "/6", "/7"]
    for r in range(8):
        for f, fn in gforms(r):
            add("grp6 %s %s" % (g6[r], fn), E + [0x00] + f, Z if r in (4, 5) else 0)
    add("sldt r o16", [0x66] + E + [0x00, 0xC0])
    add("str r o16", [0x66] + E + [0x00, 0xC8])
    add("ltr busy", E + [0x00, 0xD8], extras=[reg("eax", 0xD0)])
    add("lldt ax=88", E + [0x00, 0xD0], extras=[reg("eax", DSEL)])
    add("lldt ax=d8 (ldt)", E + [0x00, 0xD0], extras=[reg("eax", 0xD8)])
    sels = (0, CSEL, DSEL, 0x90, 0x98, 0xA0, 0xAB, 0xB0, 0xB8, 0xC5, 0xC8, 0xD0, 0xD8, 0x1234, 0x84)
    for s in sels:
        for op, n in ((0x02, "lar"), (0x03, "lsl")):
            add("%s ax=%x" % (n, s), E + [op, 0xC8], extras=[reg("eax", s)])
        add("verr ax=%x" % s, E + [0x00, 0xE0], extras=[reg("eax", s)])
        add("verw ax=%x" % s, E + [0x00, 0xE8], extras=[reg("eax", s)])
    for op, n in ((0x02, "lar"), (0x03, "lsl")):
        modrm_op(n, E + [op])
        add(n + " [esi]=88", E + [op, 0x06], extras=[mem(0x1100, DSEL)])
        add(n + " o16 ax=88", [0x66] + E + [op, 0xC8], extras=[reg("eax", DSEL)])
    # group 7
    gdtr = [mem(0x1100, (GDT_BASE & 0xFFFF) << 16 | GDT_LIMIT), mem(0x1104, GDT_BASE >> 16)]
    idtr = [mem(0x1100, (IDT_BASE & 0xFFFF) << 16 | IDT_LIMIT), mem(0x1104, IDT_BASE >> 16)]
    g7 = ["sgdt", "sidt", "lgdt", "lidt", "smsw", "/5", "lmsw", "invlpg"]
    for r in range(8):
        ex = gdtr if r == 2 else idtr if r == 3 else ()
        for f, fn in gforms(r):
            add("grp7 %s %s" % (g7[r], fn), E + [0x01] + f, extras=ex)
    add("sgdt o16", [0x66] + E + [0x01, 0x06])
    add("smsw r o16", [0x66] + E + [0x01, 0xE0])
    add("lmsw ax=cr0", E + [0x01, 0xF0], extras=[(X_CR, 0, 0)])
    add("lmsw ax=TS|MP", E + [0x01, 0xF0], extras=[reg("eax", 0x0F)])
    # register forms with their own meaning on later CPUs (VMX, MONITOR/MWAIT, XGETBV, CLAC/STAC,
    # SWAPGS, RDTSCP, ...): none exists on an i686
    for m in (0xC1, 0xC2, 0xC3, 0xC4, 0xC8, 0xC9, 0xCA, 0xCB, 0xD0, 0xD1, 0xD4, 0xD5, 0xD6,
              0xD8, 0xE8, 0xEE, 0xEF, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC):
        add("grp7 %02x" % m, E + [0x01, m], extras=[reg("ecx", 0)])
    add("clts", E + [0x06])
    add("invd", E + [0x08])
    add("wbinvd", E + [0x09])
    add("ud2", E + [0x0B])
    add("prefetch 0d", E + [0x0D, 0x06])
    add("femms", E + [0x0E])
    add("3dnow", E + [0x0F, 0xC1, 0x9E])
    add("syscall", E + [0x05])
    add("sysret", E + [0x07])
    add("0f 04", E + [0x04])
    add("0f 0a", E + [0x0A])
    add("0f 0c", E + [0x0C])
    for op in range(0x10, 0x18):
        add("sse 0f %02x r" % op, E + [op, 0xC1])
        add("sse 0f %02x [esi]" % op, E + [op, 0x06])
    for op in range(0x18, 0x20):
        add("hint nop 0f %02x [esi]" % op, E + [op, 0x06])
        if op != 0x18:  # 0F 18 with a register operand: a NOP on hardware, #UD under QEMU 7.2 - left out
            add("hint nop 0f %02x r" % op, E + [op, 0xC1])
    add("nopw 0f 1f o16", [0x66] + E + [0x1F, 0x44, 0x00, 0x00])
    # MOV from CR: CR3 is an address of the image (hidden); to CR: the value already there
    for cr in range(8):
        ex = [(X_HIDE, 0, 0)] if cr == 3 else []
        add("mov eax,cr%d" % cr, E + [0x20, modrm(3, cr, 0)], extras=ex)
        add("mov cr%d,eax" % cr, E + [0x22, modrm(3, cr, 0)], extras=[(X_CR, 0, cr)])
    add("mov cr2,eax value", E + [0x22, 0xD0])
    add("mov cr0 mod!=3", E + [0x20, 0x06])
    for dr in range(8):
        add("mov eax,dr%d" % dr, E + [0x21, modrm(3, dr, 0)])
    for dr in range(8):
        add("mov dr%d,eax" % dr, E + [0x23, modrm(3, dr, 0)], extras=[reg("eax", 0 if dr >= 4 else 0x1234)])
    add("mov eax,dr0 again", E + [0x21, 0xC0])
    add("mov tr 0f 24", E + [0x24, 0xC0])
    add("mov tr 0f 26", E + [0x26, 0xC0])
    add("0f 25", E + [0x25, 0xC0])
    add("0f 27", E + [0x27, 0xC0])
    for op in range(0x28, 0x30):
        # 0F 2A/2C/2D (CVT*PI with MMX registers): QEMU 7.2 runs them with CR0.EM set and no SSE,
        # hardware without SSE raises #UD - left out
        if op not in (0x2A, 0x2C, 0x2D):
            add("sse 0f %02x r" % op, E + [op, 0xC1])
    # 0F 30 WRMSR, 0F 32 RDMSR - excluded: real MSRs are model-specific, and QEMU 7.2's TCG
    # reads an unknown MSR as 0 and ignores a write to one, where hardware (and kjump, as issue
    # 10 asks: Linux's rdmsr_safe) raises #GP(0).
    # 0F 31 RDTSC, 0F 33 RDPMC: time / model dependent - excluded
    # 0F 34 SYSENTER, 0F 35 SYSEXIT - excluded: QEMU's TCG executes them whatever the CPU model's
    # SEP bit says (#GP(0) here, SYSENTER_CS being 0), where an i686 without SEP (kjump) has #UD.
    add("0f 36", E + [0x36])
    add("getsec", E + [0x37])
    add("0f 38 00 (pshufb)", E + [0x38, 0x00, 0xC1])
    add("0f 38 f0 (movbe)", E + [0x38, 0xF0, 0x06])
    add("0f 38 f1 (movbe/crc32)", E + [0x38, 0xF1, 0x06])
    add("0f 3a 0f (palignr)", E + [0x3A, 0x0F, 0xC1, 0x01])
    for op in (0x39, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F):
        add("0f %02x" % op, E + [op, 0xC1])
    for i in range(16):
        modrm_op("cmov%s" % CCN[i], E + [0x40 + i], reads=True,
                 forms=RFORMS[0:1] + MFORMS[0:1] + MFORMS[3:4])
    for op in range(0x50, 0x80):
        if op == 0x77:  # EMMS: QEMU 7.2 runs it with CR0.EM set and no MMX, hardware raises #UD - left out
            continue
        add("mmx/sse 0f %02x r" % op, E + [op, 0xC1] + ([0x01] if op in (0x70, 0x71, 0x72, 0x73) else []))
        if op in (0x6E, 0x6F, 0x7E, 0x7F):
            add("mmx/sse 0f %02x [esi]" % op, E + [op, 0x06])
    add("66 0f 6f (movdqa)", [0x66] + E + [0x6F, 0xC1])
    add("f3 0f 7e (movq)", [0xF3] + E + [0x7E, 0xC1])
    for i in range(16):
        add("j%s rel32" % CCN[i], rel(E + [0x80 + i], 4), reads=True)
        add("j%s rel16" % CCN[i], rel(E + [0x80 + i], 2, True), reads=True)
    for i in range(16):
        add("set%s r" % CCN[i], E + [0x90 + i, 0xC1], reads=True)
        add("set%s [esi]" % CCN[i], E + [0x90 + i, 0x06], reads=True)
    add("seto r reg=3", E + [0x90, 0xDE], reads=True)
    for op, n in ((0xA0, "push fs"), (0xA8, "push gs")):
        add(n, E + [op])
        add(n + " o16", [0x66] + E + [op])
    for op, n in ((0xA1, "pop fs"), (0xA9, "pop gs")):
        add(n, E + [op])
        add(n + " 0x88", E + [op], extras=[mem(0x3800, DSEL)])
        add(n + " o16", [0x66] + E + [op], extras=[mem(0x3800, 0x90)])
    # 0F A2 CPUID: model and feature bits differ - excluded
    bt_u = O | S | A | P
    for op, n in ((0xA3, "bt"), (0xAB, "bts"), (0xB3, "btr"), (0xBB, "btc")):
        modrm_op(n + " Ev,Gv", E + [op], undef=bt_u)
        add(n + " [esi],eax far", E + [op, 0x06], bt_u, extras=[reg("eax", 0x85)])
        add(n + " [esi],eax neg", E + [op, 0x06], bt_u, extras=[reg("eax", 0xFFFFFF85)])
    for op, n, cl in ((0xA4, "shld Ib", False), (0xA5, "shld cl", True), (0xAC, "shrd Ib", False),
                      (0xAD, "shrd cl", True)):
        ib = [] if cl else [5]
        modrm_op(n, E + [op], undef=O | A, forms=RFORMS + MFORMS[0:2] + MFORMS[3:4])
        for f, fn in RFORMS[0:1] + MFORMS[0:1]:
            add(n + " " + fn + " ib", E + [op] + f + ib, O | A)
            add(n + " " + fn + " o16", [0x66] + E + [op] + f + ib, O | A)
    add("shld cl=1", E + [0xA5, 0xC8], A, extras=[reg("ecx", 1)])
    add("shrd cl=0", E + [0xAD, 0xC8], extras=[reg("ecx", 0)])
    add("0f a6", E + [0xA6, 0xC1])
    add("0f a7", E + [0xA7, 0xC1])
    add("rsm", E + [0xAA])
    g15 = ["fxsave", "fxrstor", "ldmxcsr", "stmxcsr", "xsave", "xrstor", "xsaveopt", "clflush"]
    for r in range(8):
        add("grp15 %s [esi]" % g15[r], E + [0xAE, modrm(0, r, 6)])
        add("grp15 /%d r (fences)" % r, E + [0xAE, modrm(3, r, 0)])
    modrm_op("imul Gv,Ev", E + [0xAF], undef=S | Z | A | P)
    modrm_op("cmpxchg Eb,Gb", E + [0xB0], v=False)
    modrm_op("cmpxchg Ev,Gv", E + [0xB1])
    add("cmpxchg equal", E + [0xB1, 0x0E], extras=[mem(0x1100, 0x7F3EA509)])
    add("cmpxchg equal r", E + [0xB1, 0xC8], extras=[reg("eax", 0x1234)])
    for op, n in ((0xB2, "lss"), (0xB4, "lfs"), (0xB5, "lgs")):
        add(n + " r", E + [op, 0xC8])
        add(n + " [esi]", E + [op, 0x26], extras=FAR)
        add(n + " [esi] ro", E + [op, 0x26], extras=[mem(0x1100, 0x3000), mem(0x1104, 0x90)])
        add(n + " [ebx+..]", E + [op, 0x64, 0x8B, 0x10])
        add(n + " [esi] o16", [0x66] + E + [op, 0x26], extras=[mem(0x1100, DSEL << 16 | 0x3000)])
    add("lss [esi] sp=3000", E + [0xB2, 0x26], extras=[mem(0x1100, 0x3000), mem(0x1104, DSEL)])
    for op, n in ((0xB6, "movzx Gv,Eb"), (0xB7, "movzx Gv,Ew"), (0xBE, "movsx Gv,Eb"), (0xBF, "movsx Gv,Ew")):
        modrm_op(n, E + [op])
    add("jmpe/popcnt 0f b8", E + [0xB8, 0xC1])
    add("popcnt f3 0f b8", [0xF3] + E + [0xB8, 0xC1])
    add("ud1 0f b9", E + [0xB9, 0xC1])
    add("ud1 0f b9 [esi]", E + [0xB9, 0x06])
    g8 = ["/0", "/1", "/2", "/3", "bt", "bts", "btr", "btc"]
    for r in range(8):
        for f, fn in gforms(r):
            add("grp8 %s %s" % (g8[r], fn), E + [0xBA] + f + [0x25], bt_u)
        if r >= 4:
            add("grp8 %s r o16" % g8[r], [0x66] + E + [0xBA, modrm(3, r, 0), 0x25], bt_u)
    for op, n in ((0xBC, "bsf"), (0xBD, "bsr")):
        modrm_op(n, E + [op], undef=C | O | S | A | P)
        add(n + " src=0", E + [op, 0xC8], C | O | S | A | P, extras=[reg("eax", 0)])
    add("tzcnt f3 0f bc", [0xF3] + E + [0xBC, 0xC8], C | O | S | A | P)
    add("lzcnt f3 0f bd", [0xF3] + E + [0xBD, 0xC8], C | O | S | A | P)
    modrm_op("xadd Eb,Gb", E + [0xC0], v=False)
    modrm_op("xadd Ev,Gv", E + [0xC1])
    for op in (0xC2, 0xC3, 0xC4, 0xC5, 0xC6):
        add("sse 0f %02x" % op, E + [op, 0xC1, 0x00])
    add("movnti 0f c3 [esi]", E + [0xC3, 0x06])
    # group 9: CMPXCHG8B.  QEMU 7.2 leaves CF PF AF SF OF wrong after it (see fuzz/gen.py): masked
    g9 = ["/0", "cmpxchg8b", "/2", "/3", "/4", "/5", "rdrand", "rdseed"]
    c8u = C | P | A | S | O
    for r in range(8):
        for f, fn in gforms(r):
            add("grp9 %s %s" % (g9[r], fn), E + [0xC7] + f, c8u if r == 1 else 0)
    add("cmpxchg8b equal", E + [0xC7, 0x0E], c8u,
        extras=[mem(0x1100, 0x7F3EA509), mem(0x1104, 1)])
    add("cmpxchg8b [0x3ffe]", E + [0xC7, 0x0D] + le(0x3FFE, 4), c8u)
    for i in range(8):
        add("bswap " + REGS[i], E + [0xC8 + i])
    add("bswap o16", [0x66] + E + [0xC8])
    for op in range(0xD0, 0x100):
        add("mmx/sse 0f %02x" % op, E + [op, 0xC1])


def emit(out):
    lines = []
    extras = [(0, 0, 0)]     # index 0: none
    rows = []
    for c in CASES:
        xi = 0
        if c.extras:
            xi = len(extras)
            extras.extend(c.extras)
            extras.append((0, 0, 0))
        for fs in c.fstates:
            mask = PRINT & ~c.undef
            rows.append("    { %2d, %d, 0x%06x, %4d, { %s } },  /* %s */" % (
                len(c.code), fs, mask, xi, ", ".join("0x%02x" % b for b in c.code),
                c.name.replace("*/", "* /")))
    lines.append("/* opmap_cases.h - generated by images/opmap/gen.py; do not edit. */")
    lines.append("/* %d cases (see gen.py's docstring for what they are) */" % len(rows))
    lines.append("#define OPMAP_FLAGS0 0x%04x" % FLAGS0)
    lines.append("#define OPMAP_FLAGS1 0x%04x" % FLAGS1)
    for r in REGS:
        lines.append("#define OPMAP_INIT_%s 0x%08x" % (r.upper(), INIT[r]))
    lines.append("")
    lines.append("static const struct opmap_extra opmap_extras[] = {")
    for k, a, v in extras:
        lines.append("    { %d, 0x%05x, 0x%08x }," % (k, a, v))
    lines.append("};")
    lines.append("")
    lines.append("static const struct opmap_case opmap_cases[] = {")
    lines.extend(rows)
    lines.append("};")
    out.write("\n".join(lines) + "\n")
    return len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default="tests/opmap_cases.h")
    args = ap.parse_args()
    one_byte()
    n1 = len(CASES)
    two_byte()
    with open(args.output, "w") as f:
        n = emit(f)
    print("opmap: %d instructions (%d one-byte, %d 0F), %d cases" % (len(CASES), n1, len(CASES) - n1, n))


if __name__ == "__main__":
    main()
