package dev.kjump.machine.cpu;

import dev.kjump.machine.StopReason;
import static dev.kjump.machine.cpu.CpuHarness.cat;
import static dev.kjump.machine.cpu.CpuHarness.le16;
import static dev.kjump.machine.cpu.CpuHarness.le32;
import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Arithmetic, logic, shift, multiply/divide and bit instructions at 8, 16 and 32 bits against a reference
 * model written here with wide ({@code long}) arithmetic from the Intel SDM's definitions. Where the SDM calls
 * a flag undefined it is not checked, except where kjump documents QEMU's choice (AF after logic ops, OF of
 * multi-bit SHL/SHR/SAR), which is then asserted.
 *
 * <p>Register forms only: the destination is EAX (AL/AX), the source ECX (CL/CX) unless noted; the upper bits
 * of the registers are random and must survive narrow operations.
 */
class FlagsProperties {
    static final int CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    static final int ARITH = CF | PF | AF | ZF | SF | OF;
    static final int EAX = Cpu.EAX, ECX = Cpu.ECX, EDX = Cpu.EDX, EBX = Cpu.EBX, ESI = Cpu.ESI;

    // ------------------------------------------------------------------ reference model

    static long mask(int w) {
        return (1L << w) - 1;
    }

    static long sx(long v, int w) {
        return (v << (64 - w)) >> (64 - w);
    }

    static boolean msb(long v, int w) {
        return ((v >>> (w - 1)) & 1) != 0;
    }

    static int szp(long res, int w) {
        long r = res & mask(w);
        int f = 0;
        if (r == 0) {
            f |= ZF;
        }
        if (msb(r, w)) {
            f |= SF;
        }
        if ((Long.bitCount(r & 0xFF) & 1) == 0) {
            f |= PF;
        }
        return f;
    }

    static int flag(boolean b, int bit) {
        return b ? bit : 0;
    }

    /** Result (low w bits) and flags of an ALU operation: {@code long[]{result, flags}}. */
    static long[] refAdd(long a, long b, int c, int w) {
        long m = mask(w);
        long r = a + b + c;
        long sr = sx(a, w) + sx(b, w) + c;
        int f = szp(r, w) | flag(r > m, CF) | flag(((a & 0xF) + (b & 0xF) + c) > 0xF, AF)
                | flag(sr != sx(sr, w), OF);
        return new long[] {r & m, f};
    }

    static long[] refSub(long a, long b, int c, int w) {
        long m = mask(w);
        long r = a - b - c;
        long sr = sx(a, w) - sx(b, w) - c;
        int f = szp(r, w) | flag(a < b + c, CF) | flag((a & 0xF) < (b & 0xF) + c, AF) | flag(sr != sx(sr, w), OF);
        return new long[] {r & m, f};
    }

    static long[] refLogic(long r, int w) {
        return new long[] {r & mask(w), szp(r, w)}; // CF=OF=0; AF undefined in the SDM, 0 in QEMU
    }

    enum Op {
        ADD(0x00), OR(0x08), ADC(0x10), SBB(0x18), AND(0x20), SUB(0x28), XOR(0x30), CMP(0x38), TEST(0x84),
        INC(-1), DEC(-1), NEG(-1);

        final int opcode;

        Op(int opcode) {
            this.opcode = opcode;
        }

        boolean writes() {
            return this != CMP && this != TEST;
        }

        /** Encoding of {@code op eax/ax/al, ecx/cx/cl} (unary ops: on eax/ax/al). */
        int[] encode(int w) {
            int[] p = w == 16 ? new int[] {0x66} : new int[0];
            int wbit = w == 8 ? 0 : 1;
            return switch (this) {
                case INC -> w == 8 ? new int[] {0xFE, 0xC0} : cat(p, 0x40); // inc al / inc (e)ax
                case DEC -> w == 8 ? new int[] {0xFE, 0xC8} : cat(p, 0x48); // dec al / dec (e)ax
                case NEG -> cat(p, 0xF6 + wbit, 0xD8); // neg al/(e)ax: F6/F7 /3
                default -> cat(p, opcode + wbit, 0xC8); // op r/m=eax, reg=ecx
            };
        }

