/* funcptr.c - function pointer tables, callbacks, a comparator-driven sort. */
#include "kjump.h"

typedef s32 (*binop)(s32, s32);
static s32 f_add(s32 a, s32 b) { return a + b; }
static s32 f_sub(s32 a, s32 b) { return a - b; }
static s32 f_mul(s32 a, s32 b) { return (s32)((u32)a * (u32)b); }
static s32 f_max(s32 a, s32 b) { return a > b ? a : b; }
static s32 f_min(s32 a, s32 b) { return a < b ? a : b; }
static s32 f_xor(s32 a, s32 b) { return a ^ b; }

static const struct { const char *name; binop fn; } ops[] = {
    { "add", f_add }, { "sub", f_sub }, { "mul", f_mul },
    { "max", f_max }, { "min", f_min }, { "xor", f_xor },
};
#define NOPS (sizeof ops / sizeof ops[0])

static s32 fold(const s32 *v, int n, s32 init, binop f)
{
    for (int i = 0; i < n; i++)
        init = f(init, v[i]);
    return init;
}

/* insertion-free generic sort: heap sort with a comparator and element size */
typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(u8 *a, u8 *b, size_t n)
{
    while (n--) {
        u8 t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

static void sift(u8 *base, size_t size, size_t start, size_t end, cmp_fn cmp)
{
    size_t root = start;
    while (2 * root + 1 < end) {
        size_t child = 2 * root + 1, sw = root;
        if (cmp(base + sw * size, base + child * size) < 0)
            sw = child;
        if (child + 1 < end && cmp(base + sw * size, base + (child + 1) * size) < 0)
            sw = child + 1;
        if (sw == root)
            return;
        swap_bytes(base + root * size, base + sw * size, size);
        root = sw;
    }
}

static void hsort(void *base, size_t n, size_t size, cmp_fn cmp)
{
    u8 *b = base;
    for (size_t s = n / 2; s-- > 0;)
        sift(b, size, s, n, cmp);
    for (size_t end = n; end > 1; end--) {
        swap_bytes(b, b + (end - 1) * size, size);
        sift(b, size, 0, end - 1, cmp);
    }
}

static int cmp_s32(const void *a, const void *b)
{
    s32 x = *(const s32 *)a, y = *(const s32 *)b;
    return (x > y) - (x < y);
}
static int cmp_u32_desc(const void *a, const void *b)
{
    u32 x = *(const u32 *)a, y = *(const u32 *)b;
    return (x < y) - (x > y);
}
struct rec { char name[8]; u16 age; u32 id; };
static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->age != y->age)
        return x->age < y->age ? -1 : 1;
    return strcmp(x->name, y->name);
}

static u32 calls;
static void visit(int depth, u32 value, void (*cb)(int, u32))
{
    calls++;
    cb(depth, value);
    if (depth < 3) {
        visit(depth + 1, value * 2, cb);
        visit(depth + 1, value * 2 + 1, cb);
    }
}
static u32 leaf_sum;
static void cb_sum(int depth, u32 v) { if (depth == 3) leaf_sum += v * v; }
static void cb_print(int depth, u32 v) { if (depth <= 1) printf("  visit depth %d value %u\n", depth, v); }

/* a state machine driven by a table of function pointers */
typedef int (*state_fn)(char c, u32 *acc);
static int st_start(char c, u32 *acc);
static int st_num(char c, u32 *acc);
static int st_hex(char c, u32 *acc);
static const state_fn states[] = { st_start, st_num, st_hex };
static int st_start(char c, u32 *acc)
{
    if (c == 'x') return 2;
    if (c >= '0' && c <= '9') { *acc = (u32)(c - '0'); return 1; }
    return 0;
}
static int st_num(char c, u32 *acc)
{
    if (c >= '0' && c <= '9') { *acc = *acc * 10 + (u32)(c - '0'); return 1; }
    printf("  number %u\n", *acc);
    *acc = 0;
    return 0;
}
static int st_hex(char c, u32 *acc)
{
    if (c >= '0' && c <= '9') { *acc = *acc * 16 + (u32)(c - '0'); return 2; }
    if (c >= 'a' && c <= 'f') { *acc = *acc * 16 + (u32)(c - 'a' + 10); return 2; }
    printf("  hex %08x\n", *acc);
    *acc = 0;
    return 0;
}

int kmain(void)
{
    printf("funcptr: start\n");
    static const s32 v[] = { 5, -3, 17, 0x7fffffff, -100, 42, 9, -1 };
    for (unsigned i = 0; i < NOPS; i++)
        printf("fold %s = %08x\n", ops[i].name, (u32)fold(v, 8, i == 2 ? 1 : 0, ops[i].fn));
    for (unsigned i = 0; i < NOPS; i++)
        for (unsigned j = 0; j < NOPS; j += 2) {
            binop f = ops[i].fn, g = ops[j].fn;
            printf("%s(%s(7,-9),1000)=%d\n", ops[i].name, ops[j].name, f(g(7, -9), 1000));
        }

    s32 arr[40];
    u32 seed = 12345;
    for (int i = 0; i < 40; i++) {
        seed = seed * 1103515245u + 12345u;
        arr[i] = (s32)(seed >> 8) - 0x400000;
    }
    hsort(arr, 40, sizeof arr[0], cmp_s32);
    printf("sorted s32:");
    for (int i = 0; i < 40; i++)
        printf("%s%d", i % 8 ? " " : "\n  ", arr[i]);
    printf("\n");
    hsort(arr, 40, sizeof arr[0], cmp_u32_desc);
    printf("sorted u32 desc:");
    for (int i = 0; i < 40; i += 5)
        printf(" %08x", (u32)arr[i]);
    printf("\n");

    struct rec recs[] = {
        { "eve", 31, 1 }, { "bob", 25, 2 }, { "alice", 31, 3 }, { "dan", 19, 4 },
        { "carol", 25, 5 }, { "frank", 40, 6 }, { "gina", 19, 7 }, { "abe", 31, 8 },
    };
    hsort(recs, 8, sizeof recs[0], cmp_rec);
    for (int i = 0; i < 8; i++)
        printf("rec %-6s age %u id %u\n", recs[i].name, recs[i].age, recs[i].id);

    visit(0, 1, cb_print);
    visit(0, 1, cb_sum);
    printf("visit calls %u leaf_sum %u\n", calls, leaf_sum);

    const char *text = "12 x1f 7 xdeadbeef 4096 ";
    int st = 0;
    u32 acc = 0;
    for (const char *p = text; *p; p++)
        st = states[st](*p, &acc);
    printf("funcptr: done\n");
    return 0;
}
