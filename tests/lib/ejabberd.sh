#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Test harness for a real ejabberd (Debian 12's 23.01), with the same contract as
# tests/lib/prosody.sh: generates the config with scripts/gen-ejabberd-config.sh, starts
# ejabberd in the background with its bridge account registered, and waits until its ports
# accept connections.
#
#   tests/lib/ejabberd.sh start <dir>  config + spool + logs in <dir>; writes <dir>/ejabberd.pid
#   tests/lib/ejabberd.sh stop <dir>   SIGTERM, then SIGKILL after 5 s
#
# Environment: PARLEY_DOMAIN (meet.parley.test), PARLEY_FOCUS_SECRET (focussecret),
# PARLEY_BRIDGE_PASSWORD (bridgepass), PARLEY_XMPP_ADDRESS (127.0.0.1),
# PARLEY_C2S_PORT (5222), PARLEY_COMPONENT_PORT (5347), PARLEY_HTTP_PORT (5280),
# PARLEY_EJABBERD_LOG_LEVEL (info), PARLEY_EXTRA_ACCOUNTS (more accounts, "name:password" on
# auth.<domain> or "name@host:password" elsewhere, space-separated: e.g. a scripted client
# standing in for the focus, or a moderator of a secure domain), PARLEY_GEN_ARGS (more options
# for scripts/gen-ejabberd-config.sh, e.g. "--secure-domain --turn-host 127.0.0.1 ..."),
# PARLEY_BREWERY_ACCOUNTS (names on auth.<domain> allowed into the brewery besides jvb).
# Exit status: 0 ok, 1 failure (the ejabberd log is printed), 77 ejabberd is not installed.
# Run it inside tests/netns-run.sh: it listens on fixed ports.
#
# How ejabberd runs here (Debian ships only ejabberdctl, which wants the system user, the
# system config and a distributed Erlang node): erl directly, in the foreground of a
# background job, as a plain non-distributed node (no -sname), so no epmd daemon is started
# and nothing outlives the test. Mnesia's spool is made fresh at every start (ejabberd keeps
# accounts there, and we re-register the bridge account at boot instead). ERL_INETRC makes
# Erlang resolve names from its own table only: no DNS.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

domain=${PARLEY_DOMAIN:-meet.parley.test}
address=${PARLEY_XMPP_ADDRESS:-127.0.0.1}
c2s_port=${PARLEY_C2S_PORT:-5222}
component_port=${PARLEY_COMPONENT_PORT:-5347}
http_port=${PARLEY_HTTP_PORT:-5280}
bridge_password=${PARLEY_BRIDGE_PASSWORD:-bridgepass}

usage() { echo "usage: $0 start|stop <dir>" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1 dir=$2

port_open() { # port
  (exec 3<>"/dev/tcp/$address/$1") 2>/dev/null
}

dump_log() {
  echo "---- ejabberd log ($dir) ----" >&2
  tail -n 60 "$dir/ejabberd.log" 2>/dev/null >&2
  tail -n 30 "$dir/ejabberd.stdout" 2>/dev/null >&2
  echo "----" >&2
}

alive() { # pid; a zombie (exited, not yet reaped by an init that never reaps) counts as dead
  local state
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ]
}

# The directory holding ejabberd-<version>/ebin, or empty.
ejabberd_libs() {
  local d
  for d in /usr/lib/x86_64-linux-gnu /usr/lib/*-linux-gnu /usr/lib /usr/local/lib; do
    compgen -G "$d/ejabberd-*/ebin/ejabberd.app" >/dev/null && { echo "$d"; return; }
  done
}

