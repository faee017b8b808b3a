#!/usr/bin/env python3
"""gen.py - generator for the cpufuzz differential CPU test (developer tool).

Writes tests/cpufuzz_blocks.S: NBLOCKS functions cpufuzz_block_N, each one
    FZ_ENTER                 load EAX..EDI and the arithmetic flags from
                             cpufuzz_state (filled by tests/cpufuzz.c from a
                             PRNG), EBP = cpufuzz_buf + 512
    <random instruction groups>
    FZ_LEAVE mask            store EAX..EDI and EFLAGS back, plus `mask'
plus a table cpufuzz_blocks[].  tests/cpufuzz.c prints one line per block.
The output is deterministic for a given seed and committed, so building the
images never needs python.  Regenerate with

    python3 fuzz/gen.py                    # defaults: seed 1, 1000 blocks
    python3 fuzz/gen.py --trace -o X.S     # debugging variant: a trace line
                                           # after every instruction group

Defined behaviour only:
  * EFLAGS: the generator tracks, for each of CF PF AF ZF SF OF, whether the
    SDM defines its value at every point of the block (the initial flags are
    loaded, so defined).  Each instruction defines, undefines or leaves each
    flag alone (e.g. AND: AF undefined; MUL: SF ZF AF PF undefined; shifts by
    more than one: OF undefined; SHL/SHR by >= operand width: CF undefined;
    BT*: ZF unchanged, OF SF AF PF undefined; count 0 shifts: unchanged).  An
    instruction that reads a flag which is undefined at that point (ADC, SBB,
    RCL, RCR, CMOVcc, SETcc, Jcc, LAHF, CMC, LOOPE/NE) is preceded by a CMP
    that defines all six.  FZ_LEAVE records the mask of flags defined at the
    end of the block; the C driver prints EFLAGS & mask.  PUSHF results are
    ANDed with the mask of flags defined at that point.  Along a Jcc skip the
    flags after the join are defined only if defined on both paths.
  * DIV/IDIV operands are prepared so that no #DE can occur; BSF/BSR sources
    are ORed with a bit first; 16-bit SHLD/SHRD counts are < 16; BT with a
    register bit offset on memory has the offset ANDed to 0..63 (or -32..31).
  * Memory operands always address cpufuzz_buf (1 KiB, EBP = its middle);
    ESP and EBP are never destinations.  No register value may depend on an
    address (the buffer and stack addresses differ between the .elf and the
    .mb.elf images): a base register loaded with LEA is saved/restored with
    PUSH/POP around its instruction, and string-op pointers are turned back
    into offsets (SUB %ebp inside PUSHF/POPF) afterwards.
  * DF is 0 at the end of every block.

One QEMU deviation is worked around (see --strict-sdm): QEMU 7.2 leaves
wrong CF PF AF SF OF after CMPXCHG8B (the SDM says unaffected; kjump and a
real CPU agree with the SDM): its helper reads a stale lazy-flags state.
So those flags are treated as undefined after CMPXCHG8B, and a PUSHF that
could see the stale state (it leaks into IF/DF/AC too) gets a CMP first.
fuzz/native.sh runs the same blocks on the host CPU to check the reference.
"""
import argparse
import random
import sys

FLAGS = "CPAZSO"
BIT = {"C": 0x1, "P": 0x4, "A": 0x10, "Z": 0x40, "S": 0x80, "O": 0x800}
ALL = frozenset(FLAGS)
ARITH = 0x8D5

R32 = ["eax", "ecx", "edx", "ebx", "esi", "edi"]
R16 = ["ax", "cx", "dx", "bx", "si", "di"]
R8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"]
REGS = {8: R8, 16: R16, 32: R32}
FAM = {}
for _r32, _r16 in zip(R32, R16):
    FAM[_r32] = _r32
    FAM[_r16] = _r32
for _r8 in R8:
    FAM[_r8] = "e" + _r8[0] + "x"
NUM8 = {r: i for i, r in enumerate(R8)}
SFX = {8: "b", 16: "w", 32: "l"}
MASK = {8: 0xFF, 16: 0xFFFF, 32: 0xFFFFFFFF}
LOW8 = {"eax": "al", "ecx": "cl", "edx": "dl", "ebx": "bl"}

# condition code -> flags it reads (several spellings, same encodings)
CC = {
    "o": "O", "no": "O", "b": "C", "c": "C", "nae": "C", "ae": "C", "nb": "C", "nc": "C",
    "e": "Z", "z": "Z", "ne": "Z", "nz": "Z", "be": "CZ", "na": "CZ", "a": "CZ", "nbe": "CZ",
    "s": "S", "ns": "S", "p": "P", "pe": "P", "np": "P", "po": "P",
    "l": "SO", "nge": "SO", "ge": "SO", "nl": "SO", "le": "ZSO", "ng": "ZSO", "g": "ZSO", "nle": "ZSO",
}

STRICT_SDM = False  # --strict-sdm: no QEMU workarounds (see CMPXCHG8B)

BUF = 1024          # bytes in cpufuzz_buf; EBP = cpufuzz_buf + HALF
HALF = BUF // 2

EDGE = [0, 1, 2, 3, 7, 8, 0xF, 0x10, 0x1F, 0x20, 0x3F, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x100,
        0x7FFF, 0x8000, 0x8001, 0xFFFE, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0x80000001,
        0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFF80, 0xFFFF8000, 0x55555555, 0xAAAAAAAA, 0x12345678]


