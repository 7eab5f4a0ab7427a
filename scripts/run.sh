#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a local Parley deployment on this machine: installs what is missing, builds what it
# runs, writes the configuration of Prosody and of Parley's services into ./run/, starts them
# in the background (logs in ./run/*.log), prints what runs where, and stops everything on
# Ctrl-C. Everything listens on loopback only unless you say otherwise.
#
#   scripts/run.sh [--domain D] [--address A] [--http-port N] [--no-install] [--no-build]
#                  [--build-dir DIR] [--run-dir DIR]
#
#   --domain D       XMPP domain (default parley.localhost: browsers resolve *.localhost to
#                    the loopback address themselves, and no DNS is needed for anything)
#   --address A      address Prosody and the services listen on (default 127.0.0.1)
#   --http-port N    Prosody's BOSH/WebSocket port (default 5280)
#   --no-install     do not run scripts/install-deps.sh
#   --no-build       use the existing build (do not run ninja)
#   --build-dir DIR  the build to use (default build-run/, configured with -Dtests=false)
#   --run-dir DIR    configuration, data and logs (default run/)
#
# It never stops, disables or kills anything it did not start. A port that is taken (by a
# system Prosody, say) is named with what holds it, and the next free one is used instead.
# Secrets (focus component secret, bridge account password) are generated once and kept in
# <run-dir>/secrets.env; the Prosody data (accounts) is kept in <run-dir>/data.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
run=$top/run
build=$top/build-run

domain=parley.localhost
address=127.0.0.1
http_port=5280
install=1
do_build=1
while [ $# -gt 0 ]; do
  case $1 in
    --domain) domain=$2; shift 2 ;;
    --address) address=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --no-build) do_build=0; shift ;;
    --build-dir) build=$(realpath -m "$2"); shift 2 ;;
    --run-dir) run=$(realpath -m "$2"); shift 2 ;;
    -h|--help) sed -n '7,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "run: $*"; }
die() { echo "run: $*" >&2; exit 1; }

# ---- 1. dependencies and build ----
if [ "$install" = 1 ]; then
  say "checking the Debian and npm packages Parley needs (scripts/install-deps.sh)"
  bash scripts/install-deps.sh