        long[] reference(long a, long b, int cin, int w) {
            return switch (this) {
                case ADD -> refAdd(a, b, 0, w);
                case ADC -> refAdd(a, b, cin, w);
                case SUB, CMP -> refSub(a, b, 0, w);
                case SBB -> refSub(a, b, cin, w);
                case AND, TEST -> refLogic(a & b, w);
                case OR -> refLogic(a | b, w);
                case XOR -> refLogic(a ^ b, w);
                case INC -> {
                    long[] r = refAdd(a, 1, 0, w);
                    r[1] = (r[1] & ~CF) | cin;
                    yield r;
                }
                case DEC -> {
                    long[] r = refSub(a, 1, 0, w);
                    r[1] = (r[1] & ~CF) | cin;
                    yield r;
                }
                case NEG -> refSub(0, a, 0, w);
            };
        }
    }

    /** The condition codes of Jcc/SETcc/CMOVcc (tttn) evaluated on EFLAGS {@code f}, from the SDM's table. */
    static boolean condFromFlags(int cc, int f) {
        boolean cf = (f & CF) != 0, zf = (f & ZF) != 0, sf = (f & SF) != 0, of = (f & OF) != 0, pf = (f & PF) != 0;
        boolean v = switch (cc >> 1) {
            case 0 -> of;
            case 1 -> cf;
            case 2 -> zf;
            case 3 -> cf || zf;
            case 4 -> sf;
            case 5 -> pf;
            case 6 -> sf != of;
            default -> zf || sf != of;
        };
        return (cc & 1) != 0 ? !v : v;
    }

    /** The condition after {@code cmp a, b} at width w, from Java's own signed and unsigned comparisons. */
    static boolean condFromCompare(int cc, long a, long b, int w) {
        long sa = sx(a, w), sb = sx(b, w);
        long diff = (a - b) & mask(w);
        boolean v = switch (cc >> 1) {
            case 0 -> sx(sa - sb, w) != sa - sb; // signed overflow
            case 1 -> Long.compareUnsigned(a, b) < 0;
            case 2 -> a == b;
            case 3 -> Long.compareUnsigned(a, b) <= 0;
            case 4 -> msb(diff, w);
            case 5 -> (Long.bitCount(diff & 0xFF) & 1) == 0;
            case 6 -> sa < sb;
            default -> sa <= sb;
        };
        return (cc & 1) != 0 ? !v : v;
    }

    /** Places the low w bits of {@code v} into a register whose other bits are {@code fill}'s. */
    static int withLow(int fill, long v, int w) {
        return w == 32 ? (int) v : (int) ((fill & ~mask(w)) | (v & mask(w)));
    }

    @Provide
    Arbitrary<Integer> widths() {
        return Arbitraries.of(8, 16, 32);
    }

    @Provide
    Arbitrary<Integer> arithFlags() {
        return Arbitraries.integers().between(0, 0xFFF).map(f -> f & ARITH);
    }

    // ------------------------------------------------------------------ ALU

    @Property(tries = 600)
    void aluResultAndFlags(@ForAll Op op, @ForAll("widths") int w, @ForAll int x, @ForAll int y,
            @ForAll("arithFlags") int f0, @ForAll boolean cin) {
        long a = x & mask(w);
        long b = y & mask(w);
        int c = cin ? 1 : 0;
        int in = (f0 & ~CF) | c | 0x2;
        CpuHarness h = new CpuHarness().code(cat(op.encode(w), 0x9C, 0x5A)) // op; pushf; pop edx
                .set(EAX, x).set(ECX, y).flags(in).runToHlt();
        long[] ref = op.reference(a, b, c, w);
        int expectedEax = op.writes() ? withLow(x, ref[0], w) : x;
        assertThat(h.reg(EAX)).as("%s%d %x,%x cf=%d: eax", op, w, a, b, c).isEqualTo(expectedEax);
        assertThat(h.reg(ECX)).isEqualTo(y);
        assertThat(h.eflags() & ARITH).as("%s%d %x,%x cf=%d: flags", op, w, a, b, c).isEqualTo((int) ref[1]);
        assertThat(h.reg(EDX) & (ARITH | 0x2)).as("pushf image").isEqualTo((int) ref[1] | 0x2);
    }

