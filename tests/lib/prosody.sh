#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Test harness for a real Prosody: generates a config with scripts/gen-prosody-config.sh,
# registers the bridge account, starts Prosody in the background and waits until its ports
# accept connections.
#
#   tests/lib/prosody.sh start <dir>   config + data + log in <dir>; writes <dir>/prosody.pid
#   tests/lib/prosody.sh stop <dir>    SIGTERM, then SIGKILL after 5 s
#
# Environment: PARLEY_DOMAIN (meet.parley.test), PARLEY_FOCUS_SECRET (focussecret),
# PARLEY_BRIDGE_PASSWORD (bridgepass), PARLEY_PROSODY_ADDRESS (127.0.0.1),
# PARLEY_C2S_PORT (5222), PARLEY_COMPONENT_PORT (5347), PARLEY_HTTP_PORT (5280),
# PARLEY_PROSODY_LOG_LEVEL (info), PARLEY_EXTRA_ACCOUNTS (more accounts, "name:password" on
# auth.<domain> or "name@host:password" elsewhere, space-separated: e.g. a scripted client
# standing in for the focus, or a moderator of a secure domain), PARLEY_GEN_ARGS (more options
# for scripts/gen-prosody-config.sh, e.g. "--secure-domain --turn-host 127.0.0.1 ..."),
# PARLEY_BREWERY_ACCOUNTS (names on auth.<domain> allowed into the brewery besides jvb).
# Exit status: 0 ok, 1 failure (the Prosody log is printed), 77 Prosody is not installed.
# Run it inside tests/netns-run.sh: it listens on fixed ports.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

domain=${PARLEY_DOMAIN:-meet.parley.test}
address=${PARLEY_PROSODY_ADDRESS:-127.0.0.1}
c2s_port=${PARLEY_C2S_PORT:-5222}
component_port=${PARLEY_COMPONENT_PORT:-5347}
http_port=${PARLEY_HTTP_PORT:-5280}

usage() { echo "usage: $0 start|stop <dir>" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1 dir=$2

port_open() { # port
  (exec 3<>"/dev/tcp/$address/$1") 2>/dev/null
}

dump_log() {
  echo "---- prosody log ($dir) ----" >&2
  tail -n 60 "$dir/prosody.log" 2>/dev/null >&2
  tail -n 30 "$dir/prosody.stdout" 2>/dev/null >&2
  echo "----" >&2
}

alive() { # pid; a zombie (exited, not yet reaped by an init that never reaps) counts as dead
  local state
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ]
}

start() {
  if ! command -v prosody >/dev/null || ! command -v prosodyctl >/dev/null; then
    echo "prosody.sh: prosody is not installed (apt-get install prosody); skipping" >&2
    exit 77
  fi
  mkdir -p "$dir"
  if [ -f "$dir/prosody.pid" ] && alive "$(cat "$dir/prosody.pid")"; then
    echo "prosody.sh: already running in $dir (pid $(cat "$dir/prosody.pid"))" >&2
    exit 1
  fi
  # Regenerating is cheap and idempotent; accounts in <dir>/data survive a restart.
  local name brewery=(--brewery-account "jvb@auth.$domain")
  for name in ${PARLEY_BREWERY_ACCOUNTS:-}; do brewery+=(--brewery-account "$name@auth.$domain"); done
  "$top/scripts/gen-prosody-config.sh" --domain "$domain" --address "$address" \
    --c2s-port "$c2s_port" --component-port "$component_port" --http-port "$http_port" \
    "${brewery[@]}" --log-level "${PARLEY_PROSODY_LOG_LEVEL:-info}" ${PARLEY_GEN_ARGS:-} "$dir" >/dev/null || exit 1
  local cfg=$dir/prosody.cfg.lua
  if ! prosodyctl --config "$cfg" register jvb "auth.$domain" \
      "${PARLEY_BRIDGE_PASSWORD:-bridgepass}" >"$dir/prosodyctl.out" 2>&1; then
    echo "prosody.sh: registering jvb@auth.$domain failed:" >&2
    cat "$dir/prosodyctl.out" >&2
    exit 1
  fi
  local account extra=()
  read -r -a extra <<<"${PARLEY_EXTRA_ACCOUNTS:-}"
  for account in "${extra[@]}"; do
    if [[ $account != ?*:?* ]]; then
      echo "prosody.sh: PARLEY_EXTRA_ACCOUNTS: '$account' is not name[@host]:password" >&2
      exit 1
    fi
    local user=${account%%:*} host=auth.$domain
    if [[ $user == ?*@?* ]]; then host=${user#*@}; user=${user%%@*}; fi
    if ! prosodyctl --config "$cfg" register "$user" "$host" "${account#*:}" \
        >"$dir/prosodyctl.out" 2>&1; then
      echo "prosody.sh: registering $user@$host failed:" >&2
      cat "$dir/prosodyctl.out" >&2
      exit 1
    fi
  done
  # setsid: Prosody must not get the terminal's SIGINT meant for the caller.
  setsid prosody --config "$cfg" </dev/null >>"$dir/prosody.stdout" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/prosody.pid"
  local i
  for i in $(seq 1 100); do # 10 s
    if ! alive "$pid"; then
      echo "prosody.sh: prosody exited during startup" >&2
      dump_log; rm -f "$dir/prosody.pid"; exit 1
    fi
    if port_open "$c2s_port" && port_open "$component_port" && port_open "$http_port"; then
      return 0
    fi
    sleep 0.1
  done
  echo "prosody.sh: ports $c2s_port/$component_port/$http_port on $address not listening after 10 s" >&2
  dump_log
  kill -KILL "$pid" 2>/dev/null; rm -f "$dir/prosody.pid"
  exit 1
}

stop() {
  [ -f "$dir/prosody.pid" ] || return 0
  local pid i
  pid=$(cat "$dir/prosody.pid")
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      echo "prosody.sh: prosody $pid ignored SIGTERM for 5 s; killing" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  # Wait until the ports are free again so that a following start can bind them.
  for i in $(seq 1 50); do
    port_open "$c2s_port" || port_open "$component_port" || port_open "$http_port" || break
    sleep 0.1
  done
  rm -f "$dir/prosody.pid"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
