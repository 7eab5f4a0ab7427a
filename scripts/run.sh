#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a local Parley deployment on this machine: installs what is missing, builds, writes the
# configuration of Prosody and of Parley's services into ./run/, starts them in the background
# (logs in ./run/*.log), prints what runs where, and stops everything on Ctrl-C.
# Everything listens on loopback only unless you say otherwise.
#
#   scripts/run.sh [--domain D] [--address A] [--http-port N] [--no-install] [--no-build]
#
#   --domain D      XMPP domain (default parley.localhost: browsers resolve *.localhost to
#                   the loopback address themselves, and no DNS is needed for anything)
#   --address A     address Prosody and the services listen on (default 127.0.0.1)
#   --http-port N   Prosody's BOSH/WebSocket port (default 5280)
#   --no-install    do not run scripts/install-deps.sh
#   --no-build      use the existing build in build-run/
#
# Secrets (focus component secret, bridge account password) are generated once and kept in
# ./run/secrets.env; the Prosody data (accounts) is kept in ./run/data.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
run=$top/run
build=$top/build-run

domain=parley.localhost
address=127.0.0.1
http_port=5280
c2s_port=5222
component_port=5347
bridge_http_port=8080
web_port=8000
install=1
do_build=1
while [ $# -gt 0 ]; do
  case $1 in
    --domain) domain=$2; shift 2 ;;
    --address) address=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '7,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "run: $*"; }
die() { echo "run: $*" >&2; exit 1; }

# ---- 1. dependencies and build ----
if [ "$install" = 1 ]; then
  bash scripts/install-deps.sh
fi
if [ "$do_build" = 1 ]; then
  if [ ! -f "$build/build.ninja" ]; then
    say "configuring $build"
    meson setup "$build" --buildtype=debugoptimized -Dtests=false >/dev/null \
      || die "meson setup failed (see $build/meson-logs/meson-log.txt)"
  fi
  say "building"
  mkdir -p "$run"
  ninja -C "$build" >"$run/build.log" 2>&1 \
    || { tail -40 "$run/build.log"; die "the build failed (full log: run/build.log)"; }
fi
focus_bin=$build/focus/parley-focus
bridge_bin=$build/bridge/parley-bridge
[ -x "$focus_bin" ] || die "$focus_bin is missing: the build did not produce parley-focus"
command -v prosody >/dev/null || die "prosody is not installed (run without --no-install)"

# ---- 2. configuration in ./run ----
mkdir -p "$run"
chmod 700 "$run"
if [ ! -f "$run/secrets.env" ]; then
  umask 077
  {
    echo "focus_secret=$(openssl rand -hex 16)"
    echo "bridge_password=$(openssl rand -hex 16)"
  } >"$run/secrets.env"
  umask 022
fi
# shellcheck disable=SC1091
. "$run/secrets.env"

port_open() { (exec 3<>"/dev/tcp/$address/$1") 2>/dev/null; }
for p in "$c2s_port" "$component_port" "$http_port" "$bridge_http_port" "$web_port"; do
  if port_open "$p"; then
    die "something already listens on $address:$p (another Prosody? stop it first: systemctl stop prosody)"
  fi
done

bash scripts/gen-prosody-config.sh --domain "$domain" --secret "$focus_secret" \
  --address "$address" --c2s-port "$c2s_port" --component-port "$component_port" \
  --http-port "$http_port" "$run" >/dev/null
prosodyctl --config "$run/prosody.cfg.lua" register jvb "auth.$domain" "$bridge_password" \
  >"$run/prosodyctl.log" 2>&1 || { cat "$run/prosodyctl.log"; die "could not create the bridge account"; }

umask 077
cat >"$run/focus.conf" <<EOF
# parley-focus configuration written by scripts/run.sh (see docs/deployment.md)
[xmpp]
host = $address
port = $component_port
domain = $domain
secret = $focus_secret

[focus]
min_participants = 2
room_grace_seconds = 5

[log]
level = info
EOF
cat >"$run/bridge.conf" <<EOF
# parley-bridge configuration written by scripts/run.sh (see docs/deployment.md)
[xmpp]
host = $address
port = $c2s_port
domain = $domain
password = $bridge_password