    @Property(tries = 400)
    void conditionsAfterCompareMatchJavaComparisons(@ForAll("widths") int w, @ForAll int x, @ForAll int y,
            @ForAll boolean equal, @ForAll @IntRange(min = 0, max = 15) int cc, @ForAll int edx, @ForAll int ebx,
            @ForAll int esi) {
        if (equal) {
            y = x;
        }
        long a = x & mask(w);
        long b = y & mask(w);
        int[] cmp = Op.CMP.encode(w); // cmp eax, ecx
        CpuHarness h = new CpuHarness().code(cat(cmp,
                0x0F, 0x90 + cc, 0xC2,           // setcc dl
                0x0F, 0x40 + cc, 0xDE,           // cmovcc ebx, esi
                0xB0 + 4 + 3, 0x00,              // mov bh, 0 (flags untouched)
                0x70 + cc, 0x02, 0xB7, 0x01,     // jcc +2; mov bh, 1
                0x0F, 0x80 + cc, le32(5), 0xBF, le32(1))) // jcc near +5; mov edi, 1
                .set(EAX, x).set(ECX, y).set(Cpu.EDI, 0).set(EDX, edx).set(EBX, ebx).set(ESI, esi).flags(0x2)
                .runToHlt();
        boolean expect = condFromCompare(cc, a, b, w);
        String what = String.format("cmp%d %x,%x cc=%x", w, a, b, cc);
        assertThat(h.reg(EDX)).as(what + " setcc").isEqualTo((edx & ~0xFF) | (expect ? 1 : 0));
        assertThat(h.reg(EBX) & ~0xFF00).as(what + " cmovcc").isEqualTo((expect ? esi : ebx) & ~0xFF00);
        assertThat((h.reg(EBX) >>> 8) & 0xFF).as(what + " jcc short taken").isEqualTo(expect ? 0 : 1);
        assertThat(h.reg(Cpu.EDI)).as(what + " jcc near taken").isEqualTo(expect ? 0 : 1);
        assertThat(h.reg(EAX)).isEqualTo(x);
        assertThat(condFromFlags(cc, h.eflags())).as(what + " flags agree").isEqualTo(expect);
    }

    @Property(tries = 400)
    void conditionsAfterAnyAluOpFollowTheFlags(@ForAll Op op, @ForAll("widths") int w, @ForAll int x, @ForAll int y,
            @ForAll boolean cin, @ForAll @IntRange(min = 0, max = 15) int cc) {
        int c = cin ? 1 : 0;
        CpuHarness h = new CpuHarness().code(cat(op.encode(w),
                0x0F, 0x90 + cc, 0xC3,       // setcc bl
                0x70 + cc, 0x02, 0xB7, 0x01)) // jcc +2; mov bh, 1
                .set(EAX, x).set(ECX, y).set(EBX, 0).flags(0x2 | c).runToHlt();
        long[] ref = op.reference(x & mask(w), y & mask(w), c, w);
        boolean expect = condFromFlags(cc, (int) ref[1]);
        assertThat(h.reg(EBX) & 0xFF).as("%s%d cc=%x setcc", op, w, cc).isEqualTo(expect ? 1 : 0);
        assertThat(h.reg(EBX) >>> 8).as("%s%d cc=%x jcc", op, w, cc).isEqualTo(expect ? 0 : 1);
    }

    // ------------------------------------------------------------------ shifts and rotates

    enum Count { ONE, CL, IMM }

    static final String[] SHIFT_NAMES = {"ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SAL", "SAR"};