fi
mkdir -p "$run"
chmod 700 "$run"
if [ "$do_build" = 1 ]; then
  if [ ! -f "$build/build.ninja" ]; then
    say "configuring $build (meson setup -Dtests=false: the programs only, no tests)"
    meson setup "$build" --buildtype=debugoptimized -Dtests=false >"$run/setup.log" 2>&1 \
      || { tail -20 "$run/setup.log"; die "meson setup failed (see $run/setup.log)"; }
  fi
  say "building parley-focus and parley-bridge in $build (ninja; full log: $run/build.log)"
  # ninja's own progress ("[12/93] Compiling ..."): in place on a terminal, a line each
  # otherwise.
  cols=$(tput cols 2>/dev/null || echo 100)
  set +e
  if [ -t 1 ]; then
    ninja -C "$build" 2>&1 | tee "$run/build.log" \
      | while IFS= read -r line; do
          case $line in \[*/*\]*) printf '\r\033[K  %s' "${line:0:$((cols - 3))}" ;; esac
        done
    rc=${PIPESTATUS[0]}
    printf '\r\033[K'
  else
    ninja -C "$build" 2>&1 | tee "$run/build.log" | { grep --line-buffered -E '^\[[0-9]+/[0-9]+\]' || true; } \
      | sed -u 's/^/  /'
    rc=${PIPESTATUS[0]}
  fi
  set -e
  [ "$rc" = 0 ] || { tail -40 "$run/build.log"; die "the build failed (full log: $run/build.log)"; }
  say "build done"
fi
focus_bin=$build/focus/parley-focus
bridge_bin=$build/bridge/parley-bridge
[ -x "$focus_bin" ] || die "$focus_bin is missing: the build did not produce parley-focus"
command -v prosody >/dev/null || die "prosody is not installed (run without --no-install)"

# ---- 2. ports: the usual ones, or free ones next to them ----
port_busy() { (exec 3<>"/dev/tcp/$address/$1") 2>/dev/null; }
who_holds() { # port -> "prosody (pid 123)" or ""
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n 1
}
chosen=()
pick_port() { # variable what default: sets the variable to the port to use
  local var=$1 what=$2 p=$3 holder
  if port_busy "$p"; then
    holder=$(who_holds "$p")
    p=$(($3 < 55536 ? $3 + 10000 : $3 - 10000))
    while port_busy "$p" || [[ " ${chosen[*]} " == *" $p "* ]]; do p=$((p + 1)); done
    say "port $3 ($what) is taken${holder:+ by $holder}: using $p instead (nothing is stopped)"
  fi
  chosen+=("$p")
  printf -v "$var" '%s' "$p"
}
pick_port c2s_port "XMPP client port" 5222
pick_port component_port "XMPP component port" 5347
pick_port http_port "BOSH/WebSocket" "$http_port"
pick_port bridge_http_port "bridge HTTP" 8080
pick_port focus_http_port "focus health and metrics" 8888
pick_port web_port "web client" 8000

# ---- 3. configuration in the run directory ----
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

say "writing the Prosody configuration (scripts/gen-prosody-config.sh) and the services' settings into $run"
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

[http]
address = $address
port = $focus_http_port

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

# ---- 4. start everything; stop (only) that on exit ----
pids=()
names=()
stopping=0
stop_all() {
  stopping=1
  trap - INT TERM EXIT
  local i pid
  # Reverse order: services first, Prosody last. Only processes this script started.
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

start() {
  local name=$1 log=$2; shift 2
  # setsid: a Ctrl-C reaches this script only, which then stops the services in order.
  setsid "$@" </dev/null >>"$log" 2>&1 &
  pids+=("$!")
  names+=("$name")
}

wait_for() { # seconds test-command...
  local secs=$1; shift
  local i
  for i in $(seq 1 $((secs * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
own_prosody_up() { port_busy "$c2s_port" && port_busy "$component_port" && port_busy "$http_port"; }

say "starting Prosody (c2s $c2s_port, component $component_port, http $http_port)"
: >"$run/prosody.log"
start prosody "$run/prosody.stdout.log" prosody --config "$run/prosody.cfg.lua"
wait_for 15 own_prosody_up || { tail -30 "$run/prosody.log"; die "Prosody did not start"; }
say "prosody is up"

say "starting parley-focus"
: >"$run/focus.log"
start parley-focus "$run/focus.log" "$focus_bin" --config "$run/focus.conf"
focus_connected() { grep -q "connected to XMPP server" "$run/focus.log"; }
wait_for 15 focus_connected \
  || { tail -30 "$run/focus.log"; die "parley-focus did not connect to Prosody"; }
say "parley-focus is connected"

bridge_line="parley-bridge   not built"
if [ -x "$bridge_bin" ]; then
  say "starting parley-bridge"
  : >"$run/bridge.log"
  start parley-bridge "$run/bridge.log" "$bridge_bin" --config "$run/bridge.conf"
  bridge_in() { grep -q "bridge joined" "$run/focus.log"; }
  if wait_for 15 bridge_in; then
    say "parley-bridge joined the brewery"
    bridge_line="parley-bridge   http://$address:$bridge_http_port/about/health   log $run/bridge.log"
  else
    tail -20 "$run/bridge.log"
    say "warning: parley-bridge did not join the brewery (see $run/bridge.log); continuing without media"
    bridge_line="parley-bridge   NOT in the brewery ($run/bridge.log)"
  fi
fi

# The browser client: web/serve.mjs serves the page and proxies /xmpp-websocket, /http-bind
# (to Prosody) and /colibri-ws (to the bridge), so the page uses a single origin.
say "starting the web client (web/serve.mjs)"
: >"$run/web.log"
start web "$run/web.log" node web/serve.mjs --port "$web_port" --host "$address" \
  --domain "$domain" --xmpp "http://$address:$http_port" --bridge "http://$address:$bridge_http_port"
web_up() { port_busy "$web_port"; }
wait_for 10 web_up || { tail -20 "$run/web.log"; die "the web server did not start"; }
web_url="http://$address:$web_port/"

cat <<EOF

Parley is running (loopback only).  Ctrl-C stops everything.
  XMPP domain     $domain
  Prosody         c2s $address:$c2s_port   component $address:$component_port   log $run/prosody.log
    BOSH          http://$address:$http_port/http-bind
    WebSocket     ws://$address:$http_port/xmpp-websocket
  parley-focus    focus.$domain (rooms on conference.$domain)   log $run/focus.log
                  http://$address:$focus_http_port/about/health   http://$address:$focus_http_port/metrics
  $bridge_line
  web client      $web_url<room>   log $run/web.log
Configs: $run/prosody.cfg.lua $run/focus.conf $run/bridge.conf   secrets: $run/secrets.env

Open ${web_url}quarterly-planning-2027 in a browser (two tabs make a call).
EOF

# Stay in the foreground until Ctrl-C, or until a service dies.
while :; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      [ "$stopping" = 1 ] && exit 0
      say "${names[i]} exited unexpectedly; stopping everything (see its log in $run)"
      exit 1
    fi
  done
  sleep 1
done
