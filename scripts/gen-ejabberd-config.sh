#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes a self-contained ejabberd 23.01 configuration for one Parley deployment into a
# directory: <dir>/ejabberd.yml. It gives Parley the same five addresses as the Prosody
# configuration of scripts/gen-prosody-config.sh, so parley-focus, parley-bridge and browsers
# see no difference between the two servers. The integration tests (tests/lib/ejabberd.sh)
# use this generator; docs/deployment-ejabberd.md explains each section.
#
#   scripts/gen-ejabberd-config.sh [options] DIR
#     --domain D           XMPP domain (default $PARLEY_DOMAIN or meet.parley.test)
#     --secret S           focus component secret (default $PARLEY_FOCUS_SECRET or focussecret)
#     --address A          listening address (default 127.0.0.1)
#     --c2s-port N         client port (default 5222)
#     --component-port N   XEP-0114 component port (default 5347)
#     --http-port N        BOSH + WebSocket port (default 5280)
#     --log-level L        debug|info|warning|error (default info)
#     --c2s-address A      the client port's address, for bridges on other machines
#                          (default: --address)
#     --certfile FILE      PEM certificate chain + key: the client port then requires TLS
#                          (STARTTLS), for bridges connecting over a network
#     --secure-domain      moderators log in with an account on D; guests log in anonymously
#                          on guest.D and join only rooms a logged-in user has opened (the focus
#                          needs auth.login_domain = D)
#     --turn-host H        hand browsers TURN/STUN servers on H (XEP-0215, mod_stun_disco),
#     --turn-secret S      with credentials made from coturn's static-auth-secret S
#     --turn-port N        TURN/STUN port (default 3478)
#     --turns-port N       TURN over TLS port (default 443; 0: none)
#     --turn-ttl SECONDS   how long handed-out credentials work (default 86400)
#     --brewery-account J  an account allowed into the bridge brewery, repeatable (default
#                          jvb@auth.D, the account every parley-bridge shares)
#
# What it sets up for domain D:
#   host D                       anonymous login (SASL ANONYMOUS), for browsers; with
#                                --secure-domain password accounts (moderators), and
#   host guest.D                 anonymous login for guests (--secure-domain only)
#   host auth.D                  password accounts for services (the bridge account jvb)
#   MUC conference.D             conference rooms; only the focus creates them and it owns all
#   MUC internal.auth.D          the bridge brewery: only the bridges' accounts and the focus
#                                may use it
#   component focus.D            parley-focus, XEP-0114 with a shared secret
# Accounts are not part of the file: register the bridge account with
#   ejabberdctl register jvb auth.D PASSWORD
# (and, with --secure-domain, each moderator with ejabberdctl register NAME D PASSWORD).
set -euo pipefail

usage() { sed -n '9,30p' "$0" | sed 's/^# \{0,1\}//'; }

domain=${PARLEY_DOMAIN:-meet.parley.test}
secret=${PARLEY_FOCUS_SECRET:-focussecret}
address=127.0.0.1
c2s_port=5222
component_port=5347
http_port=5280
log_level=info
c2s_address=
certfile=
secure=0
turn_host=
turn_secret=
turn_port=3478
turns_port=443
turn_ttl=86400
brewery_accounts=()
dir=