    /**
     * Reference shift: {@code long[]{result, flags, checkedFlagsMask}}. Flags not in the mask are undefined
     * for that case and not compared.
     */
    static long[] refShift(int kind, long a, int rawCount, int f0, int w) {
        long m = mask(w);
        int n = rawCount & 0x1F;
        if (n == 0) {
            return new long[] {a, f0, ARITH};
        }
        int cin = f0 & CF;
        switch (kind) {
            case 0, 1 -> { // ROL, ROR: CF (and OF for count 1) only; SF ZF AF PF untouched
                int t = n % w;
                long res = kind == 0 ? ((a << t) | (a >>> (w - t))) & m : ((a >>> t) | (a << (w - t))) & m;
                boolean cf = kind == 0 ? (res & 1) != 0 : msb(res, w);
                boolean of = kind == 0 ? msb(res, w) ^ cf : msb(res, w) ^ msb(res << 1, w);
                int f = (f0 & ~(CF | OF)) | flag(cf, CF) | flag(of, OF);
                return new long[] {res, f, n == 1 ? ARITH : ARITH & ~OF};
            }
            case 2, 3 -> { // RCL, RCR through a (w+1)-bit value
                int t = w == 32 ? n : n % (w + 1);
                if (t == 0) {
                    return new long[] {a, f0, ARITH};
                }
                long wide = ((long) cin << w) | a;
                long wm = (1L << (w + 1)) - 1;
                long rot = kind == 2 ? ((wide << t) | (wide >>> (w + 1 - t))) & wm
                        : ((wide >>> t) | (wide << (w + 1 - t))) & wm;
                long res = rot & m;
                boolean cf = ((rot >>> w) & 1) != 0;
                boolean of = kind == 2 ? msb(res, w) ^ cf : msb(a, w) ^ (cin != 0);
                int f = (f0 & ~(CF | OF)) | flag(cf, CF) | flag(of, OF);
                return new long[] {res, f, n == 1 ? ARITH : ARITH & ~OF};
            }
            case 4, 6 -> { // SHL/SAL
                long res = (a << n) & m;
                boolean cf = ((a << n) >>> w & 1) != 0;
                boolean of = n == 1 ? msb(res, w) ^ cf : msb(a << (n - 1), w) ^ msb(res, w);
                return new long[] {res, szp(res, w) | flag(cf, CF) | flag(of, OF), ARITH & ~AF};
            }
            case 5 -> { // SHR
                long res = a >>> n;
                boolean cf = ((a >>> (n - 1)) & 1) != 0;
                boolean of = n == 1 ? msb(a, w) : msb(a >>> (n - 1), w) ^ msb(res, w);
                return new long[] {res, szp(res, w) | flag(cf, CF) | flag(of, OF), ARITH & ~AF};
            }
            default -> { // SAR
                long s = sx(a, w);
                long res = (s >> n) & m;
                boolean cf = ((s >> (n - 1)) & 1) != 0;
                boolean of = n != 1 && msb(s >> (n - 1), w) ^ msb(res, w);
                return new long[] {res, szp(res, w) | flag(cf, CF) | flag(of, OF), ARITH & ~AF};
            }
        }
    }

    @Property(tries = 800)
    void shiftsAndRotates(@ForAll @IntRange(min = 0, max = 7) int kind, @ForAll("widths") int w, @ForAll Count form,
            @ForAll int x, @ForAll @IntRange(min = 0, max = 255) int count, @ForAll("arithFlags") int f0) {
        int[] p = w == 16 ? new int[] {0x66} : new int[0];
        int wbit = w == 8 ? 0 : 1;
        int modrm = 0xC0 | kind << 3; // r/m = eax
        int[] insn = switch (form) {
            case ONE -> cat(p, 0xD0 + wbit, modrm);
            case CL -> cat(p, 0xD2 + wbit, modrm);
            case IMM -> cat(p, 0xC0 + wbit, modrm, count);
        };
        if (form == Count.ONE) {
            count = 1;
        }
        int ecx = 0x5A5A5A00 | count;
        CpuHarness h = new CpuHarness().code(insn).set(EAX, x).set(ECX, ecx).flags(f0 | 0x2).runToHlt();
        long[] ref = refShift(kind, x & mask(w), count, f0, w);
        String what = String.format("%s%d %x by %d (%s)", SHIFT_NAMES[kind], w, x & mask(w), count, form);
        assertThat(h.reg(EAX)).as(what + " result").isEqualTo(withLow(x, ref[0], w));
        int checked = (int) ref[2];
        assertThat(h.eflags() & checked).as(what + " flags").isEqualTo((int) ref[1] & checked);
    }