start() {
  local libs
  libs=$(ejabberd_libs)
  if ! command -v erl >/dev/null || [ -z "$libs" ]; then
    echo "ejabberd.sh: ejabberd is not installed (apt-get install ejabberd); skipping" >&2
    exit 77
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/ejabberd.pid" ] && alive "$(cat "$dir/ejabberd.pid")"; then
    echo "ejabberd.sh: already running in $dir (pid $(cat "$dir/ejabberd.pid"))" >&2
    exit 1
  fi
  local name brewery=(--brewery-account "jvb@auth.$domain")
  for name in ${PARLEY_BREWERY_ACCOUNTS:-}; do brewery+=(--brewery-account "$name@auth.$domain"); done
  "$top/scripts/gen-ejabberd-config.sh" --domain "$domain" --address "$address" \
    --c2s-port "$c2s_port" --component-port "$component_port" --http-port "$http_port" \
    "${brewery[@]}" --log-level "${PARLEY_EJABBERD_LOG_LEVEL:-info}" ${PARLEY_GEN_ARGS:-} "$dir" >/dev/null || exit 1
  rm -rf "$dir/spool" "$dir/ready"
  mkdir -p "$dir/spool" "$dir/modules"
  cat >"$dir/inetrc" <<'EOF'
{lookup, ["file"]}.
{host, {127,0,0,1}, ["localhost"]}.
EOF
  # Started from -eval rather than -s so that a failed start or registration ends the node
  # with a reason in <dir>/ready instead of leaving it running half-started.
  local boot='
    Ready = os:getenv("PARLEY_EJ_READY"),
    case application:ensure_all_started(ejabberd) of
      {ok, _} ->
        Host = list_to_binary(os:getenv("PARLEY_EJ_HOST")),
        Account = fun(A) ->
                      [UH, P] = string:split(A, ":"),
                      case string:split(UH, "@") of
                        [U, H] -> {U, list_to_binary(H), P};
                        [U] -> {U, Host, P}
                      end
                  end,
        Accounts = [{os:getenv("PARLEY_EJ_USER"), Host, os:getenv("PARLEY_EJ_PASSWORD")}
                    | [Account(A)
                       || A <- string:lexemes(os:getenv("PARLEY_EXTRA_ACCOUNTS", ""), " ")]],
        Rs = [{U, catch ejabberd_auth:try_register(list_to_binary(U), H,
                                                   list_to_binary(P))}
              || {U, H, P} <- Accounts],
        R = case [X || {_, Res} = X <- Rs, Res =/= ok] of [] -> ok; Bad -> Bad end,
        file:write_file(Ready, io_lib:format("~p~n", [R])),
        R =:= ok orelse halt(1);
      Err ->
        file:write_file(Ready, io_lib:format("~p~n", [Err])),
        halt(1)
    end.'
  # setsid: ejabberd must not get the terminal's SIGINT meant for the caller. +sbwt none
  # (and friends): idle schedulers sleep instead of spinning, which on a small shared test
  # machine leaves the CPU to the programs under test.
  ERL_LIBS=$libs EJABBERD_CONFIG_PATH=$dir/ejabberd.yml EJABBERD_LOG_PATH=$dir/ejabberd.log \
  ERL_INETRC=$dir/inetrc CONTRIB_MODULES_PATH=$dir/modules ERL_CRASH_DUMP=$dir/erl_crash.dump \
  PARLEY_EJ_READY=$dir/ready PARLEY_EJ_USER=jvb PARLEY_EJ_HOST=auth.$domain \
  PARLEY_EJ_PASSWORD=$bridge_password \
    setsid erl -noinput -noshell +K true +sbwt none +sbwtdcpu none +sbwtdio none \
      -mnesia dir "\"$dir/spool\"" -eval "$boot" \
      </dev/null >>"$dir/ejabberd.stdout" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/ejabberd.pid"
  local i
  for i in $(seq 1 600); do # 30 s: a loaded 2-core machine has been seen to need 13 s
    if ! alive "$pid"; then
      echo "ejabberd.sh: ejabberd exited during startup: $(cat "$dir/ready" 2>/dev/null)" >&2
      dump_log; rm -f "$dir/ejabberd.pid"; exit 1
    fi
    if [ -s "$dir/ready" ] && port_open "$c2s_port" && port_open "$component_port" \
        && port_open "$http_port"; then
      if [ "$(cat "$dir/ready")" != ok ]; then
        echo "ejabberd.sh: registering accounts failed: $(cat "$dir/ready")" >&2
        kill -KILL "$pid" 2>/dev/null; rm -f "$dir/ejabberd.pid"; exit 1
      fi
      return 0
    fi
    sleep 0.05
  done
  echo "ejabberd.sh: ports $c2s_port/$component_port/$http_port on $address not ready after 30 s" >&2
  dump_log
  kill -KILL "$pid" 2>/dev/null; rm -f "$dir/ejabberd.pid"
  exit 1
}

stop() {
  [ -f "$dir/ejabberd.pid" ] || return 0
  local pid i
  pid=$(cat "$dir/ejabberd.pid")
  if alive "$pid"; then
    # The Erlang runtime turns SIGTERM into an orderly shutdown (init:stop()): ejabberd
    # closes its sessions and listeners and logs "is stopped" within ~0.1 s, then the
    # runtime takes another second to wind down its own services. Nothing is kept between
    # runs (the spool is made fresh at every start), so that second is not waited for.
    local lines
    lines=$(wc -l <"$dir/ejabberd.stdout" 2>/dev/null || echo 0)
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 100); do
      alive "$pid" || break
      if tail -n +"$((lines + 1))" "$dir/ejabberd.stdout" 2>/dev/null | grep -q 'is stopped in the node'; then
        kill -KILL "$pid" 2>/dev/null
        sleep 0.02
        continue
      fi
      sleep 0.05
    done
    if alive "$pid"; then
      echo "ejabberd.sh: ejabberd $pid ignored SIGTERM for 5 s; killing" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  # Wait until the ports are free again so that a following start can bind them.
  for i in $(seq 1 50); do
    port_open "$c2s_port" || port_open "$component_port" || port_open "$http_port" || break
    sleep 0.1
  done
  rm -f "$dir/ejabberd.pid"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
