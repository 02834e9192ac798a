# shellcheck shell=bash
# dev/lib.sh -- shared functions of the dev and test stack scripts.
#
# Sourced by dev/up, dev/down, dev/db and dev/test.  The stack lives in
# $MCOLL_VAR (default $ROOT/var):
#
#   $VAR/mysql/        private MariaDB datadir
#   $VAR/run/          sockets and pid files (mysqld, mcolld, nginx); mcolld's
#                      FastCGI socket is $VAR/run/mcolld.sock (as in production)
#   $VAR/log/          mcolld.log, mariadb.err, nginx-error.log, nginx-access.log
#   $VAR/tls/          self-signed cert.pem / key.pem
#   $VAR/nginx/        rendered nginx.conf, mcoll-site.conf, temp dirs
#   $VAR/mcoll.conf    config of mcolld / mcollctl
#   $VAR/db_password   password of the mcoll database user (mode 600)
#   $VAR/demo.env      the demo tenant's ids and key
#   $VAR/env           sourceable summary for scripts and tests
#
# Parameters (environment): MCOLL_VAR, MCOLL_HTTPS_PORT (8443),
# MCOLL_HTTP_PORT (8080), MCOLL_FCGI_PORT (9100), MCOLL_DB_PORT (3407),
# MCOLL_WORKERS (4), MCOLL_CONFIGURE_FLAGS (extra ./configure arguments),
# MCOLL_FCGI_TCP (1: FastCGI over 127.0.0.1:$MCOLL_FCGI_PORT instead of the
# unix socket), MCOLL_BUILD_DIR (where src/mcolld and src/mcollctl are: $ROOT, or an
# out-of-tree build such as dev/san's).
#
# Paths must not contain whitespace: the env file exports command strings
# (MCOLLCTL, MCOLL_SQL, MCOLL_DBCTL) that callers expand unquoted.

# Packages a fresh Debian 12 needs to build, run and test the stack, and
# to build and test the Debian package (dev/pkgtest, dev/layouttest;
# systemd for systemd.pc and systemd-analyze).
MCOLL_PACKAGES=(
	autoconf automake libtool pkg-config build-essential
	libfcgi-dev libjson-c-dev libmariadb-dev libssl-dev check libsystemd-dev
	mariadb-server mariadb-client nginx-light openssl curl jq valgrind
	python3 clang libclang-rt-14-dev
	systemd
	debhelper lintian debootstrap iproute2 zstd
	galera-4 rsync
)