    @Property(tries = 300)
    void shldShrd32(@ForAll boolean left, @ForAll boolean byCl, @ForAll int a, @ForAll int b,
            @ForAll @IntRange(min = 0, max = 255) int count, @ForAll("arithFlags") int f0) {
        // shld/shrd eax, edx, cl|imm8: 0F A5/AD D0, 0F A4/AC D0 ib (reg=edx, r/m=eax)
        int[] insn = byCl ? new int[] {0x0F, left ? 0xA5 : 0xAD, 0xD0}
                : new int[] {0x0F, left ? 0xA4 : 0xAC, 0xD0, count};
        CpuHarness h = new CpuHarness().code(insn).set(EAX, a).set(EDX, b).set(ECX, count).flags(f0 | 0x2)
                .runToHlt();
        int n = count & 31;
        String what = String.format("%s %x,%x by %d", left ? "shld" : "shrd", a, b, count);
        if (n == 0) {
            assertThat(h.reg(EAX)).as(what).isEqualTo(a);
            assertThat(h.eflags() & ARITH).as(what).isEqualTo(f0);
            return;
        }
        long ua = a & 0xFFFFFFFFL, ub = b & 0xFFFFFFFFL;
        long res = left ? ((ua << n) | (ub >>> (32 - n))) & 0xFFFFFFFFL : ((ua >>> n) | (ub << (32 - n))) & 0xFFFFFFFFL;
        boolean cf = left ? ((ua >>> (32 - n)) & 1) != 0 : ((ua >>> (n - 1)) & 1) != 0;
        assertThat(h.reg(EAX)).as(what).isEqualTo((int) res);
        assertThat(h.reg(EDX)).isEqualTo(b);
        int fl = h.eflags();
        assertThat(fl & (CF | ZF | SF | PF)).as(what + " flags").isEqualTo(flag(cf, CF) | szp(res, 32));
        if (n == 1) {
            assertThat((fl & OF) != 0).as(what + " OF").isEqualTo(msb(res, 32) != msb(ua, 32));
        }
    }

    // ------------------------------------------------------------------ multiply and divide

    @Property(tries = 500)
    void mulImulOneOperand(@ForAll boolean signed, @ForAll("widths") int w, @ForAll int x, @ForAll int y,
            @ForAll int edx) {
        int[] p = w == 16 ? new int[] {0x66} : new int[0];
        int[] insn = cat(p, w == 8 ? 0xF6 : 0xF7, signed ? 0xE9 : 0xE1); // mul/imul cl|cx|ecx
        CpuHarness h = new CpuHarness().code(insn).set(EAX, x).set(ECX, y).set(EDX, edx).flags(0x2).runToHlt();
        long a = x & mask(w), b = y & mask(w);
        long prod = signed ? sx(a, w) * sx(b, w) : a * b;
        long lo = prod & mask(w);
        long hi = (w == 32 ? prod >>> 32 : prod >>> w) & mask(w);
        boolean over = signed ? sx(lo, w) != prod : hi != 0;
        String what = String.format("%s%d %x*%x", signed ? "imul" : "mul", w, a, b);
        switch (w) {
            case 8 -> {
                assertThat(h.reg(EAX)).as(what).isEqualTo((x & 0xFFFF0000) | (int) (prod & 0xFFFF));
                assertThat(h.reg(EDX)).isEqualTo(edx);
            }
            case 16 -> {
                assertThat(h.reg(EAX)).as(what).isEqualTo(withLow(x, lo, 16));
                assertThat(h.reg(EDX)).as(what).isEqualTo(withLow(edx, hi, 16));
            }
            default -> {
                assertThat(h.reg(EAX)).as(what).isEqualTo((int) lo);
                assertThat(h.reg(EDX)).as(what).isEqualTo((int) hi);
            }
        }
        assertThat(h.eflags() & (CF | OF)).as(what + " CF/OF").isEqualTo(over ? CF | OF : 0);
    }

