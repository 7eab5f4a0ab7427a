#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs bridge-load for a matrix of conference sizes and worker counts, each in its own network
# namespace (tests/netns-run.sh), and prints one table row per run from its "summary:" line.
# Figures only: nothing here passes or fails on a time.
#
#   tests/bench/run-forwarding.sh BUILD_DIR [-n "3 6 12 24 48"] [-w "1 2"] [-d SECONDS]
#                                 [-r REPEATS] [-- extra bridge-load options]
#
# Columns: forwarded packets per second; the media workers' CPU per forwarded packet; the
# one-socket floor (input from memory, as fast as it goes) and the ratio to it; the floor paced
# at this run's real-time rates (wake-ups included) and the ratio to that; loss; latency
# through the bridge; RSS after the run (the simulated participants included); heap
# allocations per forwarded packet on the media threads; ms the workers waited runnable for a
# CPU; the load average.
#
# Full outputs go to $BENCH_LOG_DIR (default: a new temporary directory, printed at the end).
set -u
build=${1:?usage: run-forwarding.sh BUILD_DIR [-n LIST] [-w LIST] [-d S] [-r N] [-- opts]}
shift
sizes="3 6 12 24 48" workers="1 2" seconds=10 repeats=1 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) sizes=$2; shift 2 ;;
    -w) workers=$2; shift 2 ;;
    -d) seconds=$2; shift 2 ;;
    -r) repeats=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run-forwarding: unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/tests/bench/bridge-load"
[ -x "$bin" ] || { echo "run-forwarding: $bin not built" >&2; exit 2; }
logs=${BENCH_LOG_DIR:-$(mktemp -d /tmp/parley-bench.XXXXXX)}
mkdir -p "$logs"

printf '%-3s %-2s %9s %8s %9s %6s %9s %6s %9s %7s %8s %8s %10s %8s %6s\n' \
  n w fwd_pps us/fwd floor_us ratio paced_us ratio loss_max p50_us p99_us rss_kB allocs/fwd \
  wait_ms load
for n in $sizes; do
  for w in $workers; do
    for r in $(seq 1 "$repeats"); do
      log="$logs/bridge-load-n$n-w$w-$r.txt"
      "$here/../netns-run.sh" "$bin" -n "$n" -w "$w" -d "$seconds" "${extra[@]}" >"$log" 2>&1
      line=$(grep '^summary:' "$log" | tail -1)
      if [ -z "$line" ]; then
        echo "n=$n w=$w: no summary (see $log)"
        continue
      fi
      get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
      printf '%-3s %-2s %9s %8s %9s %6s %9s %6s %9s %7s %8s %8s %10s %8s %6s\n' \
        "$n" "$w" "$(get fwd_pps)" "$(get cpu_us_per_fwd)" "$(get floor_us)" "$(get ratio)" \
        "$(get paced_floor_us)" "$(get paced_ratio)" "$(get loss_max_pct)%" "$(get lat_p50_us)" \
        "$(get lat_p99_us)" "$(get rss_after_kb)" "$(get allocs_per_fwd)" "$(get wait_ms)" \
        "$(get load)"
    done
  done
done
echo "full outputs: $logs"
