#!/usr/bin/env python3
"""compare.py - lists the opmap cases where two transcripts differ (developer tool).

    ./kjump run --bare images/elf/opmap-O2.elf > /tmp/kjump.txt
    python3 images/opmap/compare.py images/expected/opmap-O2.txt /tmp/kjump.txt

Prints, per differing case, its name from tests/opmap_cases.h (gen.py's
description), what the first transcript (QEMU) printed and what the second
(kjump) printed, then a count.
"""
import os
import re
import sys


def load(path):
    lines = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = re.match(r"(\d{4}) ", line)
            if m:
                lines[int(m.group(1))] = line.rstrip("\n")
    return lines


def names():
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    with open(os.path.join(here, "..", "tests", "opmap_cases.h")) as f:
        for line in f:
            m = re.search(r"/\* (.*) \*/$", line)
            if m and line.lstrip().startswith("{"):
                out.append(m.group(1))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare.py QEMU.txt KJUMP.txt")
    q, k, n = load(sys.argv[1]), load(sys.argv[2]), names()
    bad = 0
    for i in sorted(set(q) | set(k)):
        if q.get(i) != k.get(i):
            bad += 1
            print("%-30s QEMU:  %s" % (n[i] if i < len(n) else "?", q.get(i, "(missing)")))
            print("%-30s kjump: %s" % ("", k.get(i, "(missing)")))
    print("%d of %d cases differ" % (bad, len(q)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