    @Property(tries = 500)
    void imulTwoAndThreeOperand(@ForAll @IntRange(min = 0, max = 2) int form, @ForAll boolean w16, @ForAll int x,
            @ForAll int y, @ForAll int imm) {
        int w = w16 ? 16 : 32;
        int[] p = w16 ? new int[] {0x66} : new int[0];
        long other;
        int[] insn;
        switch (form) {
            case 0 -> { // imul eax, ecx
                insn = cat(p, 0x0F, 0xAF, 0xC1);
                other = sx(x, w);
            }
            case 1 -> { // imul eax, ecx, imm8
                insn = cat(p, 0x6B, 0xC1, imm & 0xFF);
                other = (byte) imm;
            }
            default -> { // imul eax, ecx, imm16/32
                insn = cat(p, 0x69, 0xC1, w16 ? le16(imm) : le32(imm));
                other = sx(imm, w);
            }
        }
        CpuHarness h = new CpuHarness().code(insn).set(EAX, x).set(ECX, y).flags(0x2).runToHlt();
        long prod = sx(y, w) * other;
        long lo = prod & mask(w);
        String what = String.format("imul form %d w%d %x %x %x", form, w, x, y, imm);
        assertThat(h.reg(EAX)).as(what).isEqualTo(withLow(x, lo, w));
        assertThat(h.eflags() & (CF | OF)).as(what).isEqualTo(sx(lo, w) != prod ? CF | OF : 0);
    }

