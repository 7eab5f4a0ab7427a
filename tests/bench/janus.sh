#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Debian's Janus (the janus package) by hand, for side-by-side benchmarks only: a
# configuration in <dir> with the HTTP API on 127.0.0.1:8088 and the VideoRoom plugin alone,
# ICE on a veth pair made inside the current network namespace (Janus skips loopback
# interfaces when it gathers): veth0 carries 127.0.0.2/32 (IPv6 off), so every address stays in
# 127.0.0.0/8 and nothing leaves the namespace. Full ICE (Janus's default), its default TWCC
# period (200 ms), debug level 2 (errors and warnings only: logging costs CPU).
#
#   tests/bench/janus.sh start <dir>   writes <dir>/janus.pid; waits for the HTTP API
#   tests/bench/janus.sh stop <dir>
#
# Exit status: 0 ok, 1 failure (the Janus log is printed), 77 janus is not installed.
# Run it inside tests/netns-run.sh (it creates an interface and listens on fixed ports).
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 start|stop <dir>" >&2; exit 2; }
cmd=$1 dir=$2
lib=/usr/lib/x86_64-linux-gnu/janus

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

start() {
  command -v janus >/dev/null || { echo "janus.sh: janus is not installed (apt-get install janus)"; exit 77; }
  [ -d "$lib/plugins" ] || lib=$(dirname "$(dpkg -L janus | grep -m1 '/janus/plugins$')")
  mkdir -p "$dir"
  if ! ip link show veth0 >/dev/null 2>&1; then
    ip link add veth0 type veth peer name veth1 || exit 1
    sysctl -qw net.ipv6.conf.veth0.disable_ipv6=1 net.ipv6.conf.veth1.disable_ipv6=1 2>/dev/null
    ip link set veth0 multicast off
    ip link set veth1 multicast off
    ip addr add 127.0.0.2/32 dev veth0
    ip link set veth0 up
    ip link set veth1 up
  fi
  local disable_plugins disable_transports
  disable_plugins=$(cd "$lib/plugins" && ls *.so | grep -v videoroom | paste -sd, -)
  disable_transports=$(cd "$lib/transports" && ls *.so | grep -v http | paste -sd, -)
  cat >"$dir/janus.jcfg" <<CFG
general: {
	configs_folder = "$dir"
	plugins_folder = "$lib/plugins"
	transports_folder = "$lib/transports"
	events_folder = "$lib/events"
	loggers_folder = "$lib/loggers"
	debug_level = ${JANUS_DEBUG_LEVEL:-2}
	session_timeout = 120
}
certificates: {
}
media: {
	rtp_port_range = "30000-39999"
}
nat: {
	ice_enforce_list = "veth0"
	nice_debug = ${JANUS_NICE_DEBUG:-false}
}
plugins: {
	disable = "$disable_plugins"
}
transports: {
	disable = "$disable_transports"
}
events: {
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
CFG
  cat >"$dir/janus.transport.http.jcfg" <<CFG
general: {
	json = "plain"
	base_path = "/janus"
	http = true
	port = 8088
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_http = false
}
CFG
  cat >"$dir/janus.plugin.videoroom.jcfg" <<CFG
general: {
}
CFG
  ${JANUS_WRAP:-} janus -F "$dir" -o -N -L "$dir/janus.log" >"$dir/janus.stdout" 2>&1 &
  echo $! >"$dir/janus.pid"
  for _ in $(seq 1 200); do
    if (exec 3<>/dev/tcp/127.0.0.1/8088) 2>/dev/null; then exit 0; fi
    alive "$(cat "$dir/janus.pid")" || break
    sleep 0.1
  done
  echo "janus.sh: Janus did not come up" >&2
  tail -n 40 "$dir/janus.log" "$dir/janus.stdout" >&2
  exit 1
}

stop() {
  local pid
  pid=$(cat "$dir/janus.pid" 2>/dev/null) || exit 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do alive "$pid" || exit 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
  exit 0
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop <dir>" >&2; exit 2 ;;
esac
