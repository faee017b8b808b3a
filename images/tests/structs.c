/* structs.c - struct copy, return by value, arrays of structs, nesting, unions. */
#include "kjump.h"

struct vec { s32 x, y, z; };
struct seg { struct vec a, b; u8 tag; };
struct odd { u8 c; u32 w; u16 h; u8 tail[3]; };
struct large { u32 words[24]; struct vec v; char name[12]; };
union pun { u32 w; u16 h[2]; u8 b[4]; };
struct __attribute__((packed)) packed { u8 a; u32 b; u16 c; u8 d; };

static volatile s32 seedv = 3;

__attribute__((noinline)) static struct vec vadd(struct vec p, struct vec q)
{
    struct vec r = { p.x + q.x, p.y + q.y, p.z + q.z };
    return r;
}
__attribute__((noinline)) static struct vec vscale(struct vec p, s32 k)
{
    p.x *= k; p.y *= k; p.z *= k;
    return p;
}
__attribute__((noinline)) static s32 dot(const struct vec *p, const struct vec *q)
{
    return p->x * q->x + p->y * q->y + p->z * q->z;
}
__attribute__((noinline)) static struct vec cross(struct vec p, struct vec q)
{
    struct vec r = { p.y * q.z - p.z * q.y, p.z * q.x - p.x * q.z, p.x * q.y - p.y * q.x };
    return r;
}
__attribute__((noinline)) static struct large make_large(u32 k)
{
    struct large l;
    for (int i = 0; i < 24; i++)
        l.words[i] = k * 0x9e3779b9u + (u32)i;
    l.v.x = (s32)k; l.v.y = -(s32)k; l.v.z = (s32)(k * k);
    strcpy(l.name, "large");
    l.name[5] = (char)('0' + k % 10);
    l.name[6] = 0;
    return l;
}
__attribute__((noinline)) static u32 sum_large(struct large l)
{
    u32 s = 0;
    for (int i = 0; i < 24; i++)
        s = s * 7 + l.words[i];
    return s + (u32)l.v.x + (u32)l.v.y + (u32)l.v.z + (u32)strlen(l.name);
}
static void pv(const char *n, struct vec v) { printf("%s = (%d, %d, %d)\n", n, v.x, v.y, v.z); }

int kmain(void)
{
    printf("structs: start\n");
    printf("sizeof vec %u seg %u odd %u large %u pun %u packed %u\n",
           sizeof(struct vec), sizeof(struct seg), sizeof(struct odd), sizeof(struct large),
           sizeof(union pun), sizeof(struct packed));
    printf("offsetof odd: w %u h %u tail %u; packed: b %u c %u d %u\n",
           __builtin_offsetof(struct odd, w), __builtin_offsetof(struct odd, h), __builtin_offsetof(struct odd, tail),
           __builtin_offsetof(struct packed, b), __builtin_offsetof(struct packed, c), __builtin_offsetof(struct packed, d));

    struct vec a = { seedv, -seedv * 2, 7 }, b = { 10, 20, -30 };
    pv("a", a);
    pv("b", b);
    pv("a+b", vadd(a, b));
    pv("a*-4", vscale(a, -4));
    pv("axb", cross(a, b));
    printf("a.b = %d\n", dot(&a, &b));

    struct seg segs[6];
    for (int i = 0; i < 6; i++) {
        segs[i].a = vscale(a, i);
        segs[i].b = vadd(b, segs[i].a);
        segs[i].tag = (u8)(0xf0 | i);
    }
    struct seg copy[6];
    for (int i = 0; i < 6; i++)
        copy[5 - i] = segs[i];
    for (int i = 0; i < 6; i++)
        printf("seg[%d] tag %02x a=(%d,%d,%d) b=(%d,%d,%d)\n", i, copy[i].tag,
               copy[i].a.x, copy[i].a.y, copy[i].a.z, copy[i].b.x, copy[i].b.y, copy[i].b.z);

    struct odd o = { 0x11, 0x22334455, 0x6677, { 0x88, 0x99, 0xaa } };
    struct odd o2 = o;
    o2.tail[1] ^= 0xff;
    printf("odd: %02x %08x %04x %02x%02x%02x / %02x\n", o2.c, o2.w, o2.h, o2.tail[0], o2.tail[1], o2.tail[2], o.tail[1]);

    for (u32 k = 1; k < 30; k += 7) {
        struct large l = make_large(k);
        struct large m = l;
        m.words[k % 24] = 0;
        printf("large(%u): name %s sum %08x modified %08x\n", k, l.name, sum_large(l), sum_large(m));
    }

    union pun p;
    p.w = 0x11223344;
    printf("union: w %08x h %04x %04x b %02x %02x %02x %02x\n", p.w, p.h[0], p.h[1], p.b[0], p.b[1], p.b[2], p.b[3]);
    p.b[1] = 0xee;
    p.h[1] = 0xabcd;
    printf("union after writes: %08x\n", p.w);

    struct packed pk[3];
    for (int i = 0; i < 3; i++) {
        pk[i].a = (u8)i;
        pk[i].b = 0x01020304u * (u32)(i + 1);
        pk[i].c = (u16)(0x1111 * (i + 1));
        pk[i].d = (u8)(0xd0 + i);
    }
    const u8 *raw = (const u8 *)pk;
    printf("packed bytes:");
    for (unsigned i = 0; i < sizeof pk; i++)
        printf(" %02x", raw[i]);
    printf("\npacked read back: %08x %04x\n", pk[2].b, pk[1].c);

    /* a linked list of structs in an array, reversed and walked */
    struct node { u32 val; struct node *next; } nodes[10];
    struct node *head = NULL;
    for (int i = 0; i < 10; i++) {
        nodes[i].val = (u32)(i * i + 1);
        nodes[i].next = head;
        head = &nodes[i];
    }
    struct node *rev = NULL;
    while (head) {
        struct node *n = head->next;
        head->next = rev;
        rev = head;
        head = n;
    }
    printf("list:");
    for (struct node *n = rev; n; n = n->next)
        printf(" %u", n->val);
    printf("\n");

    /* 2-D array of structs and compound literals */
    struct cell { u8 kind; s16 weight; } grid[5][7];
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 7; c++)
            grid[r][c] = (struct cell){ (u8)((r * 7 + c) % 3), (s16)((r - 2) * (c - 3) * 100) };
    s32 tw = 0;
    u32 kinds = 0;
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 7; c++) {
            tw += grid[r][c].weight * (grid[r][c].kind + 1);
            kinds = kinds * 3 + grid[r][c].kind;
        }
    printf("grid weight %d kinds %08x\n", tw, kinds);
    printf("structs: done\n");
    return 0;
}
