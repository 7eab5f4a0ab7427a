#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes a Prosody 0.12 configuration for one Parley deployment into a directory, in one of
# two forms:
#  - self-contained (default): <dir>/prosody.cfg.lua, plus <dir>/data (accounts, room state),
#    <dir>/certs (empty: no TLS, everything is on loopback or behind a TLS-terminating reverse
#    proxy) and the log file <dir>/prosody.log; Prosody runs in the foreground under whoever
#    started it. The integration tests (tests/lib/prosody.sh) and the quick start
#    (scripts/run.sh) use it.
#  - --system: <dir>/D.cfg.lua for Debian's prosody service (/etc/prosody/conf.d/): the
#    Parley hosts and components and the few server-wide settings they need; TLS, data, logs
#    and the service itself stay as prosody.cfg.lua has them (docs/production.md).
# The hosts and components are the same in both; docs/deployment.md explains them.
#
#   scripts/gen-prosody-config.sh [options] DIR
#     --domain D           XMPP domain (default $PARLEY_DOMAIN or meet.parley.test)
#     --secret S           focus component secret (default $PARLEY_FOCUS_SECRET or focussecret)
#     --address A          listening address, repeatable (default 127.0.0.1; not with --system)
#     --c2s-port N         client port (default 5222; not with --system)
#     --component-port N   XEP-0114 component port (default 5347)
#     --http-port N        BOSH + WebSocket port (default 5280)
#     --web-origin URL     origin allowed to use BOSH/WebSocket from a browser, repeatable
#                          (default: any origin)
#     --log-level L        debug|info|warn|error (default info; not with --system)
#     --secure-domain      moderators log in with an account on D; guests log in anonymously
#                          on guest.D and join only rooms a logged-in user has opened (the focus
#                          needs auth.login_domain = D)
#     --turn-host H        hand browsers TURN/STUN servers on H (XEP-0215), with credentials
#     --turn-secret S      made from coturn's static-auth-secret S (TURN REST API)
#     --turn-port N        TURN/STUN port (default 3478)
#     --turns-port N       TURN over TLS port (default 443; 0: none)
#     --turn-ttl SECONDS   how long handed-out credentials work (default 86400)
#     --system             write D.cfg.lua for /etc/prosody/conf.d/ (see above)
#     --brewery-account J  an account allowed into the bridge brewery, repeatable (default
#                          jvb@auth.D, the account every parley-bridge shares)
#
# What it sets up for domain D:
#   VirtualHost D                      anonymous login, for browsers (BOSH /http-bind,
#                                      WebSocket /xmpp-websocket); with --secure-domain
#                                      password accounts (moderators), and
#   VirtualHost guest.D                anonymous login for guests (--secure-domain only)
#   VirtualHost auth.D                 password accounts for services (the bridge account jvb)
#   Component conference.D "muc"       conference rooms; only admins (the focus) create rooms
#   Component internal.auth.D "muc"    the bridge brewery: only the bridges' accounts and the
#                                      focus may create or join it
#   Component focus.D                  parley-focus, XEP-0114 with a shared secret
set -euo pipefail

usage() { sed -n '15,37p' "$0" | sed 's/^# \{0,1\}//'; }

domain=${PARLEY_DOMAIN:-meet.parley.test}
secret=${PARLEY_FOCUS_SECRET:-focussecret}
addresses=()
c2s_port=5222
component_port=5347
http_port=5280
origins=()
brewery_accounts=()
log_level=info
secure=0
turn_host=
turn_secret=
turn_port=3478
turns_port=443
turn_ttl=86400
system=0
address_given=0
dir=

while [ $# -gt 0 ]; do
  case $1 in
    --domain) domain=$2; shift 2 ;;
    --secret) secret=$2; shift 2 ;;
    --address) addresses+=("$2"); address_given=1; shift 2 ;;
    --c2s-port) c2s_port=$2; address_given=1; shift 2 ;;
    --component-port) component_port=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --web-origin) origins+=("$2"); shift 2 ;;
    --log-level) log_level=$2; shift 2 ;;
    --secure-domain) secure=1; shift ;;
    --turn-host) turn_host=$2; shift 2 ;;
    --turn-secret) turn_secret=$2; shift 2 ;;
    --turn-port) turn_port=$2; shift 2 ;;
    --turns-port) turns_port=$2; shift 2 ;;
    --turn-ttl) turn_ttl=$2; shift 2 ;;
    --system) system=1; shift ;;
    --brewery-account) brewery_accounts+=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "gen-prosody-config: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$dir" ] || { echo "gen-prosody-config: one directory only" >&2; exit 2; }
       dir=$1; shift ;;
  esac