    @Property(tries = 600)
    void divIdiv(@ForAll boolean signed, @ForAll("widths") int w, @ForAll boolean fits, @ForAll int q0,
            @ForAll int r0, @ForAll int d0, @ForAll long random, @ForAll int eaxHigh) {
        long m = mask(w);
        long divisor = d0 & m;
        long dividend; // 2w bits, as an unsigned bit pattern
        if (fits && divisor != 0) {
            long dv = signed ? sx(divisor, w) : divisor;
            long q = signed ? sx(q0 & m, w) / 2 : q0 & m;
            long rem = Math.floorMod(r0, Math.abs(dv));
            if (signed && (q < 0)) {
                rem = -rem; // the remainder takes the dividend's sign
            }
            dividend = q * dv + rem;
        } else {
            dividend = random;
        }
        dividend = w == 32 ? dividend : dividend & ((1L << (2 * w)) - 1);
        int eax;
        int edx = 0x0BADF00D;
        switch (w) {
            case 8 -> eax = (eaxHigh & 0xFFFF0000) | (int) (dividend & 0xFFFF);
            case 16 -> {
                eax = (eaxHigh & 0xFFFF0000) | (int) (dividend & 0xFFFF);
                edx = (edx & 0xFFFF0000) | (int) ((dividend >>> 16) & 0xFFFF);
            }
            default -> {
                eax = (int) dividend;
                edx = (int) (dividend >>> 32);
            }
        }
        int ecx = (int) divisor | (w == 32 ? 0 : 0x12340000 & ~(int) m);
        int[] p = w == 16 ? new int[] {0x66} : new int[0];
        int[] insn = cat(p, w == 8 ? 0xF6 : 0xF7, signed ? 0xF9 : 0xF1); // div/idiv cl|cx|ecx
        CpuHarness h = new CpuHarness().code(insn).set(EAX, eax).set(EDX, edx).set(ECX, ecx).flags(0x2);
        StopReason s = h.run();

        // Reference: quotient and remainder, or #DE for a zero divisor or a quotient that does not fit.
        boolean de;
        long quot = 0, rem = 0;
        if (divisor == 0) {
            de = true;
        } else if (!signed) {
            quot = Long.divideUnsigned(dividend, divisor);
            rem = Long.remainderUnsigned(dividend, divisor);
            de = Long.compareUnsigned(quot, m) > 0;
        } else {
            long sd = sx(dividend, 2 * w);
            long sv = sx(divisor, w);
            if (w == 32 && sd == Long.MIN_VALUE && sv == -1) {
                de = true;
            } else {
                quot = sd / sv;
                rem = sd % sv;
                de = sx(quot, w) != quot;
            }
        }
        String what = String.format("%s%d %x / %x", signed ? "idiv" : "div", w, dividend, divisor);
        if (de) {
            assertThat(s.kind()).as(what).isEqualTo(StopReason.Kind.TRIPLE_FAULT);
            assertThat(s.value()).as(what).isEqualTo(Cpu.V_DE);
            assertThat(s.eip()).isEqualTo(CpuHarness.CODE);
            assertThat(h.reg(EAX)).as("registers untouched by a faulting divide").isEqualTo(eax);
            assertThat(h.reg(EDX)).isEqualTo(edx);
            return;
        }
        assertThat(s.kind()).as(what + ": " + s.message()).isEqualTo(StopReason.Kind.HALT);
        switch (w) {
            case 8 -> {
                assertThat(h.reg(EAX)).as(what).isEqualTo(
                        (eax & 0xFFFF0000) | (int) ((rem & 0xFF) << 8) | (int) (quot & 0xFF));
                assertThat(h.reg(EDX)).isEqualTo(edx);
            }
            case 16 -> {
                assertThat(h.reg(EAX)).as(what).isEqualTo(withLow(eax, quot, 16));
                assertThat(h.reg(EDX)).as(what).isEqualTo(withLow(edx, rem, 16));
            }
            default -> {
                assertThat(h.reg(EAX)).as(what).isEqualTo((int) quot);
                assertThat(h.reg(EDX)).as(what).isEqualTo((int) rem);
            }
        }
    }

    // ------------------------------------------------------------------ bit instructions

    @Property(tries = 300)
    void bsfBsr(@ForAll boolean reverse, @ForAll boolean w16, @ForAll int v, @ForAll boolean zero, @ForAll int dest,
            @ForAll @IntRange(min = 0, max = 31) int shift, @ForAll("arithFlags") int f0) {
        int w = w16 ? 16 : 32;
        long src = zero ? 0 : (v >>> shift) & mask(w); // >>> shift: both small and large bit indexes
        int[] insn = cat(w16 ? new int[] {0x66} : new int[0], 0x0F, reverse ? 0xBD : 0xBC, 0xC1); // bsf/bsr eax, ecx
        CpuHarness h = new CpuHarness().code(insn).set(EAX, dest).set(ECX, (int) src | (w16 ? 0x77770000 : 0))
                .flags(f0 | 0x2).runToHlt();
        String what = String.format("%s%d %x", reverse ? "bsr" : "bsf", w, src);
        if (src == 0) {
            assertThat(h.reg(EAX)).as(what + ": destination unchanged").isEqualTo(dest);
            assertThat(h.eflags() & ZF).as(what).isEqualTo(ZF);
        } else {
            long idx = reverse ? 63 - Long.numberOfLeadingZeros(src) : Long.numberOfTrailingZeros(src);
            assertThat(h.reg(EAX)).as(what).isEqualTo(withLow(dest, idx, w));
            assertThat(h.eflags() & ZF).as(what).isZero();
        }
    }

