#!/usr/bin/env bash
# bench/instructions.sh -- instructions a worker spends per request, counted
# by callgrind (repeatable whatever else the machine does), for one or more
# built mcoll trees against the running dev stack's database.
#
#   bench/instructions.sh TREE...      (TREE: a built checkout, e.g. a
#                                       git worktree of an older commit)
#
# Each tree's mcolld runs with one worker under callgrind on its own TCP
# port; cgi-fcgi sends GET collection, the list and a page of 200 tracks,
# N1 and then N2 times each; the difference of the worker's instruction
# totals over N2 - N1 is the cost of one request (start-up cancels out).
# Needs the dev stack (dev/up) and dev/bench's seeded tenants
# ($MCOLL_VAR/bench-targets.txt).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../dev/lib.sh
. "$HERE/../dev/lib.sh"
mcoll_init
set -a
# shellcheck source=/dev/null
. "$VAR/env"
set +a
[[ -s $VAR/bench-targets.txt ]] || mcoll_die "run dev/bench once first (it seeds the tenants)"
command -v cgi-fcgi >/dev/null || MCOLL_PACKAGES=(libfcgi-bin) mcoll_install_packages
N1=${MCOLL_INSTR_N1:-50}
N2=${MCOLL_INSTR_N2:-250}
PORT=${MCOLL_INSTR_PORT:-$((FCGI_PORT + 7))}
read -r ORG CID KEY _ TCID < <(grep -v ' - *$' "$VAR/bench-targets.txt" | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# one request: cgi-fcgi reads the CGI variables from its environment
fcgi() { # METHOD URI
	local q=
	[[ $2 == *\?* ]] && q=${2#*\?}
	env -i REQUEST_METHOD="$1" REQUEST_URI="$2" QUERY_STRING="$q" \
		HTTP_AUTHORIZATION="Bearer $KEY" REQUEST_ID=0123456789abcdef0123456789abcdef \
		cgi-fcgi -bind -connect "127.0.0.1:$PORT" >/dev/null
}

total() { # callgrind file -> instruction total
	awk '/^summary:/ { print $2 }' "$1"
}

printf '%-40s %10s %10s %10s\n' tree get list tracks
for tree in "$@"; do
	tree=$(cd "$tree" && pwd)
	[[ -x $tree/src/mcolld ]] || mcoll_die "$tree/src/mcolld is not built"
	row=()
	for case in get list tracks; do
		case $case in
		get) uri=/v1/music/$ORG/collections/$CID ;;
		list) uri="/v1/music/$ORG/collections?limit=50&offset=0" ;;
		tracks) uri="/v1/music/$ORG/collections/$TCID/tracks?limit=200&offset=0" ;;
		esac
		counts=()
		for n in "$N1" "$N2"; do
			sed -e "s|^listen *=.*|listen = 127.0.0.1:$PORT|" -e 's|^workers *=.*|workers = 1|' \
				-e 's|^log_level *=.*|log_level = info|' "$MCOLL_CONFIG" >"$work/mcoll.conf"
			rm -f "$work"/cg.*
			valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$work/cg.%p" \
				"$tree/src/mcolld" -c "$work/mcoll.conf" 2>"$work/mcolld.log" &
			master=$!
			for ((i = 0; i < 300; i++)); do
				(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
				sleep 0.1
			done
			for ((i = 0; i < n; i++)); do fcgi GET "$uri"; done
			kill -TERM "$master"
			wait "$master" || true
			# the worker is the process with the most instructions but the master
			best=0
			for f in "$work"/cg.*; do
				[[ ${f##*.} == "$master" ]] && continue
				t=$(total "$f")
				((t > best)) && best=$t
			done
			counts+=("$best")
		done
		row+=($(((counts[1] - counts[0]) / (N2 - N1))))
	done
	printf '%-40s %10s %10s %10s\n' "${tree##*/}" "${row[@]}"
done
