#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# parley-bridge and Janus VideoRoom side by side: the same simulated participants (sfu-load:
# ICE, DTLS, SRTP, the same packet mix), each server in turn in its own network namespace
# (tests/netns-run.sh), alternating Parley and Janus at every size so both see the same
# machine in the same minutes. One table: server CPU per forwarded packet (every thread of the
# server process, from /proc), forwarded packets per second, loss, latency, RSS, and the ratio
# Janus / Parley of CPU per forwarded packet. Figures only: nothing passes or fails on a time.
#
#   tests/bench/run-sfu-compare.sh BUILD_DIR [-n "3 6 12 24 48"] [-d SECONDS] [-r REPEATS]
#                                  [-- extra sfu-load options]
#
# Janus comes from Debian's janus package (scripts/install-deps.sh --bench); without it the
# Janus rows say so. Full outputs go to $BENCH_LOG_DIR (default: a new temporary directory).
set -u
build=${1:?usage: run-sfu-compare.sh BUILD_DIR [-n LIST] [-d S] [-r N] [-- opts]}
shift
sizes="3 6 12 24 48" seconds=10 repeats=1 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) sizes=$2; shift 2 ;;
    -d) seconds=$2; shift 2 ;;
    -r) repeats=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "run-sfu-compare: unknown option $1" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/tests/bench/sfu-load"
[ -x "$bin" ] || { echo "run-sfu-compare: $bin not built" >&2; exit 2; }
logs=${BENCH_LOG_DIR:-$(mktemp -d /tmp/parley-sfu.XXXXXX)}
mkdir -p "$logs"

printf '%-7s %-3s %-2s %9s %8s %8s %9s %8s %9s %9s %8s %6s\n' \
  server n r fwd_pps cpu_pct us/fwd loss_max p50_us p99_us rss_kB janus/pa load
for n in $sizes; do
  for r in $(seq 1 "$repeats"); do
    parley_us=""
    for server in parley janus; do
      log="$logs/sfu-$server-n$n-$r.txt"
      "$here/../netns-run.sh" "$bin" --server "$server" -n "$n" -d "$seconds" "${extra[@]}" \
        >"$log" 2>&1
      status=$?
      line=$(grep '^summary:' "$log" | tail -1)
      if [ -z "$line" ]; then
        if [ "$status" = 77 ]; then
          printf '%-7s %-3s %-2s skipped: %s\n' "$server" "$n" "$r" "$(tail -1 "$log")"
        else
          printf '%-7s %-3s %-2s no summary (see %s)\n' "$server" "$n" "$r" "$log"
        fi
        continue
      fi
      get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
      us=$(get cpu_us_per_fwd)
      ratio=""
      if [ "$server" = parley ]; then
        parley_us=$us
      elif [ -n "$parley_us" ]; then
        ratio=$(awk -v j="$us" -v p="$parley_us" 'BEGIN { if (p > 0) printf "%.2f", j / p }')
      fi
      printf '%-7s %-3s %-2s %9s %8s %8s %9s %8s %9s %9s %8s %6s\n' \
        "$server" "$n" "$r" "$(get fwd_pps)" "$(get cpu_pct)" "$us" "$(get loss_max_pct)%" \
        "$(get lat_p50_us)" "$(get lat_p99_us)" "$(get rss_after_kb)" "$ratio" \
        "$(get load | cut -d'>' -f2)"
    done
  done
done
echo "full outputs: $logs"