[ice]
addresses = $address

[http]
address = $address
port = $bridge_http_port
# Browsers reach the bridge channel (colibri-ws) through the web server's proxy.
public_url = http://$address:$web_port

[log]
level = info
EOF
umask 022

# ---- 3. start everything; stop everything on exit ----
pids=()
names=()
stopping=0
stop_all() {
  stopping=1
  trap - INT TERM EXIT
  local i pid
  # Reverse order: services first, Prosody last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping ${names[i]} (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap 'echo; stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

start() { # name log command...
  local name=$1 log=$2; shift 2
  # setsid: a Ctrl-C reaches this script only, which then stops the services in order.
  setsid "$@" </dev/null >>"$log" 2>&1 &
  pids+=("$!")
  names+=("$name")
}

wait_for() { # what seconds test-command...
  local what=$1 secs=$2; shift 2
  local i
  for i in $(seq 1 $((secs * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
all_ports() { port_open "$c2s_port" && port_open "$component_port" && port_open "$http_port"; }

: >"$run/prosody.log"
start prosody "$run/prosody.stdout.log" prosody --config "$run/prosody.cfg.lua"
wait_for prosody 15 all_ports || { tail -30 "$run/prosody.log"; die "Prosody did not start"; }
say "prosody is up"

: >"$run/focus.log"
start parley-focus "$run/focus.log" "$focus_bin" --config "$run/focus.conf"
focus_connected() { grep -q "connected to XMPP server" "$run/focus.log"; }
wait_for parley-focus 15 focus_connected \
  || { tail -30 "$run/focus.log"; die "parley-focus did not connect to Prosody"; }
say "parley-focus is connected"

# HOOK(bridge): parley-bridge joins when it has been built (bridge/main.c).
bridge_line="parley-bridge   not built yet"
if [ -x "$bridge_bin" ]; then
  : >"$run/bridge.log"
  start parley-bridge "$run/bridge.log" "$bridge_bin" --config "$run/bridge.conf"
  sleep 1
  if kill -0 "${pids[-1]}" 2>/dev/null; then
    bridge_line="parley-bridge   http://$address:$bridge_http_port/about/health   log run/bridge.log"
  else
    tail -20 "$run/bridge.log"
    unset 'pids[-1]' 'names[-1]'
    say "warning: parley-bridge exited at start (see run/bridge.log); continuing without media"
    bridge_line="parley-bridge   FAILED to start (run/bridge.log)"
  fi
fi

# The browser client: web/serve.mjs serves the page and proxies /xmpp-websocket, /http-bind
# (to Prosody) and /colibri-ws (to the bridge), so the page uses a single origin.
: >"$run/web.log"
start web "$run/web.log" node web/serve.mjs --port "$web_port" --host "$address" \
  --domain "$domain" --xmpp "http://$address:$http_port" --bridge "http://$address:$bridge_http_port"
web_up() { port_open "$web_port"; }
wait_for web 10 web_up || { tail -20 "$run/web.log"; die "the web server did not start"; }
web_url="http://$address:$web_port/"
web_line="web client      $web_url<room>   log run/web.log"

cat <<EOF

Parley is running (loopback only).  Ctrl-C stops everything.
  XMPP domain     $domain
  Prosody         c2s $address:$c2s_port   component $address:$component_port   log run/prosody.log
    BOSH          http://$address:$http_port/http-bind
    WebSocket     ws://$address:$http_port/xmpp-websocket
  parley-focus    focus.$domain (rooms on conference.$domain)   log run/focus.log
  $bridge_line
  $web_line
Configs: run/prosody.cfg.lua run/focus.conf run/bridge.conf   secrets: run/secrets.env

Open ${web_url}quarterly-planning-2027 in a browser (two tabs make a call).
EOF

# Stay in the foreground until Ctrl-C, or until a service dies.
while :; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      [ "$stopping" = 1 ] && exit 0
      say "${names[i]} exited unexpectedly; stopping everything (see its log in run/)"
      exit 1
    fi
  done
  sleep 1
done