done
[ -n "$dir" ] || { usage >&2; exit 2; }
[ ${#addresses[@]} -gt 0 ] || addresses=(127.0.0.1)

fail() { echo "gen-prosody-config: $*" >&2; exit 2; }
[[ $domain =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || fail "--domain: '$domain' is not a DNS name"
for p in "$c2s_port" "$component_port" "$http_port"; do
  [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || fail "port '$p' is not 1-65535"
done
case $log_level in debug|info|warn|error) ;; *) fail "--log-level: '$log_level'" ;; esac
[ -n "$secret" ] || fail "--secret: empty"
[[ $secret != *[\"\\]* ]] || fail "--secret: must not contain quotes or backslashes"
if [ -n "$turn_host" ] || [ -n "$turn_secret" ]; then
  [ -n "$turn_host" ] && [ -n "$turn_secret" ] || fail "--turn-host and --turn-secret go together"
  [[ $turn_host =~ ^[A-Za-z0-9.:-]+$ ]] || fail "--turn-host: '$turn_host' is not a host name or address"
  [[ $turn_secret != *[\"\\]* ]] || fail "--turn-secret: must not contain quotes or backslashes"
  for p in "$turn_port" "$turns_port"; do
    [[ $p =~ ^[0-9]+$ ]] && [ "$p" -le 65535 ] || fail "TURN port '$p' is not 0-65535"
  done
  [ "$turn_port" -ge 1 ] || fail "--turn-port: 0"
  [[ $turn_ttl =~ ^[0-9]+$ ]] && [ "$turn_ttl" -ge 60 ] || fail "--turn-ttl: '$turn_ttl' (at least 60 seconds)"
fi
[ "$system" = 0 ] || [ "$address_given" = 0 ] \
  || fail "--system: the client listener is prosody.cfg.lua's (--address and --c2s-port do not apply)"
[ ${#brewery_accounts[@]} -gt 0 ] || brewery_accounts=("jvb@auth.$domain")
for a in "${brewery_accounts[@]}"; do
  [[ $a =~ ^[a-z0-9._-]+@[a-z0-9.-]+$ ]] || fail "--brewery-account: '$a' is not a bare JID"
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

lua_list() { # items... -> { "a", "b" }
  local out="{" sep=" "
  for i in "$@"; do out+="$sep\"$i\""; sep=", "; done
  echo "$out }"
}
ifaces=$(lua_list "${addresses[@]}")
brewery_admins=$(lua_list "focus.$domain" "${brewery_accounts[@]}")
if [ ${#origins[@]} -gt 0 ]; then
  cors="access_control_allow_origins = $(lua_list "${origins[@]}")"
else
  cors="-- Any origin may use BOSH/WebSocket (pass --web-origin to restrict)."
fi

# Modules the browsers' host(s) need on top of the server-wide list.
browser_modules='"bosh"; "websocket"; "ping";'
turn_settings=
if [ -n "$turn_host" ]; then
  browser_modules+=' "external_services";'
  turns_line=
  if [ "$turns_port" -ne 0 ]; then
    turns_line="
  -- TURN over TLS, for networks that allow only HTTPS (docs/production.md, \"TURN\").
  { type = \"turns\", transport = \"tcp\", host = \"$turn_host\", port = $turns_port, secret = true, algorithm = \"turn\" };"
  fi
  turn_settings="
---------- TURN for browsers (XEP-0215 external service discovery) ----------
-- Browsers ask their server for STUN/TURN servers (urn:xmpp:extdisco:1 and :2) and get
-- credentials valid for $turn_ttl s, made from coturn's static-auth-secret (coturn:
-- use-auth-secret, the TURN REST API). mod_external_services is the module under Prosody
-- 0.12's mod_turn_external; it is configured directly because mod_turn_external gives its
-- \"turns\" entry no credentials.
external_service_secret = \"$turn_secret\"
external_service_ttl = $turn_ttl
external_services = {
  { type = \"stun\", transport = \"udp\", host = \"$turn_host\", port = $turn_port };
  { type = \"turn\", transport = \"udp\", host = \"$turn_host\", port = $turn_port, secret = true };
  { type = \"turn\", transport = \"tcp\", host = \"$turn_host\", port = $turn_port, secret = true };$turns_line
}
"
fi

if [ "$system" = 1 ]; then
  out=$dir/$domain.cfg.lua
  header="-- Prosody configuration of the Parley deployment \"$domain\", for Debian's prosody
-- service: install as /etc/prosody/conf.d/$domain.cfg.lua (prosody.cfg.lua includes
-- conf.d/*.cfg.lua). Generated by scripts/gen-prosody-config.sh --system; docs/production.md
-- and docs/deployment.md explain each section. TLS certificates: prosodyctl --root cert
-- import /etc/letsencrypt/live (or /etc/prosody/certs/$domain.crt and .key).

---------- Server-wide settings Parley needs ----------
-- BOSH and WebSocket on loopback, behind nginx (which terminates TLS); no HTTPS listener.
http_interfaces = { \"127.0.0.1\", \"::1\" }
http_ports = { $http_port }
https_ports = { }
consider_bosh_secure = true
consider_websocket_secure = true
http_default_host = \"$domain\"
-- parley-focus connects here: keep it on loopback.
component_interfaces = { \"127.0.0.1\" }
component_ports = { $component_port }
$cors
-- Idle BOSH sessions are dropped after this many seconds.
bosh_max_inactivity = 60"
  # Debian's prosody.cfg.lua enables mod_smacks for every host; Parley's hosts shorten how
  # long a vanished client keeps its seat (docs/deployment.md, "Stream management").
  host_extra='  smacks_hibernation_time = 20'
else
  out=$dir/prosody.cfg.lua
  mkdir -p "$dir/data" "$dir/certs"
  chmod 700 "$dir/data"
  header="-- Prosody configuration for the Parley deployment \"$domain\".
-- Generated by scripts/gen-prosody-config.sh; see docs/deployment.md for each section.

---------- Server-wide settings ----------
-- Plain TCP/HTTP on loopback: TLS is terminated in front of Prosody (nginx) or not needed.
interfaces = $ifaces
c2s_interfaces = $ifaces
component_interfaces = $ifaces
http_interfaces = $ifaces
c2s_ports = { $c2s_port }
component_ports = { $component_port }
http_ports = { $http_port }
https_ports = { }
c2s_require_encryption = false
consider_bosh_secure = true
consider_websocket_secure = true
http_default_host = \"$domain\"
$cors

-- No federation, no TLS module, and no daemonizing: Prosody runs in the foreground under
-- the script that started it (which also means it does not switch users).
modules_disabled = { \"s2s\", \"tls\", \"posix\" }
run_as_root = true
certificates = \"$dir/certs\"

modules_enabled = {
  \"roster\"; \"saslauth\"; \"disco\"; \"ping\"; \"time\"; \"version\";
  \"smacks\";     -- XEP-0198 stream management: a short network loss resumes the session
}
-- A client whose connection vanished (a closed laptop, a crashed bridge) keeps its session,
-- and so its seat in its rooms, this many seconds for a resumption; then it leaves them.
smacks_hibernation_time = 20
-- Idle BOSH sessions are dropped after this many seconds.
bosh_max_inactivity = 60

data_path = \"$dir/data\"
pidfile = \"$dir/prosody.pid\"
log = { $log_level = \"$dir/prosody.log\" }"
  host_extra=
fi

# BOSH (XEP-0124/0206, /http-bind) and WebSocket (RFC 7395, /xmpp-websocket) on the HTTP port.
if [ "$secure" = 1 ]; then
  browser_hosts="---------- Moderators: password accounts (secure domain) ----------
-- One per moderator: prosodyctl register NAME $domain PASSWORD. Only users logged in here
-- open rooms and become moderators (parley-focus: auth.login_domain = $domain).
VirtualHost \"$domain\"
  authentication = \"internal_hashed\"
  allow_anonymous_s2s = false
  modules_enabled = { $browser_modules }
$host_extra

---------- Guests: anonymous accounts (secure domain) ----------
-- They join rooms a logged-in user has opened, and wait until then.
VirtualHost \"guest.$domain\"
  authentication = \"anonymous\"
  allow_anonymous_s2s = false
  modules_enabled = { $browser_modules }
$host_extra"
else
  browser_hosts="---------- Browsers: anonymous accounts ----------
VirtualHost \"$domain\"
  authentication = \"anonymous\"
  allow_anonymous_s2s = false
  modules_enabled = { $browser_modules }
$host_extra"
fi

umask 077
cat >"$out" <<EOF
$header
$turn_settings
$browser_hosts

---------- Services (bridges): password accounts ----------
VirtualHost "auth.$domain"
  authentication = "internal_hashed"
$host_extra

---------- Conference rooms ----------
-- Only admins create rooms; the focus is admin, so a room exists only after the focus has
-- accepted a conference request for it. Participants then join rooms that exist.
Component "conference.$domain" "muc"
  admins = { "focus.$domain" }
  restrict_room_creation = true
  -- Occupants see each other's real JIDs: clients recognise the focus by its real JID.
  muc_room_default_public_jids = true
  muc_room_default_public = false
  muc_room_default_persistent = false
  -- The chat's recent messages for late joiners (kept in memory while the room lives).
  muc_room_default_history_length = 20
  max_history_messages = 20
  muc_tombstones = false
  muc_room_cache_size = 10000

---------- Bridge brewery ----------
-- Bridges meet here. Only the bridges' accounts and the focus may create or join a room: they
-- are this service's admins (so owners of its rooms), and rooms are members-only, so anyone
-- else (an anonymous participant, another account) is refused. Rooms open immediately (no
-- instant-room form needed).
Component "internal.auth.$domain" "muc"
  admins = $brewery_admins
  restrict_room_creation = true
  muc_room_default_members_only = true
  muc_room_locking = false
  muc_room_default_public_jids = true
  muc_room_default_persistent = false
  muc_room_default_history_length = 0
  max_history_messages = 0
  muc_tombstones = false

---------- The focus (parley-focus, XEP-0114) ----------
Component "focus.$domain"
  component_secret = "$secret"
EOF
echo "$out"