    @Property(tries = 400)
    void btFamilyRegisterForms(@ForAll @IntRange(min = 0, max = 3) int kind, @ForAll boolean w16,
            @ForAll boolean immediate, @ForAll int v, @ForAll int offset, @ForAll("arithFlags") int f0) {
        int w = w16 ? 16 : 32;
        int[] p = w16 ? new int[] {0x66} : new int[0];
        int[] regOps = {0xA3, 0xAB, 0xB3, 0xBB}; // bt, bts, btr, btc r/m, reg
        int[] insn = immediate ? cat(p, 0x0F, 0xBA, 0xE0 | (4 + kind) << 3, offset & 0xFF) // bt* eax, imm8
                : cat(p, 0x0F, regOps[kind], 0xC8); // bt* eax, ecx
        CpuHarness h = new CpuHarness().code(insn).set(EAX, v).set(ECX, offset).flags(f0 | 0x2).runToHlt();
        int bit = offset & (w - 1);
        boolean was = ((v >>> bit) & 1) != 0;
        int expected = switch (kind) {
            case 0 -> v;
            case 1 -> v | 1 << bit;
            case 2 -> v & ~(1 << bit);
            default -> v ^ 1 << bit;
        };
        String what = String.format("bt kind %d w%d %x bit %d", kind, w, v, offset);
        assertThat(h.reg(EAX)).as(what).isEqualTo(expected);
        assertThat(h.eflags() & (CF | ZF)).as(what + " CF set, ZF unaffected").isEqualTo(flag(was, CF) | (f0 & ZF));
    }

    @Property(tries = 300)
    void btFamilyMemoryFormsReachBeyondTheOperand(@ForAll @IntRange(min = 0, max = 3) int kind, @ForAll boolean w16,
            @ForAll @IntRange(min = -20000, max = 20000) int off32, @ForAll short off16, @ForAll long seed) {
        int w = w16 ? 16 : 32;
        int offset = w16 ? off16 : off32;
        int base = 0x41000;
        java.util.Random rnd = new java.util.Random(seed);
        byte[] pattern = new byte[0x6000];
        rnd.nextBytes(pattern);
        int[] regOps = {0xA3, 0xAB, 0xB3, 0xBB};
        // bt* [ebx], ecx: 0F xx 0B (mod=00 reg=ecx r/m=ebx)
        CpuHarness h = new CpuHarness().code(cat(w16 ? new int[] {0x66} : new int[0], 0x0F, regOps[kind], 0x0B));
        h.mem.write(0x3E000, pattern, 0, pattern.length);
        h.set(EBX, base).set(ECX, w16 ? (0x7FFF0000 | (offset & 0xFFFF)) : offset).flags(0x2).runToHlt();
        int byteAddr = base + Math.floorDiv(offset, 8);
        int bit = Math.floorMod(offset, 8);
        boolean was = ((pattern[byteAddr - 0x3E000] >>> bit) & 1) != 0;
        byte expected = pattern[byteAddr - 0x3E000];
        expected = switch (kind) {
            case 0 -> expected;
            case 1 -> (byte) (expected | 1 << bit);
            case 2 -> (byte) (expected & ~(1 << bit));
            default -> (byte) (expected ^ 1 << bit);
        };
        String what = String.format("bt kind %d w%d bit offset %d", kind, w, offset);
        assertThat((h.eflags() & CF) != 0).as(what + " CF").isEqualTo(was);
        assertThat((byte) h.mem.read8(byteAddr)).as(what + " memory").isEqualTo(expected);
        byte[] after = new byte[pattern.length];
        h.mem.read(0x3E000, after, 0, after.length);
        after[byteAddr - 0x3E000] = pattern[byteAddr - 0x3E000];
        assertThat(after).as(what + ": no other byte changes").isEqualTo(pattern);
    }

    @Property(tries = 100)
    void bswap(@ForAll @IntRange(min = 0, max = 7) int reg, @ForAll int v) {
        if (reg == Cpu.ESP) {
            reg = Cpu.EBP;
        }
        CpuHarness h = new CpuHarness().code(0x0F, 0xC8 + reg).set(reg, v).runToHlt();
        assertThat(h.reg(reg)).isEqualTo(Integer.reverseBytes(v));
    }
}
