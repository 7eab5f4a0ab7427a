#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/grafana-dashboard.json is valid JSON and every metric it queries is one the focus or a
# bridge exports (a renamed metric would leave a silently empty panel).
#   check-dashboard.sh SRCDIR
set -eu
src=${1:?usage: $0 SRCDIR}
dash=$src/docs/grafana-dashboard.json
if command -v node >/dev/null; then
    node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$dash" \
        || { echo "check-dashboard: $dash is not valid JSON"; exit 1; }
fi
names=$(grep -oE 'parley_(focus|bridge)_[a-z_]+' "$dash" | sort -u)
[ -n "$names" ] || { echo "check-dashboard: no Parley metric in $dash"; exit 1; }
bad=0
for n in $names; do
    if ! grep -rqE "\"$n([^a-z_]|\$)" "$src/focus/http" "$src/bridge"; then
        echo "check-dashboard: $n is queried by the dashboard but exported by nobody"
        bad=1
    fi
done
[ "$bad" = 0 ] || exit 1
echo "check-dashboard: $(echo "$names" | wc -l) metrics, all exported"