while [ $# -gt 0 ]; do
  case $1 in
    --domain) domain=$2; shift 2 ;;
    --secret) secret=$2; shift 2 ;;
    --address) address=$2; shift 2 ;;
    --c2s-port) c2s_port=$2; shift 2 ;;
    --component-port) component_port=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --log-level) log_level=$2; shift 2 ;;
    --c2s-address) c2s_address=$2; shift 2 ;;
    --certfile) certfile=$2; shift 2 ;;
    --secure-domain) secure=1; shift ;;
    --turn-host) turn_host=$2; shift 2 ;;
    --turn-secret) turn_secret=$2; shift 2 ;;
    --turn-port) turn_port=$2; shift 2 ;;
    --turns-port) turns_port=$2; shift 2 ;;
    --turn-ttl) turn_ttl=$2; shift 2 ;;
    --brewery-account) brewery_accounts+=("$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "gen-ejabberd-config: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$dir" ] || { echo "gen-ejabberd-config: one directory only" >&2; exit 2; }
       dir=$1; shift ;;
  esac
done
[ -n "$dir" ] || { usage >&2; exit 2; }

fail() { echo "gen-ejabberd-config: $*" >&2; exit 2; }
[[ $domain =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || fail "--domain: '$domain' is not a DNS name"
[[ $address =~ ^[0-9a-fA-F.:]+$ ]] || fail "--address: '$address' is not an IP address"
for p in "$c2s_port" "$component_port" "$http_port"; do
  [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || fail "port '$p' is not 1-65535"
done
case $log_level in debug|info|warning|error) ;; *) fail "--log-level: '$log_level'" ;; esac
[ -n "$secret" ] || fail "--secret: empty"
[[ $secret != *[\"\\]* ]] || fail "--secret: must not contain quotes or backslashes"
[ -n "$c2s_address" ] || c2s_address=$address
[[ $c2s_address =~ ^[0-9a-fA-F.:]+$ ]] || fail "--c2s-address: '$c2s_address' is not an IP address"
if [ -n "$certfile" ]; then
  [[ $certfile == /* && $certfile != *[\"\\[:space:]]* ]] || fail "--certfile: an absolute path without spaces or quotes"
fi
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
[ ${#brewery_accounts[@]} -gt 0 ] || brewery_accounts=("jvb@auth.$domain")
bridges_acl=""
for a in "${brewery_accounts[@]}"; do
  [[ $a =~ ^[a-z0-9._-]+@[a-z0-9.-]+$ ]] || fail "--brewery-account: '$a' is not a bare JID"
  bridges_acl+=$'\n'"      - \"$a\""
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# The browsers' hosts: anonymous on D, or (secure domain) password accounts on D and
# anonymous guests on guest.D.
if [ "$secure" = 1 ]; then
  guest_host="
  - \"guest.$domain\""
  anon_host=guest.$domain
  login_comment="# Password accounts on auth.$domain (services) and $domain (moderators: secure domain, only
# they open rooms); guests log in anonymously on guest.$domain."
else
  guest_host=
  anon_host=$domain
  login_comment="# Password accounts (auth.$domain) by default; browsers log in anonymously on $domain."
fi

c2s_tls="    starttls: false"
certfiles=
if [ -n "$certfile" ]; then
  c2s_tls="    starttls_required: true"
  certfiles="
# TLS on the client port (bridges on other machines log in through it).
certfiles:
  - \"$certfile\""
fi

turn_module=
if [ -n "$turn_host" ]; then
  turns_service=
  if [ "$turns_port" -ne 0 ]; then
    turns_service="
      # TURN over TLS, for networks that allow only HTTPS (docs/production.md, \"TURN\").
      - host: \"$turn_host\"
        port: $turns_port
        type: turns
        transport: tcp
        restricted: true"
  fi
  turn_module="
  # TURN for browsers (XEP-0215): STUN/TURN servers with credentials valid for $turn_ttl s,
  # made from coturn's static-auth-secret (coturn: use-auth-secret, the TURN REST API).
  mod_stun_disco:
    # Everyone logged in here (the server has no federation: only its own users ask).
    access: all
    secret: \"$turn_secret\"
    credentials_lifetime: $turn_ttl
    offer_local_services: false
    services:
      - host: \"$turn_host\"
        port: $turn_port
        type: stun
        transport: udp
        restricted: false
      - host: \"$turn_host\"
        port: $turn_port
        type: turn
        transport: udp
        restricted: true
      - host: \"$turn_host\"
        port: $turn_port
        type: turn
        transport: tcp
        restricted: true$turns_service"
fi

umask 077
cat >"$dir/ejabberd.yml" <<EOF
# ejabberd configuration for the Parley deployment "$domain".
# Generated by scripts/gen-ejabberd-config.sh; docs/deployment-ejabberd.md explains it.

hosts:
  - "$domain"$guest_host
  - "auth.$domain"

loglevel: $log_level
log_rotate_count: 0

# HTTP without TLS: nginx in front of ejabberd terminates it. No automatic ACME certificate
# requests.
acme:
  auto: false
$certfiles

# No federation: stanzas for unknown domains (a disconnected component, a typo) bounce at
# once instead of starting outbound server-to-server connections and DNS lookups.
s2s_access: none

listen:
  - port: $c2s_port
    ip: "$c2s_address"
    module: ejabberd_c2s
$c2s_tls
    max_stanza_size: 262144
    access: c2s
  - port: $component_port
    ip: "$address"
    module: ejabberd_service
    hosts:
      "focus.$domain":
        password: "$secret"
  - port: $http_port
    ip: "$address"
    module: ejabberd_http
    request_handlers:
      "/http-bind": mod_bosh
      "/xmpp-websocket": ejabberd_http_ws

$login_comment
auth_method: internal
host_config:
  "$anon_host":
    auth_method: anonymous
    anonymous_protocol: sasl_anon

acl:
  # parley-focus: the external component, whatever resource it uses.
  focus:
    server: "focus.$domain"
  # The bridges' accounts.
  bridges:
    user:$bridges_acl

access_rules:
  c2s:
    allow: all
  # Only the focus creates conference rooms (a room exists only after a conference request).
  conference_create:
    allow: focus
  # Only the bridges and the focus may use the brewery MUC at all (create or join a room).
  brewery:
    allow: focus
    allow: bridges
  # The focus is owner of every room on both MUC services.
  muc_owner:
    allow: focus

modules:
  mod_disco: {}
  mod_ping: {}
  mod_bosh:
    # Idle BOSH sessions are dropped after this many seconds.
    max_inactivity: 60
  mod_roster: {}$turn_module
  # XEP-0198 stream management: a short network loss resumes the session. A client whose
  # connection vanished (a closed laptop, a crashed bridge) keeps its session, and so its seat
  # in its rooms, for at most 20 s; then it leaves them.
  mod_stream_mgmt:
    resume_timeout: 20
    max_resume_timeout: 20

# Each MUC service belongs to one host: the conference rooms to the browsers' host, the
# brewery to the services' host. append_host_config adds to the module list above
# (host_config would replace it).
append_host_config:
  "$domain":
    modules:
      mod_muc:
        hosts:
          - "conference.$domain"
        access: all
        access_create: conference_create
        access_admin: muc_owner
        access_persistent: muc_owner
        access_register: none
        access_mam: none
        # The chat's recent messages for late joiners (in memory while the room lives).
        history_size: 20
        # The focus is an occupant of every room: lift the per-user room limit (default 100).
        max_user_conferences: 100000
        max_users: 1000
        max_users_admin_threshold: 20
        # What a room is before the focus submits its configuration form (ejabberd opens
        # new rooms at once instead of locking them until configured).
        default_room_options:
          anonymous: false          # occupants see real JIDs: clients recognise the focus
          persistent: false
          public: false             # not listed in the service's disco#items
          public_list: false        # outsiders cannot list who is in a room
          mam: false
          logging: false
          allow_subscription: false
          allow_change_subj: true
          allow_private_messages: true
          allow_query_users: true   # IQs between occupants: the focus's Jingle and disco
          members_by_default: true
          max_users: 1000
  "auth.$domain":
    modules:
      mod_muc:
        hosts:
          - "internal.auth.$domain"
        access: brewery
        access_create: brewery
        access_admin: muc_owner
        access_persistent: muc_owner
        access_register: none
        access_mam: none
        history_size: 0
        max_user_conferences: 100000
        default_room_options:
          anonymous: false          # the focus sees each bridge's real full JID
          persistent: false
          public: false
          mam: false
          logging: false
          allow_subscription: false
EOF
echo "$dir/ejabberd.yml"
