#!/bin/sh
# memory-bench.sh - the host memory of long runs of jumps, as whole-process figures: peak RSS (GNU time's
# "Maximum resident set size", the kernel's ru_maxrss) and wall time of `kjump run IMAGE --jumps N` and
# `kjump kexec --load-preserve-context IMAGE --jumps N`, each without and with `--json`, for each N given
# (default: 10000 100000). Memory must not grow with the jumps (issue 13, finding 2): a run above the limit
# (default 512 MB, -l MB to change), a run that fails, or a JSON report that does not parse or does not count
# every jump makes the exit status 1.
#
# usage: scripts/memory-bench.sh [-l LIMIT_MB] [-i IMAGE] [N ...]
# The launcher's JVM options apply (KJUMP_JAVA_OPTS overrides them, as for ./kjump).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
limit=512
image="$here/images/examples/elf/pingpong.elf"
while getopts l:i: opt; do
    case $opt in
        l) limit=$OPTARG ;;
        i) image=$OPTARG ;;
        *) echo "usage: $0 [-l LIMIT_MB] [-i IMAGE] [N ...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 10000 100000
if [ ! -x /usr/bin/time ]; then
    echo "memory-bench: needs GNU time as /usr/bin/time (Debian/Ubuntu: apt-get install time)" >&2
    exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kjump-mem.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$here/kjump" --version > /dev/null # build the jar first, outside the measurements
status=0
printf '%-8s %-6s %9s %10s %9s  %s\n' command json jumps "RSS (MB)" "wall (s)" result
for n in "$@"; do
    for cmd in run kexec; do
        for json in no yes; do
            set -- "$image" --jumps "$n"
            [ "$cmd" = kexec ] && set -- --load-preserve-context "$@"
            [ "$json" = yes ] && set -- "$@" --json "$tmp/report.json"
            rm -f "$tmp/report.json"
            rc=0
            /usr/bin/time -o "$tmp/time" -f '%M %e' "$here/kjump" "$cmd" "$@" > /dev/null 2> "$tmp/err" || rc=$?
            rss_kb=$(tail -n 1 "$tmp/time" | cut -d' ' -f1)
            wall=$(tail -n 1 "$tmp/time" | cut -d' ' -f2)
            result=ok
            if [ "$rc" -ne 0 ]; then
                result="exit $rc: $(grep -v '^\[' "$tmp/err" | tail -n 1)"
            elif [ "$json" = yes ] && command -v python3 > /dev/null; then
                got=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(len(d["jumps"]), d["summary"]["jumps"])' \
                    "$tmp/report.json" 2>&1) || got="unparsable: $got"
                [ "$got" = "$n $n" ] || result="bad JSON report ($got)"
            fi
            rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
            if awk -v k="$rss_kb" -v l="$limit" 'BEGIN { exit !(k / 1024 > l) }'; then
                result="$result; over the limit of $limit MB"
            fi
            [ "$result" = ok ] || status=1
            printf '%-8s %-6s %9s %10s %9s  %s\n' "$cmd" "$json" "$n" "$rss_mb" "$wall" "$result"
        done
    done
done
exit $status