mcoll_log() { printf '==> %s\n' "$*" >&2; }
mcoll_die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# mcoll_init: resolve the tree, the var dir and the ports into globals.
mcoll_init() {
	ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
	VAR=${MCOLL_VAR:-$ROOT/var}
	mkdir -p "$VAR"
	VAR=$(cd "$VAR" && pwd -P)
	HTTPS_PORT=${MCOLL_HTTPS_PORT:-8443}
	HTTP_PORT=${MCOLL_HTTP_PORT:-8080}
	FCGI_PORT=${MCOLL_FCGI_PORT:-9100}
	DB_PORT=${MCOLL_DB_PORT:-3407}
	WORKERS=${MCOLL_WORKERS:-4}
	BUILD=${MCOLL_BUILD_DIR:-$ROOT}
	case "$ROOT$VAR$BUILD" in
	*[[:space:]]*) mcoll_die "paths with whitespace are not supported: $ROOT, $VAR" ;;
	esac
	local p
	for p in "$HTTPS_PORT" "$HTTP_PORT" "$FCGI_PORT" "$DB_PORT" "$WORKERS"; do
		[[ $p =~ ^[0-9]+$ ]] || mcoll_die "not a number: $p"
	done
	RUN=$VAR/run
	LOGDIR=$VAR/log
	DB_DATADIR=$VAR/mysql
	DB_SOCK=$RUN/mysqld.sock
	DB_PID=$RUN/mysqld.pid
	DB_ERRLOG=$LOGDIR/mariadb.err
	MCOLLD_PID=$RUN/mcolld.pid
	MCOLLD_LOG=$LOGDIR/mcolld.log
	# FastCGI link: a unix socket, so that a stop drains exactly (mcolld
	# removes the path first); MCOLL_FCGI_TCP=1 uses the port instead.
	if [[ ${MCOLL_FCGI_TCP:-0} == 1 ]]; then
		FCGI_LISTEN=127.0.0.1:$FCGI_PORT
		FCGI_ADDR=127.0.0.1:$FCGI_PORT
	else
		FCGI_LISTEN=$RUN/mcolld.sock
		FCGI_ADDR=unix:$FCGI_LISTEN
	fi
	NGINX_DIR=$VAR/nginx
	NGINX_PID=$RUN/nginx.pid
	NGINX_ERRLOG=$LOGDIR/nginx-error.log
	CONF=$VAR/mcoll.conf
	MCOLLCTL_CMD=("$BUILD/src/mcollctl" -c "$CONF")
	export MCOLL_VAR=$VAR
	local s
	for s in "$DB_SOCK" "$RUN/mcolld.sock"; do
		((${#s} > 100)) && mcoll_die "socket path too long for AF_UNIX (${#s} chars): $s"
	done
	mkdir -p "$RUN" "$LOGDIR"
}

# mcoll_sbin NAME: path of a daemon (in /usr/sbin, not on a user's PATH).
mcoll_sbin() {
	local p
	if p=$(command -v "$1"); then
		echo "$p"
	else
		echo "/usr/sbin/$1"
	fi
}

# mcoll_as_root CMD...: run CMD as root (directly, or through sudo).
mcoll_as_root() {
	if ((EUID == 0)); then
		"$@"
	else
		sudo "$@"
	fi
}

# mcoll_install_packages: apt-get install whatever of MCOLL_PACKAGES (and
# of t/integration/debian-packages, one name a line, if it exists) is
# missing.  Skipped when MCOLL_NO_INSTALL=1.
mcoll_install_packages() {
	[[ ${MCOLL_NO_INSTALL:-0} == 1 ]] && return 0
	local want=("${MCOLL_PACKAGES[@]}") missing=() p line
	if [[ -f $ROOT/t/integration/debian-packages ]]; then
		while IFS= read -r line || [[ -n $line ]]; do
			line=${line%%#*}
			for p in $line; do want+=("$p"); done
		done <"$ROOT/t/integration/debian-packages"
	fi
	for p in "${want[@]}"; do
		[[ " ${missing[*]} " == *" $p "* ]] && continue
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
			missing+=("$p")
		fi
	done
	((${#missing[@]} == 0)) && return 0
	mcoll_log "installing packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	mcoll_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null ||
		mcoll_log "apt-get update reported errors; trying to install anyway"
	mcoll_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		"${missing[@]}" </dev/null
}

# mcoll_build: autoreconf/configure when needed (or when
# MCOLL_CONFIGURE_FLAGS changed since the last configure), then make.
mcoll_build() {
	local want=() have=() flags=${MCOLL_CONFIGURE_FLAGS:-}
	read -r -a want <<<"$flags"
	cd "$ROOT" || return 1
	if [[ ! -x configure ]]; then
		mcoll_log "autoreconf -fi"
		mkdir -p m4 build-aux
		autoreconf -fi
	fi
	if [[ -f Makefile && -x config.status ]]; then
		eval "have=($(./config.status --config))"
		if [[ "${have[*]}" != "${want[*]}" ]]; then
			mcoll_log "configure flags changed ('${have[*]}' -> '${want[*]}'): make clean, reconfigure"
			make clean >/dev/null 2>&1 || true
			rm -f Makefile
		fi
	fi
	if [[ ! -f Makefile ]]; then
		mcoll_log "./configure ${want[*]}"
		./configure "${want[@]}"
	fi
	mcoll_log "make -j2"
	make -j2
}

# mcoll_pid_alive PIDFILE [NAME]: true if PIDFILE names a live process
# (whose executable is called NAME, when given: a recycled pid is not ours).
mcoll_pid_alive() {
	local pid exe
	[[ -s $1 ]] || return 1
	pid=$(<"$1")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	# an exited process its parent has not reaped yet (a zombie) is gone
	[[ $(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
	[[ -n ${2:-} ]] || return 0
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 0
	[[ ${exe##*/} == "$2"* ]]
}

# mcoll_stop_pidfile NAME PIDFILE: TERM the process of PIDFILE, wait up to
# 15 s, then KILL it (and its process group when it leads one); removes
# the pid file.  Fine when nothing runs.
mcoll_stop_pidfile() {
	local name=$1 pidfile=$2 pid pgid i
	if ! mcoll_pid_alive "$pidfile" "$name"; then
		rm -f "$pidfile"
		return 0
	fi
	pid=$(<"$pidfile")
	pgid=$(awk '{ sub(/^.*\) /, ""); print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
	mcoll_log "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		mcoll_pid_alive "$pidfile" || break
		sleep 0.1
	done
	if mcoll_pid_alive "$pidfile"; then
		mcoll_log "$name did not stop in 15 s: killing it"
		if [[ $pgid == "$pid" ]]; then
			kill -KILL -- "-$pid" 2>/dev/null || true
		else
			kill -KILL "$pid" 2>/dev/null || true
		fi
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	rm -f "$pidfile"
}

# mcoll_spawn PIDFILE LOGFILE CMD...: start CMD detached in its own session,
# stdout and stderr appended to LOGFILE, its pid written to PIDFILE.
mcoll_spawn() {
	local pidfile=$1 logfile=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner bash
	setsid bash -c 'echo "$$" >"$1"; shift; exec "$@"' mcoll-spawn "$pidfile" "$@" \
		</dev/null >>"$logfile" 2>&1 &
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -s $pidfile ]] && return 0
		sleep 0.1
	done
	mcoll_die "could not start $*"
}

# ---------------------------------------------------------------- MariaDB

mcoll_db_client() { mariadb --no-defaults -S "$DB_SOCK" -u root "$@"; }

mcoll_db_ping() {
	mariadb-admin --no-defaults -S "$DB_SOCK" -u root --connect-timeout=2 ping >/dev/null 2>&1
}

# mcoll_db_init: create the datadir once.  A fresh datadir invalidates the
# demo tenant of an earlier stack.
mcoll_db_init() {
	[[ -d $DB_DATADIR/mysql ]] && return 0
	mcoll_log "initialising MariaDB datadir $DB_DATADIR"
	rm -rf "$DB_DATADIR"
	rm -f "$VAR/demo.env" "$VAR/demo.partial"
	mkdir -p "$DB_DATADIR"
	local user=()
	((EUID == 0)) && user=(--user=root)
	if ! mariadb-install-db --no-defaults "${user[@]}" --datadir="$DB_DATADIR" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve >"$LOGDIR/mariadb-install.log" 2>&1; then
		cat "$LOGDIR/mariadb-install.log" >&2
		rm -rf "$DB_DATADIR"
		mcoll_die "mariadb-install-db failed"
	fi
}

# mcoll_db_start: start the private mariadbd unless it runs; wait for ping.
mcoll_db_start() {
	mcoll_db_init
	if ! mcoll_pid_alive "$DB_PID" mariadbd; then
		local user=()
		((EUID == 0)) && user=(--user=root)
		rm -f "$DB_PID"
		mkdir -p "$VAR/tmp"
		mcoll_log "starting MariaDB on 127.0.0.1:$DB_PORT ($DB_SOCK)"
		mcoll_spawn "$DB_PID" "$LOGDIR/mariadb.out" "$(mcoll_sbin mariadbd)" --no-defaults "${user[@]}" \
			--datadir="$DB_DATADIR" --socket="$DB_SOCK" \
			--bind-address=127.0.0.1 --port="$DB_PORT" \
			--pid-file="$DB_PID" --log-error="$DB_ERRLOG" --tmpdir="$VAR/tmp" \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
			--skip-name-resolve --skip-log-bin \
			--innodb-buffer-pool-size=128M --innodb-log-file-size=48M \
			--innodb-flush-log-at-trx-commit=2 --innodb-use-native-aio=0 \
			--max-connections=200
	fi
	local i
	for ((i = 0; i < 120; i++)); do
		mcoll_db_ping && return 0
		mcoll_pid_alive "$DB_PID" || break
		sleep 0.5
	done
	printf -- '--- tail of %s\n' "$DB_ERRLOG" >&2
	tail -n 50 "$DB_ERRLOG" >&2 2>/dev/null || true
	tail -n 20 "$LOGDIR/mariadb.out" >&2 2>/dev/null || true
	mcoll_die "MariaDB did not answer ping (log: $DB_ERRLOG)"
}

mcoll_db_stop() { mcoll_stop_pidfile mariadbd "$DB_PID"; }

# mcoll_db_kill: SIGKILL the private mariadbd -- a crash, not a clean stop
# (fault tests); waits until it is gone.  mcoll_db_start recovers it.
mcoll_db_kill() {
	local pid i state
	if ! mcoll_pid_alive "$DB_PID" mariadbd; then
		echo "mariadbd not running ($VAR)"
		return 0
	fi
	pid=$(<"$DB_PID")
	mcoll_log "killing mariadbd (pid $pid) with SIGKILL"
	kill -KILL "$pid"
	for ((i = 0; i < 100; i++)); do
		state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$pid/stat" 2>/dev/null || true)
		[[ -z $state || $state == Z ]] && break
		sleep 0.1
	done
	rm -f "$DB_PID"
}

# mcoll_db_freeze / mcoll_db_thaw: SIGSTOP / SIGCONT the private mariadbd
# -- a server that accepts connections but never answers (fault tests).
mcoll_db_freeze() {
	mcoll_pid_alive "$DB_PID" mariadbd || mcoll_die "mariadbd not running ($VAR)"
	kill -STOP "$(<"$DB_PID")"
}
mcoll_db_thaw() {
	mcoll_pid_alive "$DB_PID" mariadbd || mcoll_die "mariadbd not running ($VAR)"
	kill -CONT "$(<"$DB_PID")"
}

mcoll_db_status() {
	if mcoll_pid_alive "$DB_PID" mariadbd && mcoll_db_ping; then
		echo "mariadbd running (pid $(<"$DB_PID"), $DB_SOCK, 127.0.0.1:$DB_PORT)"
		return 0
	fi
	echo "mariadbd not running ($VAR)"
	return 3
}

# mcoll_db_setup: database mcoll and user mcoll with the password kept in
# $VAR/db_password.  Idempotent.
mcoll_db_setup() {
	local pw
	if [[ ! -s $VAR/db_password ]]; then
		(umask 077 && openssl rand -hex 24 >"$VAR/db_password")
	fi
	chmod 600 "$VAR/db_password"
	pw=$(head -n 1 "$VAR/db_password")
	mcoll_db_client --batch <<-SQL
		CREATE DATABASE IF NOT EXISTS mcoll CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
		CREATE USER IF NOT EXISTS 'mcoll'@'localhost' IDENTIFIED BY '$pw';
		CREATE USER IF NOT EXISTS 'mcoll'@'127.0.0.1' IDENTIFIED BY '$pw';
		ALTER USER 'mcoll'@'localhost' IDENTIFIED BY '$pw';
		ALTER USER 'mcoll'@'127.0.0.1' IDENTIFIED BY '$pw';
		GRANT ALL PRIVILEGES ON mcoll.* TO 'mcoll'@'localhost';
		GRANT ALL PRIVILEGES ON mcoll.* TO 'mcoll'@'127.0.0.1';
		FLUSH PRIVILEGES;
	SQL
}

# ---------------------------------------------------------------- mcolld

mcoll_write_conf() {
	cat >"$CONF.tmp" <<-EOF
		# Generated by dev/up for the stack in $VAR -- do not edit.
		listen = $FCGI_LISTEN
		workers = $WORKERS
		db_socket = $DB_SOCK
		db_user = mcoll
		db_password_file = $VAR/db_password
		db_name = mcoll
		log_level = info
		body_limit = 1048576
		migrations_dir = $ROOT/sql
		shutdown_timeout = 10
	EOF
	mv "$CONF.tmp" "$CONF"
}

mcoll_migrate() {
	mcoll_log "mcollctl migrate"
	"${MCOLLCTL_CMD[@]}" migrate
}

# mcoll_fcgi_open: true if mcolld's FastCGI socket accepts a connection.
mcoll_fcgi_open() {
	if [[ $FCGI_LISTEN == /* ]]; then
		[[ -S $FCGI_LISTEN ]] || return 1
		python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])' "$FCGI_LISTEN" 2>/dev/null
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$FCGI_PORT") 2>/dev/null
	fi
}

mcoll_mcolld_stop() { mcoll_stop_pidfile mcolld "$MCOLLD_PID"; }

# mcoll_mcolld_start: (re)start mcolld so a rebuilt binary takes effect;
# wait until the FastCGI port accepts connections.
mcoll_mcolld_start() {
	mcoll_mcolld_stop
	local i
	for ((i = 0; i < 50; i++)); do
		mcoll_fcgi_open || break
		sleep 0.1
	done
	mcoll_fcgi_open && mcoll_die "$FCGI_LISTEN is taken by another process"
	mcoll_log "starting mcolld on $FCGI_LISTEN ($WORKERS workers)"
	printf -- '--- %s mcolld start\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$MCOLLD_LOG"
	mcoll_spawn "$MCOLLD_PID" "$MCOLLD_LOG" "$BUILD/src/mcolld" -c "$CONF"
	for ((i = 0; i < 300; i++)); do
		mcoll_fcgi_open && return 0
		if ! mcoll_pid_alive "$MCOLLD_PID"; then
			tail -n 30 "$MCOLLD_LOG" >&2 || true
			mcoll_die "mcolld exited during start-up (log: $MCOLLD_LOG)"
		fi
		sleep 0.1
	done
	tail -n 30 "$MCOLLD_LOG" >&2 || true
	mcoll_die "mcolld does not accept connections on $FCGI_LISTEN after 30 s"
}

# ---------------------------------------------------------------- TLS, nginx

mcoll_tls() {
	[[ -s $VAR/tls/cert.pem && -s $VAR/tls/key.pem ]] && return 0
	mcoll_log "creating a self-signed certificate in $VAR/tls"
	mkdir -p "$VAR/tls"
	(umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
		-subj /CN=localhost \
		-addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
		-keyout "$VAR/tls/key.pem" -out "$VAR/tls/cert.pem" 2>"$LOGDIR/openssl.log") ||
		{
			cat "$LOGDIR/openssl.log" >&2
			mcoll_die "openssl req failed"
		}
	chmod 644 "$VAR/tls/cert.pem"
}

# mcoll_nginx_render: $VAR/nginx/nginx.conf and mcoll-site.conf from the
# templates in nginx/.  The site's knobs take the dev stack's values, each
# overridable from the environment (tests render stacks with others):
#   MCOLL_NGINX_RATE_KEY (50000r/s), MCOLL_NGINX_RATE_KEY_BURST (100000),
#   MCOLL_NGINX_RATE_ADDR (100000r/s), MCOLL_NGINX_RATE_ADDR_BURST (200000),
#   MCOLL_NGINX_CONN_ADDR (10000): on, but beyond what the test suite and
#   dev/bench send from 127.0.0.1;
#   MCOLL_NGINX_CORS_ORIGINS ('"https://app.example.test" 1;'): map lines;
#   MCOLL_NGINX_FASTCGI_ADDR (the stack's mcolld, $FCGI_ADDR).
mcoll_nginx_render() {
	local d
	for d in client_body proxy fastcgi uwsgi scgi; do
		mkdir -p "$NGINX_DIR/tmp/$d"
	done
	local userline='# not root: workers run as the invoking user'
	((EUID == 0)) && userline='user root;'
	local rate_key=${MCOLL_NGINX_RATE_KEY:-50000r/s} key_burst=${MCOLL_NGINX_RATE_KEY_BURST:-100000}
	local rate_addr=${MCOLL_NGINX_RATE_ADDR:-100000r/s} addr_burst=${MCOLL_NGINX_RATE_ADDR_BURST:-200000}
	local conn_addr=${MCOLL_NGINX_CONN_ADDR:-10000}
	local cors=${MCOLL_NGINX_CORS_ORIGINS-'"https://app.example.test" 1;'}
	local fcgi=${MCOLL_NGINX_FASTCGI_ADDR:-$FCGI_ADDR}
	local v
	for v in "$rate_key" "$rate_addr"; do
		[[ $v =~ ^[0-9]+r/[sm]$ ]] || mcoll_die "not a rate (N r/s or r/m): $v"
	done
	for v in "$key_burst" "$addr_burst" "$conn_addr"; do
		[[ $v =~ ^[0-9]+$ ]] || mcoll_die "not a number: $v"
	done
	[[ $cors != *[\\\|\&]* ]] || mcoll_die "MCOLL_NGINX_CORS_ORIGINS may not contain \\, | or &"
	sed -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
		-e "s|@SERVER_NAME@|localhost|g" \
		-e "s|@TLS_CERT@|$VAR/tls/cert.pem|g" -e "s|@TLS_KEY@|$VAR/tls/key.pem|g" \
		-e "s|@FASTCGI_ADDR@|$fcgi|g" \
		-e "s|@FASTCGI_INCLUDE@|$ROOT/nginx/mcoll-fastcgi.conf|g" \
		-e "s|@RATE_KEY@|$rate_key|g" -e "s|@RATE_KEY_BURST@|$key_burst|g" \
		-e "s|@RATE_ADDR@|$rate_addr|g" -e "s|@RATE_ADDR_BURST@|$addr_burst|g" \
		-e "s|@CONN_ADDR@|$conn_addr|g" -e "s|@CORS_ORIGINS@|$cors|g" \
		"$ROOT/nginx/mcoll.conf.in" >"$NGINX_DIR/mcoll-site.conf.tmp"
	sed -e "s|@USER_LINE@|$userline|g" -e "s|@VAR@|$VAR|g" \
		-e "s|@NGINX_DIR@|$NGINX_DIR|g" -e "s|@PIDFILE@|$NGINX_PID|g" \
		-e "s|@SITE_CONF@|$NGINX_DIR/mcoll-site.conf|g" \
		-e "s|@ERROR_LOG@|$NGINX_ERRLOG|g" \
		-e "s|@ACCESS_LOG@|$LOGDIR/nginx-access.log|g" \
		"$ROOT/nginx/dev-nginx.conf.in" >"$NGINX_DIR/nginx.conf.tmp"
	if grep -n '@[A-Z_]*@' "$NGINX_DIR/mcoll-site.conf.tmp" "$NGINX_DIR/nginx.conf.tmp"; then
		mcoll_die "unsubstituted placeholders in the nginx templates"
	fi
	mv "$NGINX_DIR/mcoll-site.conf.tmp" "$NGINX_DIR/mcoll-site.conf"
	mv "$NGINX_DIR/nginx.conf.tmp" "$NGINX_DIR/nginx.conf"
}

# nginx keeps the caller's TZ (the envelopes are UTC whatever it is).
mcoll_nginx() { "$(mcoll_sbin nginx)" -e "$NGINX_ERRLOG" -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR/" "$@"; }

# mcoll_nginx_start: test the rendered config, then start or reload nginx.
mcoll_nginx_start() {
	mcoll_nginx_render
	if ! mcoll_nginx -t -q; then
		mcoll_die "nginx -t failed for $NGINX_DIR/nginx.conf"
	fi
	if mcoll_pid_alive "$NGINX_PID" nginx; then
		mcoll_log "reloading nginx"
		mcoll_nginx -s reload
	else
		rm -f "$NGINX_PID"
		mcoll_log "starting nginx on https://127.0.0.1:$HTTPS_PORT and http://127.0.0.1:$HTTP_PORT"
		mcoll_nginx
	fi
	local i
	for ((i = 0; i < 100; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$HTTPS_PORT") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	tail -n 20 "$NGINX_ERRLOG" >&2 || true
	mcoll_die "nginx does not listen on port $HTTPS_PORT"
}

mcoll_nginx_stop() { mcoll_stop_pidfile nginx "$NGINX_PID"; }

# ---------------------------------------------------------------- demo tenant

# mcoll_demo: create the demo tenant once; each finished step is recorded
# in $VAR/demo.partial so an interrupted run resumes where it stopped, and
# the result is kept in $VAR/demo.env.
mcoll_demo() {
	[[ -s $VAR/demo.env ]] && return 0
	local partial=$VAR/demo.partial
	DEMO_ORG='' DEMO_USER='' DEMO_MEMBER='' DEMO_KEY='' DEMO_TRACKS=''
	# shellcheck source=/dev/null
	[[ -f $partial ]] && . "$partial"
	mcoll_log "creating the demo tenant"
	if [[ -z $DEMO_ORG ]]; then
		DEMO_ORG=$("${MCOLLCTL_CMD[@]}" org add org_demo --name Demo)
		echo "DEMO_ORG=$(mcoll_q "$DEMO_ORG")" >>"$partial"
	fi
	if [[ -z $DEMO_USER ]]; then
		DEMO_USER=$("${MCOLLCTL_CMD[@]}" user add --email demo@example.com)
		echo "DEMO_USER=$(mcoll_q "$DEMO_USER")" >>"$partial"
	fi
	if [[ -z $DEMO_MEMBER ]]; then
		"${MCOLLCTL_CMD[@]}" member add "$DEMO_ORG" "$DEMO_USER" --capability USE_MUSIC_GENERATION
		DEMO_MEMBER=1
		echo "DEMO_MEMBER=1" >>"$partial"
	fi
	if [[ -z $DEMO_KEY ]]; then
		DEMO_KEY=$("${MCOLLCTL_CMD[@]}" key add "$DEMO_USER")
		echo "DEMO_KEY=$(mcoll_q "$DEMO_KEY")" >>"$partial"
	fi
	local title n t
	n=$(wc -w <<<"$DEMO_TRACKS")
	for title in 'Morning Drive' 'Night Rain' 'Open Road'; do
		((n-- > 0)) && continue
		t=$("${MCOLLCTL_CMD[@]}" track add "$DEMO_ORG" --user "$DEMO_USER" --title "$title")
		DEMO_TRACKS="${DEMO_TRACKS:+$DEMO_TRACKS }$t"
		echo "DEMO_TRACKS=$(mcoll_q "$DEMO_TRACKS")" >>"$partial"
	done
	{
		echo "DEMO_ORG=$(mcoll_q "$DEMO_ORG")"
		echo "DEMO_USER=$(mcoll_q "$DEMO_USER")"
		echo "DEMO_KEY=$(mcoll_q "$DEMO_KEY")"
		echo "DEMO_TRACKS=$(mcoll_q "$DEMO_TRACKS")"
	} >"$VAR/demo.env.tmp"
	chmod 600 "$VAR/demo.env.tmp"
	mv "$VAR/demo.env.tmp" "$VAR/demo.env"
	rm -f "$partial"
}

# mcoll_q STRING: STRING single-quoted for sh.
mcoll_q() {
	local s=$1 q="'\\''"
	printf "'%s'" "${s//\'/$q}"
}

# mcoll_write_env: the sourceable $VAR/env (everything exported).
mcoll_write_env() {
	local DEMO_ORG DEMO_USER DEMO_KEY DEMO_TRACKS
	# shellcheck source=/dev/null
	. "$VAR/demo.env"
	{
		echo "# Generated by dev/up -- source it: . $VAR/env"
		printf 'export MCOLL_ROOT=%s\n' "$(mcoll_q "$ROOT")"
		printf 'export MCOLL_VAR=%s\n' "$(mcoll_q "$VAR")"
		printf 'export MCOLL_BASE_URL=%s\n' "$(mcoll_q "https://127.0.0.1:$HTTPS_PORT")"
		printf 'export MCOLL_HTTP_URL=%s\n' "$(mcoll_q "http://127.0.0.1:$HTTP_PORT")"
		printf 'export MCOLL_CA=%s\n' "$(mcoll_q "$VAR/tls/cert.pem")"
		printf 'export MCOLL_CONFIG=%s\n' "$(mcoll_q "$CONF")"
		printf 'export MCOLLCTL=%s\n' "$(mcoll_q "$BUILD/src/mcollctl -c $CONF")"
		printf 'export MCOLL_DEMO_KEY=%s\n' "$(mcoll_q "$DEMO_KEY")"
		printf 'export MCOLL_DEMO_ORG=%s\n' "$(mcoll_q "$DEMO_ORG")"
		printf 'export MCOLL_DEMO_USER=%s\n' "$(mcoll_q "$DEMO_USER")"
		printf 'export MCOLL_DEMO_TRACKS=%s\n' "$(mcoll_q "$DEMO_TRACKS")"
		printf 'export MCOLL_SQL=%s\n' "$(mcoll_q "mariadb --no-defaults -S $DB_SOCK -u root mcoll")"
		printf 'export MCOLL_PIDFILE=%s\n' "$(mcoll_q "$MCOLLD_PID")"
		printf 'export MCOLL_DBCTL=%s\n' "$(mcoll_q "env MCOLL_VAR=$VAR MCOLL_DB_PORT=$DB_PORT $ROOT/dev/db")"
		printf 'export MCOLL_FCGI_ADDR=%s\n' "$(mcoll_q "$FCGI_ADDR")"
		printf 'export MCOLL_MCOLLD=%s\n' "$(mcoll_q "env MCOLL_VAR=$VAR MCOLL_FCGI_PORT=$FCGI_PORT MCOLL_FCGI_TCP=${MCOLL_FCGI_TCP:-0} MCOLL_WORKERS=$WORKERS $ROOT/dev/mcolld")"
		printf 'export MCOLL_LOG=%s\n' "$(mcoll_q "$MCOLLD_LOG")"
		printf 'export MCOLL_NGINX_ERROR_LOG=%s\n' "$(mcoll_q "$NGINX_ERRLOG")"
		printf 'export MCOLL_DB_ERROR_LOG=%s\n' "$(mcoll_q "$DB_ERRLOG")"
	} >"$VAR/env.tmp"
	chmod 600 "$VAR/env.tmp"
	mv "$VAR/env.tmp" "$VAR/env"
}

# mcoll_stack_up: database, config, migrations, mcolld, TLS, nginx, demo
# tenant and env file (the part of dev/up after installing and building).
mcoll_stack_up() {
	[[ -x $BUILD/src/mcolld && -x $BUILD/src/mcollctl ]] ||
		mcoll_die "$BUILD/src/mcolld or mcollctl is missing: build first"
	mcoll_db_start
	mcoll_db_setup
	mcoll_write_conf
	mcoll_migrate
	mcoll_mcolld_start
	mcoll_tls
	mcoll_nginx_start
	mcoll_demo
	mcoll_write_env
}

# mcoll_stack_down: stop nginx, mcolld and mariadbd of $VAR.
mcoll_stack_down() {
	mcoll_nginx_stop
	mcoll_mcolld_stop
	mcoll_db_stop
	rm -f "$DB_SOCK" "$RUN/mysqld.sock.lock"
}

# mcoll_tail_logs: the end of each log of the stack, for failure reports.
mcoll_tail_logs() {
	local f
	for f in "$MCOLLD_LOG" "$NGINX_ERRLOG" "$DB_ERRLOG"; do
		[[ -f $f ]] || continue
		printf -- '\n----- tail of %s -----\n' "$f"
		tail -n "${1:-40}" "$f"
	done
}
