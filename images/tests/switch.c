/* switch.c - dense switches (jump tables), sparse switches, nested, fallthrough. */
#include "kjump.h"

__attribute__((noinline)) static u32 dense(u32 x)
{
    switch (x) {
    case 0: return 0x1000;
    case 1: return 0x1111;
    case 2: return 0x2222;
    case 3: return 0x3333 ^ x;
    case 4: return 0x4444;
    case 5: return x * 5;
    case 6: return 0x6666;
    case 7: return 0x7777 + x;
    case 8: return 0x8888;
    case 9: return 0x9999;
    case 10: return 0xaaaa;
    case 11: return 0xbbbb;
    case 12: return 0xcccc;
    case 13: return 0xdddd;
    case 14: return 0xeeee;
    case 15: return 0xffff;
    default: return 0xdead0000 | x;
    }
}

__attribute__((noinline)) static int dense_signed(int x)
{
    switch (x) {
    case -5: return 50;
    case -4: return 40;
    case -3: return 30;
    case -2: return 20;
    case -1: return 10;
    case 0: return 0;
    case 1: return -10;
    case 2: return -20;
    case 3: return -30;
    case 4: return -40;
    case 6: return -60;
    default: return 999;
    }
}

__attribute__((noinline)) static const char *sparse(u32 x)
{
    switch (x) {
    case 1: return "one";
    case 10: return "ten";
    case 100: return "hundred";
    case 1000: return "thousand";
    case 4096: return "page";
    case 65535: return "u16max";
    case 0x80000000u: return "sign";
    case 0xffffffffu: return "all-ones";
    case 12345: return "digits";
    case 77: return "seventy-seven";
    default: return "other";
    }
}

__attribute__((noinline)) static u32 fallthrough(u32 x)
{
    u32 r = 0;
    switch (x & 7) {
    case 7: r += 1; /* fall through */
    case 6: r += 10; /* fall through */
    case 5: r += 100; /* fall through */
    case 4: r += 1000;
        break;
    case 3: r += 10000; /* fall through */
    case 2: r += 100000;
        break;
    default: r = 0xffffffff;
    }
    return r;
}

__attribute__((noinline)) static u32 nested(u32 a, u32 b)
{
    switch (a % 4) {
    case 0:
        switch (b % 3) {
        case 0: return 1;
        case 1: return 2;
        default: return 3;
        }
    case 1:
        switch (b % 5) {
        case 0: case 1: return 10;
        case 2: case 3: return 20;
        default: return 30;
        }
    case 2:
        return 100 + b;
    default:
        return a * b;
    }
}

/* a tiny bytecode interpreter: the classic big switch in a loop */
enum { OP_PUSH, OP_ADD, OP_SUB, OP_MUL, OP_DUP, OP_SWAP, OP_JNZ, OP_DEC, OP_PRINT, OP_HALT, OP_OVER, OP_DROP };

static s32 run(const s32 *code)
{
    s32 stack[32];
    int sp = 0, pc = 0, steps = 0;
    for (;;) {
        steps++;
        switch (code[pc++]) {
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_OVER: stack[sp] = stack[sp - 2]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_SWAP: { s32 t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } break;
        case OP_JNZ: { s32 t = code[pc++]; if (stack[--sp]) pc = t; } break;
        case OP_DEC: stack[sp - 1]--; break;
        case OP_PRINT: printf("  vm print %d\n", stack[sp - 1]); break;
        case OP_HALT: printf("  vm halt after %d steps\n", steps); return stack[sp - 1];
        default: printf("  vm bad op\n"); return -1;
        }
    }
}

int kmain(void)
{
    printf("switch: start\n");
    for (u32 i = 0; i < 18; i++)
        printf("dense(%u)=%08x\n", i, dense(i));
    printf("dense(0xffffffff)=%08x\n", dense(0xffffffffu));
    for (int i = -7; i <= 7; i++)
        printf("dense_signed(%d)=%d\n", i, dense_signed(i));
    static const u32 sp_in[] = { 0, 1, 2, 10, 77, 100, 1000, 4096, 4097, 12345, 65535, 65536, 0x80000000u, 0xfffffffeu, 0xffffffffu };
    for (unsigned i = 0; i < sizeof sp_in / sizeof sp_in[0]; i++)
        printf("sparse(%08x)=%s\n", sp_in[i], sparse(sp_in[i]));
    for (u32 i = 0; i < 8; i++)
        printf("fallthrough(%u)=%08x\n", i, fallthrough(i));
    u32 acc = 0;
    for (u32 a = 0; a < 12; a++)
        for (u32 b = 0; b < 12; b++)
            acc = acc * 33 + nested(a, b);
    printf("nested acc=%08x\n", acc);

    /* factorial 10 and a countdown via the interpreter */
    static const s32 fact[] = {
        OP_PUSH, 1, OP_PUSH, 10,         /* acc n */
        OP_DUP, OP_JNZ, 8, OP_HALT,      /* 4: if n==0 halt (never, see below) */
        OP_SWAP, OP_OVER, OP_MUL,        /* 8: n acc*n */
        OP_SWAP, OP_DEC,                 /* acc' n-1 */
        OP_DUP, OP_JNZ, 8,               /* loop while n-1 != 0 */
        OP_DROP, OP_PRINT, OP_HALT,
    };
    printf("vm fact: %d\n", run(fact));
    static const s32 count[] = {
        OP_PUSH, 3, OP_PRINT, OP_DEC, OP_DUP, OP_JNZ, 2, OP_PUSH, 7, OP_PUSH, 6, OP_MUL, OP_PRINT, OP_PUSH, 2, OP_SUB, OP_HALT,
    };
    printf("vm count: %d\n", run(count));
    printf("switch: done\n");
    return 0;
}