class Block:
    def __init__(self, rng, num, trace):
        self.rng = rng
        self.num = num
        self.trace = trace
        self.lines = []
        self.undef = set()      # flags whose value is undefined here
        self.live_base = set()  # registers currently holding an address
        self.nlabel = 0
        self.in_body = False    # inside a LOOP body: no flag reads allowed
        self.poison = False     # QEMU 7.2's lazy flags are garbage (after CMPXCHG8B)

    # ---- helpers -------------------------------------------------------
    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def label(self):
        self.nlabel += 1
        return ".Lb%d_%d" % (self.num, self.nlabel)

    def reg(self, size, av=()):
        cands = [r for r in REGS[size] if FAM[r] not in av]
        return self.pick(cands)

    def imm(self, size):
        r = self.rng.random()
        if r < 0.3:
            v = self.rng.randint(0, 16)
        elif r < 0.55:
            v = self.pick(EDGE)
        elif r < 0.65:
            v = -self.rng.randint(1, 16)
        else:
            v = self.rng.getrandbits(32)
        return v & MASK[size]

    def op(self, text, reads="", defs="", undefs="", pushf=False):
        reads = set(reads)
        if reads & self.undef or (pushf and self.poison):
            assert not self.in_body or text.startswith("loop"), text
            self.definer()
        self.lines.append("\t" + text)
        self.undef = (self.undef - set(defs)) | set(undefs)
        if set("SZP") <= set(defs):
            self.poison = False

    def raw(self, text):
        self.lines.append(text)

    def definer(self):
        """A CMP: defines all six arithmetic flags, writes no register."""
        size = self.pick([8, 16, 32])
        av = set(self.live_base)
        a = self.reg(size, av)
        if self.chance(0.5):
            src = "%" + self.reg(size, av)
        else:
            src = "$0x%x" % self.imm(size)
        self.lines.append("\tcmp%s %s, %%%s" % (SFX[size], src, a))
        self.undef = set()
        self.poison = False

    def mask(self):
        m = 0
        for f in FLAGS:
            if f not in self.undef:
                m |= BIT[f]
        return m

    # ---- memory operands ----------------------------------------------
    def mem(self, size, av=(), lo=0, hi=0):
        """Emit preparation and return (operand, post_lines).  The operand
        addresses [a - lo, a + size + hi) inside cpufuzz_buf.  Registers in
        av are not used as base registers (they may be used as indexes: the
        index value is bounded but address-independent)."""
        av = set(av) | self.live_base
        lo_off, hi_off = -HALF + lo, HALF - size - hi   # offsets from EBP
        form = self.pick(["ebp", "ebp", "ebp_idx", "abs", "abs_idx", "base", "base_idx"])
        seg = ""
        if self.chance(0.08):
            seg = self.pick(["%ds:", "%es:", "%ss:"])
        idx = None
        imin = imax = 0
        scale = 1
        if form.endswith("idx"):
            idx = self.reg(32, av)
            kind = self.rng.random()
            if kind < 0.5 or idx not in LOW8:
                self.op("andl $15, %%%s" % idx, defs=ALL - {"A"}, undefs="A")
                imin, imax = 0, 15
            elif kind < 0.75:
                self.op("movzbl %%%s, %%%s" % (LOW8[idx], idx))
                imin, imax = 0, 255
            else:
                self.op("movsbl %%%s, %%%s" % (LOW8[idx], idx))
                imin, imax = -128, 127
            scale = self.pick([1, 2, 4, 8])
            while scale > 1 and (imax - imin) * scale > (hi_off - lo_off):
                scale //= 2
        dlo = lo_off - imin * scale
        dhi = hi_off - imax * scale
        assert dlo <= dhi
        if self.chance(0.7) and max(dlo, -128) <= min(dhi, 127):
            d = self.rng.randint(max(dlo, -128), min(dhi, 127))
        else:
            d = self.rng.randint(dlo, dhi)
        disp32 = "{disp32} " if self.chance(0.05) else ""
        post = []
        ix = ",%%%s,%d" % (idx, scale) if idx else ""
        if form.startswith("ebp"):
            opnd = "%s%d(%%ebp%s)" % (seg, d, ix)
        elif form.startswith("abs"):
            opnd = "%scpufuzz_buf+%d%s" % (seg, HALF + d, "(" + ix + ")" if idx else "")
        else:
            cands = [r for r in R32 if r not in av and r != idx]
            if not cands:
                opnd = "%s%d(%%ebp%s)" % (seg, d, ix)
            else:
                b = self.pick(cands)
                # b = EBP + d0, operand d1(b) with d0 + d1 = d
                r = self.rng.random()
                d1 = 0 if r < 0.4 else self.rng.randint(-128, 127) if r < 0.8 else self.rng.randint(-0x10000, 0x10000)
                d0 = d - d1
                self.raw("\tpushl %%%s" % b)
                self.raw("\tleal %d(%%ebp), %%%s" % (d0, b))
                self.live_base.add(b)
                opnd = "%s%s(%%%s%s)" % (seg, d1 if d1 else "", b, ix)
                post = ["\tpopl %%%s" % b]
        return disp32, opnd, post

    def end_mem(self, post):
        for p in post:
            self.raw(p)
            self.live_base.discard(p.split("%")[1])

    # ---- instruction groups -------------------------------------------
    def g_alu(self, av=(), nr=False):
        ops = ["add", "sub", "and", "or", "xor", "cmp"] + ([] if nr else ["adc", "sbb"])
        o = self.pick(ops)
        size = self.pick([8, 16, 32])
        s = SFX[size]
        reads = "C" if o in ("adc", "sbb") else ""
        if o in ("and", "or", "xor"):
            defs, undefs = ALL - {"A"}, "A"
        else:
            defs, undefs = ALL, ""
        form = self.pick(["rr", "rr", "ri", "ri", "rm", "mr", "mi"])
        if form == "rr":
            pre = self.pick(["", "", "{load} ", "{store} "])
            self.op("%s%s%s %%%s, %%%s" % (pre, o, s, self.reg(size, av), self.reg(size, av)),
                    reads, defs, undefs)
        elif form == "ri":
            d = self.reg(size, av)
            v = self.imm(size)
            if size == 8 and self.chance(0.15):
                # 0x82: alias of 0x80 in 32-bit mode
                n = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"].index(o)
                self.op(".byte 0x82, 0x%02x, 0x%02x\t/* %s $0x%x, %%%s */" %
                        (0xC0 | n << 3 | NUM8[d], v, o + s, v, d), reads, defs, undefs)
            else:
                self.op("%s%s $0x%x, %%%s" % (o, s, v, d), reads, defs, undefs)
        else:
            r = self.reg(size, av)
            d32, m, post = self.mem(size, set(av) | {FAM[r]})
            lock = "lock " if form != "rm" and o != "cmp" and self.chance(0.15) else ""
            if form == "rm":
                t = "%s%s%s %s, %%%s" % (d32, o, s, m, r)
            elif form == "mr":
                t = "%s%s%s%s %%%s, %s" % (d32, lock, o, s, r, m)
            else:
                t = "%s%s%s%s $0x%x, %s" % (d32, lock, o, s, self.imm(size), m)
            self.op(t, reads, defs, undefs)
            self.end_mem(post)

    def g_test(self, av=(), nr=False):
        size = self.pick([8, 16, 32])
        s = SFX[size]
        form = self.pick(["rr", "ri", "mr", "mi"])
        fl = dict(defs=ALL - {"A"}, undefs="A")
        if form == "rr":
            self.op("test%s %%%s, %%%s" % (s, self.reg(size, av), self.reg(size, av)), **fl)
        elif form == "ri":
            self.op("test%s $0x%x, %%%s" % (s, self.imm(size), self.reg(size, av)), **fl)
        else:
            r = self.reg(size, av)
            d32, m, post = self.mem(size, set(av) | {FAM[r]})
            src = "%" + r if form == "mr" else "$0x%x" % self.imm(size)
            self.op("%stest%s %s, %s" % (d32, s, src, m), **fl)
            self.end_mem(post)

    def g_unary(self, av=(), nr=False):
        o = self.pick(["inc", "dec", "inc", "dec", "neg", "not"])
        size = self.pick([8, 16, 32])
        fl = {"inc": dict(defs="OSZAP"), "dec": dict(defs="OSZAP"), "neg": dict(defs=ALL), "not": {}}[o]
        if self.chance(0.6):
            self.op("%s%s %%%s" % (o, SFX[size], self.reg(size, av)), **fl)
        else:
            d32, m, post = self.mem(size, av)
            lock = "lock " if self.chance(0.15) else ""
            self.op("%s%s%s%s %s" % (d32, lock, o, SFX[size], m), **fl)
            self.end_mem(post)

    def shift_flags(self, o, size, n):
        m = n & 31
        if m == 0:
            return dict()
        reads = "C" if o in ("rcl", "rcr") else ""
        if o in ("shl", "sal", "shr", "sar"):
            defs, undefs = set("SZP"), {"A"}
            if o == "sar" or m < size:
                defs.add("C")
            else:
                undefs.add("C")
        else:
            defs, undefs = {"C"}, set()
        if m == 1:
            defs.add("O")
        else:
            undefs.add("O")
        return dict(reads=reads, defs=defs, undefs=undefs)

    def g_shift(self, av=(), nr=False):
        ops = ["shl", "shr", "sar", "rol", "ror", "sal"] + ([] if nr else ["rcl", "rcr", "rcl", "rcr"])
        o = self.pick(ops)
        size = self.pick([8, 16, 32])
        s = SFX[size]
        cform = self.pick(["one", "imm", "imm", "cl"] if "ecx" not in av else ["one", "imm"])
        if cform == "one":
            n = 1
        elif self.chance(0.8):
            n = self.rng.randint(0, 31)
        else:
            n = self.rng.randint(32, 255)
        if cform == "cl":
            self.op("movb $%d, %%cl" % n)
        fl = self.shift_flags(o, size, n)
        mav = set(av) | ({"ecx"} if cform == "cl" else set())
        if self.chance(0.6):
            d = self.reg(size, av)
            if cform == "one" and self.chance(0.2) and o != "sal":
                # C0/C1 /r ib with count 1 (the assembler prefers D0/D1)
                n_ = ["rol", "ror", "rcl", "rcr", "shl", "shr", None, "sar"].index(o)
                rn = NUM8[d] if size == 8 else ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"].index(FAM[d])
                pfx = "0x66, " if size == 16 else ""
                self.op(".byte %s0x%02x, 0x%02x, 0x01\t/* %s $1, %%%s */" %
                        (pfx, 0xC0 if size == 8 else 0xC1, 0xC0 | n_ << 3 | rn, o + s, d), **fl)
                return
            dst = "%" + d
            d32, post = "", []
        else:
            d32, dst, post = self.mem(size, mav)
        if cform == "one":
            src = self.pick(["", "$1, "])
        elif cform == "imm":
            src = "$%d, " % n
        else:
            src = "%cl, "
        self.op("%s%s%s %s%s" % (d32, o, s, src, dst), **fl)
        self.end_mem(post)

    def g_shld(self, av=(), nr=False):
        o = self.pick(["shld", "shrd"])
        size = self.pick([32, 32, 16])
        s = SFX[size]
        cl = "ecx" not in av and self.chance(0.5)
        if size == 32:
            n = self.rng.randint(0, 31) if self.chance(0.85) else self.rng.randint(32, 255)
        else:
            n = self.rng.randint(0, 15) + (32 * self.rng.randint(0, 7) if self.chance(0.15) else 0)
        m = n & 31
        fl = {} if m == 0 else dict(defs=set("CSZP") | ({"O"} if m == 1 else set()),
                                    undefs={"A"} | (set() if m == 1 else {"O"}))
        if cl:
            self.op("movb $%d, %%cl" % n)
        src = self.reg(size, av)
        cnt = "%cl" if cl else "$%d" % n
        if self.chance(0.6):
            self.op("%s%s %s, %%%s, %%%s" % (o, s, cnt, src, self.reg(size, av)), **fl)
        else:
            d32, m_, post = self.mem(size, set(av) | {FAM[src]} | ({"ecx"} if cl else set()))
            self.op("%s%s%s %s, %%%s, %s" % (d32, o, s, cnt, src, m_), **fl)
            self.end_mem(post)

    def g_mul(self, av=(), nr=False):
        fl = dict(defs="CO", undefs="SZAP")
        kind = self.pick(["one", "one", "two", "three"] if not ({"eax", "edx"} & set(av)) else ["two", "three"])
        size = self.pick([8, 16, 32]) if kind == "one" else self.pick([16, 32])
        s = SFX[size]
        if kind == "one":
            o = self.pick(["mul", "imul"])
            if self.chance(0.6):
                self.op("%s%s %%%s" % (o, s, self.reg(size, av)), **fl)
            else:
                d32, m, post = self.mem(size, set(av) | {"eax", "edx"})
                self.op("%s%s%s %s" % (d32, o, s, m), **fl)
                self.end_mem(post)
            return
        d = self.reg(size, av)
        if self.chance(0.5):
            src, post, d32 = "%" + self.reg(size, av), [], ""
        else:
            d32, src, post = self.mem(size, set(av) | {FAM[d]})
        if kind == "two":
            self.op("%simul%s %s, %%%s" % (d32, s, src, d), **fl)
        else:
            v = self.imm(size) if self.chance(0.6) else self.rng.randint(-128, 127) & MASK[size]
            self.op("%simul%s $0x%x, %s, %%%s" % (d32, s, v, src, d), **fl)
        self.end_mem(post)

    def g_div(self, av=(), nr=False):
        o = self.pick(["div", "idiv"])
        size = self.pick([8, 16, 32])
        s = SFX[size]
        top = 1 << (size - 1)
        M = MASK[size]
        if self.chance(0.5):
            dv = "%" + self.reg(size, {"eax", "edx"} if size > 8 else {"eax"})
            d32, post = "", []
        else:
            d32, dv, post = self.mem(size, {"eax", "edx"})
        hi = {8: "ah", 16: "dx", 32: "edx"}[size]
        hs = "b" if size == 8 else s
        if o == "div":
            if self.chance(0.5):
                self.op("%sor%s $1, %s" % (d32, s, dv), defs=ALL - {"A"}, undefs="A")
                if self.chance(0.5):
                    self.op("mov%s $0, %%%s" % (hs, hi))
                else:
                    self.op("xor%s %%%s, %%%s" % (hs, hi, hi), defs=ALL - {"A"}, undefs="A")
            else:
                self.op("%sor%s $0x%x, %s" % (d32, s, top, dv), defs=ALL - {"A"}, undefs="A")
                self.op("and%s $0x%x, %%%s" % (hs, top - 1, hi), defs=ALL - {"A"}, undefs="A")
        else:
            self.op({8: "cbtw", 16: "cwtd", 32: "cltd"}[size])
            k = self.rng.randint(0, 2)
            if k == 0:      # even, 2 mod 4: never 0 or -1
                a, b = ("and", M & ~1), ("or", 2)
            elif k == 1:    # positive odd
                a, b = ("and", top - 1), ("or", 1)
            else:           # negative odd, bit 1 clear: never -1
                a, b = ("or", top | 1), ("and", M & ~2)
            for (x, v) in (a, b):
                self.op("%s%s%s $0x%x, %s" % (d32, x, s, v, dv), defs=ALL - {"A"}, undefs="A")
        self.op("%s%s%s %s" % (d32, o, s, dv), undefs=ALL)
        self.end_mem(post)

    def g_bt(self, av=(), nr=False):
        o = self.pick(["bt", "bts", "btr", "btc"])
        size = self.pick([16, 32])
        s = SFX[size]
        fl = dict(defs="C", undefs="OSAP")
        form = self.pick(["rr", "ri", "mi", "mr"])
        if form == "rr":
            self.op("%s%s %%%s, %%%s" % (o, s, self.reg(size, av), self.reg(size, av)), **fl)
        elif form == "ri":
            n = self.rng.randint(0, size - 1) if self.chance(0.8) else self.rng.randint(0, 255)
            self.op("%s%s $%d, %%%s" % (o, s, n, self.reg(size, av)), **fl)
        elif form == "mi":
            n = self.rng.randint(0, size - 1) if self.chance(0.8) else self.rng.randint(0, 255)
            d32, m, post = self.mem(size, av)
            lock = "lock " if o != "bt" and self.chance(0.15) else ""
            self.op("%s%s%s%s $%d, %s" % (d32, lock, o, s, n, m), **fl)
            self.end_mem(post)
        else:
            r = self.reg(32, av)
            self.op("andl $63, %%%s" % r, defs=ALL - {"A"}, undefs="A")
            if self.chance(0.5):
                self.op("subl $32, %%%s" % r, defs=ALL)
            d32, m, post = self.mem(size, set(av) | {r}, lo=8, hi=8)
            lock = "lock " if o != "bt" and self.chance(0.15) else ""
            rr = r if size == 32 else R16[R32.index(r)]
            self.op("%s%s%s%s %%%s, %s" % (d32, lock, o, s, rr, m), **fl)
            self.end_mem(post)

    def g_bsf(self, av=(), nr=False):
        o = self.pick(["bsf", "bsr"])
        size = self.pick([16, 32])
        s = SFX[size]
        d = self.reg(size, av)
        bit = 1 << self.rng.randint(0, size - 1)
        if self.chance(0.6):
            src = self.reg(size, av)
            self.op("or%s $0x%x, %%%s" % (s, bit, src), defs=ALL - {"A"}, undefs="A")
            self.op("%s%s %%%s, %%%s" % (o, s, src, d), defs="Z", undefs="COSAP")
        else:
            d32, m, post = self.mem(size, set(av) | {FAM[d]})
            self.op("%sor%s $0x%x, %s" % (d32, s, bit, m), defs=ALL - {"A"}, undefs="A")
            self.op("%s%s%s %s, %%%s" % (d32, o, s, m, d), defs="Z", undefs="COSAP")
            self.end_mem(post)

    def g_bswap(self, av=(), nr=False):
        self.op("bswap %%%s" % self.reg(32, av))

    def g_movx(self, av=(), nr=False):
        o, ss, ds = self.pick([("movzbl", 8, 32), ("movzwl", 16, 32), ("movzbw", 8, 16),
                               ("movsbl", 8, 32), ("movswl", 16, 32), ("movsbw", 8, 16)])
        d = self.reg(ds, av)
        if self.chance(0.6):
            self.op("%s %%%s, %%%s" % (o, self.reg(ss, av), d))
        else:
            d32, m, post = self.mem(ss, set(av) | {FAM[d]})
            self.op("%s%s %s, %%%s" % (d32, o, m, d))
            self.end_mem(post)

    def g_mov(self, av=(), nr=False):
        size = self.pick([8, 16, 32])
        s = SFX[size]
        form = self.pick(["rr", "ri", "rm", "mr", "mi", "moffs"])
        if form == "rr":
            pre = self.pick(["", "{load} ", "{store} "])
            self.op("%smov%s %%%s, %%%s" % (pre, s, self.reg(size, av), self.reg(size, av)))
        elif form == "ri":
            self.op("mov%s $0x%x, %%%s" % (s, self.imm(size), self.reg(size, av)))
        elif form == "moffs" and "eax" not in av:
            a = {8: "al", 16: "ax", 32: "eax"}[size]
            m = "cpufuzz_buf+%d" % self.rng.randint(0, BUF - size)
            if self.chance(0.5):
                self.op("mov%s %s, %%%s" % (s, m, a))
            else:
                self.op("mov%s %%%s, %s" % (s, a, m))
        else:
            r = self.reg(size, av)
            d32, m, post = self.mem(size, set(av) | {FAM[r]})
            if form == "rm":
                self.op("%smov%s %s, %%%s" % (d32, s, m, r))
            elif form == "mr":
                self.op("%smov%s %%%s, %s" % (d32, s, r, m))
            else:
                self.op("%smov%s $0x%x, %s" % (d32, s, self.imm(size), m))
            self.end_mem(post)

    def g_xchg(self, av=(), nr=False):
        size = self.pick([8, 16, 32])
        s = SFX[size]
        a = self.reg(size, av)
        if self.chance(0.6):
            self.op("xchg%s %%%s, %%%s" % (s, a, self.reg(size, av)))
        else:
            d32, m, post = self.mem(size, set(av) | {FAM[a]})
            if self.chance(0.5):
                self.op("%sxchg%s %%%s, %s" % (d32, s, a, m))
            else:
                self.op("%sxchg%s %s, %%%s" % (d32, s, m, a))
            self.end_mem(post)

    def g_xadd(self, av=(), nr=False):
        size = self.pick([8, 16, 32])
        s = SFX[size]
        a = self.reg(size, av)
        if self.chance(0.5):
            self.op("xadd%s %%%s, %%%s" % (s, a, self.reg(size, av)), defs=ALL)
        else:
            d32, m, post = self.mem(size, set(av) | {FAM[a]})
            lock = "lock " if self.chance(0.3) else ""
            self.op("%s%sxadd%s %%%s, %s" % (d32, lock, s, a, m), defs=ALL)
            self.end_mem(post)

    def g_cmpxchg(self, av=(), nr=False):
        size = self.pick([8, 16, 32])
        s = SFX[size]
        acc = {8: "al", 16: "ax", 32: "eax"}[size]
        a = self.reg(size, av)
        if self.chance(0.5):
            d = self.reg(size, av)
            if self.chance(0.4):
                self.op("mov%s %%%s, %%%s" % (s, d, acc))
            self.op("cmpxchg%s %%%s, %%%s" % (s, a, d), defs=ALL)
        else:
            d32, m, post = self.mem(size, set(av) | {FAM[a], "eax"})
            if self.chance(0.4):
                self.op("%smov%s %s, %%%s" % (d32, s, m, acc))
            lock = "lock " if self.chance(0.3) else ""
            self.op("%s%scmpxchg%s %%%s, %s" % (d32, lock, s, a, m), defs=ALL)
            self.end_mem(post)

    def g_cmpxchg8b(self, av=(), nr=False):
        d32, m, post = self.mem(8, {"eax", "ebx", "ecx", "edx"})
        if self.chance(0.5):
            self.op("%smovl %s, %%eax" % (d32, m))
            # the dword at the same address + 4 (else the same dword: not equal, usually)
            if m[0] in "-0123456789c":
                self.op("%smovl 4+%s, %%edx" % (d32, m))
            elif m[0] == "(":
                self.op("%smovl 4%s, %%edx" % (d32, m))
            else:
                self.op("%smovl %s, %%edx" % (d32, m))
        lock = "lock " if self.chance(0.3) else ""
        # SDM: ZF set/cleared, CF PF AF SF OF unaffected.  QEMU 7.2 instead
        # recomputes them from a stale lazy-flags state (the result depends
        # on translation-block boundaries); kjump and real hardware follow
        # the SDM.  So unless --strict-sdm, treat them as unknown here.
        # Worse, its PUSHF then ORs garbage into IF/DF/AC (a following POPF
        # enabled interrupts and triple-faulted): until an instruction that
        # rewrites the lazy flags (one that sets SF ZF PF), PUSHF is preceded
        # by a CMP (self.poison).
        self.op("%s%scmpxchg8b %s" % (d32, lock, m), defs="Z",
                undefs="" if STRICT_SDM else "CPASO")
        self.poison = not STRICT_SDM
        self.end_mem(post)

    def g_cmov(self, av=(), nr=False):
        cc = self.pick(CC)
        size = self.pick([16, 32])
        d = self.reg(size, av)
        if self.chance(0.6):
            self.op("cmov%s %%%s, %%%s" % (cc, self.reg(size, av), d), reads=CC[cc])
        else:
            d32, m, post = self.mem(size, set(av) | {FAM[d]})
            self.op("%scmov%s%s %s, %%%s" % (d32, cc, SFX[size], m, d), reads=CC[cc])
            self.end_mem(post)

    def g_setcc(self, av=(), nr=False):
        cc = self.pick(CC)
        if self.chance(0.6):
            self.op("set%s %%%s" % (cc, self.reg(8, av)), reads=CC[cc])
        else:
            d32, m, post = self.mem(1, av)
            self.op("%sset%s %s" % (d32, cc, m), reads=CC[cc])
            self.end_mem(post)

    def g_lea(self, av=(), nr=False):
        size = self.pick([32, 32, 16])
        d = self.reg(size, av)
        b = self.reg(32, av)
        i = self.reg(32, av)
        sc = self.pick([1, 2, 4, 8])
        r = self.rng.random()
        disp = self.pick([0, self.rng.randint(-128, 127), self.rng.getrandbits(32) - (1 << 31)])
        ds = "%d" % disp if disp else ""
        form = self.pick(["b", "bi", "i", "abs", "bi", "bi"])
        if form == "b":
            a = "%s(%%%s)" % (ds, b)
        elif form == "bi":
            a = "%s(%%%s,%%%s,%d)" % (ds, b, i, sc)
        elif form == "i":
            a = "%d(,%%%s,%d)" % (disp, i, sc)
        else:
            a = "0x%x" % (disp & 0xFFFFFFFF)
        self.op("lea%s %s, %%%s" % (SFX[size], a, d))

    def g_conv(self, av=(), nr=False):
        if {"eax", "edx"} & set(av):
            return self.g_bswap(av)
        self.op(self.pick(["cbtw", "cwtl", "cwtd", "cltd", "cbw", "cwde", "cwd", "cdq"]))

    def g_ahf(self, av=(), nr=False):
        if "eax" in av:
            return self.g_bswap(av)
        if nr or self.chance(0.5):
            self.op("sahf", defs="SZAPC")
        else:
            self.op("lahf", reads="SZAPC")

    def g_cflag(self, av=(), nr=False):
        o = self.pick(["stc", "clc"] + ([] if nr else ["cmc", "cmc"]))
        self.op(o, reads="C" if o == "cmc" else "", defs="C")

    def g_pushf(self, av=(), nr=False):
        if self.chance(0.5):
            # read the flags: mask to the ones defined here
            size = self.pick([16, 32])
            r = self.reg(size, av)
            m = self.mask()
            self.op("pushf%s" % SFX[size], pushf=True)
            self.op("pop%s %%%s" % (SFX[size], r))
            self.op("and%s $0x%x, %%%s" % (SFX[size], m, r), defs=ALL - {"A"}, undefs="A")
        else:
            # write the arithmetic flags, keep the others
            size = self.pick([16, 32])
            s = SFX[size]
            v = self.rng.getrandbits(12) & ARITH
            self.op("pushf%s" % s, pushf=True)
            self.op("and%s $0x%x, (%%esp)" % (s, ~ARITH & MASK[size]), defs=ALL - {"A"}, undefs="A")
            self.op("or%s $0x%x, (%%esp)" % (s, v), defs=ALL - {"A"}, undefs="A")
            self.op("popf%s" % s, defs=ALL)

    def g_pushpop(self, av=(), nr=False):
        size = self.pick([16, 32])
        s = SFX[size]
        form = self.pick(["ri", "rr", "mr", "rm"])
        if form == "ri":
            self.op("push%s $0x%x" % (s, self.imm(size) if size == 16 else self.imm(32)))
            self.op("pop%s %%%s" % (s, self.reg(size, av)))
        elif form == "rr":
            self.op("push%s %%%s" % (s, self.reg(size, av)))
            self.op("pop%s %%%s" % (s, self.reg(size, av)))
        else:
            r = self.reg(size, av)
            d32, m, post = self.mem(size, set(av) | {FAM[r]})
            if form == "mr":
                self.op("%spush%s %s" % (d32, s, m))
                self.op("pop%s %%%s" % (s, r))
            else:
                self.op("push%s %%%s" % (s, r))
                self.op("%spop%s %s" % (d32, s, m))
            self.end_mem(post)

    def g_xlat(self, av=(), nr=False):
        if {"eax", "ebx"} & (set(av) | self.live_base):
            return self.g_bswap(av)
        self.raw("\tpushl %ebx")
        self.raw("\tleal %d(%%ebp), %%ebx" % self.rng.randint(-HALF, HALF - 256))
        self.live_base.add("ebx")
        self.op("xlat")
        self.raw("\tpopl %ebx")
        self.live_base.discard("ebx")

    def g_string(self, av=(), nr=False):
        size = self.pick([8, 16, 32])
        s = SFX[size]
        o = self.pick(["movs", "stos", "cmps", "scas", "lods", "movs", "stos", "cmps", "scas"])
        rep = "" if o == "lods" or self.chance(0.15) else \
            self.pick(["repe ", "repne "] if o in ("cmps", "scas") else ["rep "])
        n = self.rng.randint(0, 8) if rep else 1
        down = self.chance(0.3)
        span = n * size // 8
        self.op("std" if down else "cld")

        def place(reg):
            if down:
                off = self.rng.randint(-HALF + span, HALF - size // 8)
            else:
                off = self.rng.randint(-HALF, HALF - max(span, size // 8))
            self.op("leal %d(%%ebp), %%%s" % (off, reg))
            self.live_base.add(reg)     # holds an address until the SUB below

        uses_si = o in ("movs", "cmps", "lods")
        uses_di = o in ("movs", "cmps", "stos", "scas")
        if uses_si:
            place("esi")
        if uses_di:
            place("edi")
        if o == "scas" and self.chance(0.3):
            self.op("mov%s %d(%%ebp), %%%s" % (s, self.rng.randint(-HALF, HALF - 4),
                                               {8: "al", 16: "ax", 32: "eax"}[size]))
        if rep:
            self.op("movl $%d, %%ecx" % n)
        fl = dict(defs=ALL) if o in ("cmps", "scas") and n > 0 else {}
        self.op("%s%s%s" % (rep, o, s), **fl)
        regs = [r for r, u in (("esi", uses_si), ("edi", uses_di)) if u]
        self.op("pushfl", pushf=True)
        for r in regs:
            self.op("subl %%ebp, %%%s" % r)     # flags restored by popfl
            self.live_base.discard(r)
        self.op("popfl")
        if down:
            self.op("cld")

    def g_loop(self, av=(), nr=False):
        n = self.rng.randint(1, 5)
        o = self.pick(["loop", "loop", "loope", "loopne"])
        self.op("movl $%d, %%ecx" % n)
        top = self.label()
        self.raw("%s:" % top)
        self.in_body = True
        for _ in range(self.rng.randint(1, 2)):
            self.pick(BODY)(self, av={"ecx"}, nr=True)
        self.in_body = False
        self.op("%s %s" % (o, top), reads="Z" if o != "loop" else "")

    def g_jcc(self, av=(), nr=False):
        kind = self.rng.random()
        end = self.label()
        if kind < 0.7:
            cc = self.pick(CC)
            self.op("%sj%s %s" % ("{disp32} " if self.chance(0.25) else "", cc, end), reads=CC[cc])
        elif kind < 0.85:
            if self.chance(0.5):
                self.op("movl $0, %ecx")
            self.op("jecxz %s" % end)
        else:
            self.op("%sjmp %s" % ("{disp32} " if self.chance(0.25) else "", end))
        before = set(self.undef)
        poison = self.poison
        for _ in range(self.rng.randint(1, 2)):
            self.pick(SKIPPABLE)(self)
        self.undef |= before
        self.poison |= poison
        self.raw("%s:" % end)

    # ---- block ---------------------------------------------------------
    def build(self, ngroups):
        self.raw("\t.p2align 4")
        self.raw("cpufuzz_block_%d:" % self.num)
        self.raw("\tFZ_ENTER")
        for g in range(ngroups):
            self.pick(TOP)(self)
            if self.trace:
                self.raw("\tFZ_TRACE %d, 0x%x" % (self.num * 100 + g, self.mask()))
        assert not self.live_base
        self.raw("\tFZ_LEAVE 0x%x" % self.mask())
        return self.lines


W = Block
# weighted generator tables
TOP = ([W.g_alu] * 14 + [W.g_test] * 3 + [W.g_unary] * 5 + [W.g_shift] * 12 + [W.g_shld] * 4 +
       [W.g_mul] * 5 + [W.g_div] * 5 + [W.g_bt] * 5 + [W.g_bsf] * 3 + [W.g_bswap] * 1 +
       [W.g_movx] * 3 + [W.g_mov] * 3 + [W.g_xchg] * 2 + [W.g_xadd] * 3 + [W.g_cmpxchg] * 3 +
       [W.g_cmpxchg8b] * 1 + [W.g_cmov] * 4 + [W.g_setcc] * 3 + [W.g_lea] * 3 + [W.g_conv] * 2 +
       [W.g_ahf] * 2 + [W.g_cflag] * 2 + [W.g_pushf] * 2 + [W.g_pushpop] * 1 + [W.g_xlat] * 1 +
       [W.g_string] * 5 + [W.g_loop] * 2 + [W.g_jcc] * 5)
SKIPPABLE = [g for g in TOP if g not in (W.g_string, W.g_loop, W.g_jcc)]
BODY = [W.g_alu, W.g_test, W.g_unary, W.g_shift, W.g_shift, W.g_shld, W.g_mul, W.g_bt, W.g_bsf,
        W.g_bswap, W.g_movx, W.g_mov, W.g_xchg, W.g_xadd, W.g_lea, W.g_ahf, W.g_cflag]

HEADER = """\
/*
 * cpufuzz_blocks.S - GENERATED by images/fuzz/gen.py (seed %(seed)d, %(n)d blocks
 * of %(g)d instruction groups%(tr)s).  Do not edit; regenerate with
 *     cd images && python3 fuzz/gen.py --seed %(seed)d --blocks %(n)d --groups %(g)d%(strict)s
 * See gen.py for what is generated and how undefined behaviour is avoided.
 */
        .section .note.GNU-stack,"",@progbits

/* cpufuzz_state (tests/cpufuzz.c): eax ecx edx ebx esi edi eflags mask */
#define ST cpufuzz_state

        .macro FZ_ENTER
        pushl   %%ebp
        pushl   %%ebx
        pushl   %%esi
        pushl   %%edi
        pushfl
        andl    $~0x8d5, (%%esp)
        movl    ST+24, %%eax
        andl    $0x8d5, %%eax
        orl     %%eax, (%%esp)
        movl    ST+0, %%eax
        movl    ST+4, %%ecx
        movl    ST+8, %%edx
        movl    ST+12, %%ebx
        movl    ST+16, %%esi
        movl    ST+20, %%edi
        movl    $cpufuzz_buf+%(half)d, %%ebp
        popfl
        .endm

        .macro FZ_LEAVE mask
        pushfl
        popl    ST+24
        movl    $\\mask, ST+28
        movl    %%eax, ST+0
        movl    %%ecx, ST+4
        movl    %%edx, ST+8
        movl    %%ebx, ST+12
        movl    %%esi, ST+16
        movl    %%edi, ST+20
        cld
        popl    %%edi
        popl    %%esi
        popl    %%ebx
        popl    %%ebp
        ret
        .endm

        /* debugging only (gen.py --trace): cpufuzz_trace(id, mask, pushal frame) */
        .macro FZ_TRACE id, mask
        pushfl
        andl    $0x8d7, (%%esp)         /* keep the arithmetic flags only (DF is 0 here) */
        pushal
        movl    %%esp, %%eax
        pushl   %%eax
        pushl   $\\mask
        pushl   $\\id
        call    cpufuzz_trace
        addl    $12, %%esp
        popal
        popfl
        .endm

        .text
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--blocks", type=int, default=1000)
    ap.add_argument("--groups", type=int, default=10, help="instruction groups per block")
    ap.add_argument("--trace", action="store_true", help="emit FZ_TRACE after every group")
    ap.add_argument("-o", "--output", default="tests/cpufuzz_blocks.S")
    ap.add_argument("--strict-sdm", action="store_true",
                    help="no workaround for QEMU's CMPXCHG8B flags (kjump will differ from QEMU)")
    a = ap.parse_args()
    global STRICT_SDM
    STRICT_SDM = a.strict_sdm
    out = [HEADER % dict(seed=a.seed, n=a.blocks, g=a.groups, half=HALF,
                         tr=", TRACE variant" if a.trace else "",
                         strict=" --strict-sdm" if a.strict_sdm else "")]
    for i in range(a.blocks):
        rng = random.Random("cpufuzz:%d:%d" % (a.seed, i))
        out.extend(Block(rng, i, a.trace).build(a.groups))
        out.append("")
    out.append("\t.section .rodata")
    out.append("\t.p2align 2")
    out.append("\t.globl cpufuzz_blocks, cpufuzz_nblocks")
    out.append("cpufuzz_nblocks:")
    out.append("\t.long %d" % a.blocks)
    out.append("cpufuzz_blocks:")
    for i in range(a.blocks):
        out.append("\t.long cpufuzz_block_%d" % i)
    with open(a.output, "w") as f:
        f.write("\n".join(out) + "\n")
    ninsn = sum(1 for l in "\n".join(out).split("\n")
                if (l.startswith("\t") and not l.startswith("\t.") and not l.startswith("\tFZ_"))
                or l.startswith("\t.byte"))
    print("gen.py: wrote %s (%d blocks, %d instruction lines)" % (a.output, a.blocks, ninsn),
          file=sys.stderr)


if __name__ == "__main__":
    main()
