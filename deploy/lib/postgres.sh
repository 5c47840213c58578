# Shared shell helpers: install PostgreSQL 15 from Debian when missing and run a private
# cluster without systemd. Sourced by deploy/run-local and deploy/test.

PG_BIN=/usr/lib/postgresql/15/bin

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the named Debian packages that are not installed yet.
ensure_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "==> installing ${missing[*]} from Debian"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# The user that owns and runs the cluster: postgres when we are root (initdb refuses root).
pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start DATA_DIR SOCKET_DIR PORT [extra server options]
# Creates the cluster on first use (trust on the socket, scram-sha-256 over TCP) and starts it.
pg_start() {
    local data=$1 socket=$2 port=$3; shift 3
    mkdir -p "$data" "$socket"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$data" "$socket"; fi
    chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
        pg_as_owner "$PG_BIN/initdb" -D "$data" -U postgres -A trust --auth-host=scram-sha-256 \
            --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if pg_as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        return 0
    fi
    pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $socket $*" start >/dev/null
}

pg_stop() {
    local data=$1
    pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_superuser_sql SOCKET_DIR PORT SQL — runs SQL as the cluster's superuser over the socket.
pg_superuser_sql() {
    local socket=$1 port=$2 sql=$3
    pg_as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$socket" -p "$port" -U postgres -d postgres -c "$sql"
}

# pg_ensure_app_database SOCKET_DIR PORT ROLE PASSWORD DATABASE
# The application's login role may create roles (one per organisation) but is no superuser,
# so PostgreSQL's permission checks apply to it for real.
pg_ensure_app_database() {
    local socket=$1 port=$2 role=$3 password=$4 database=$5
    pg_superuser_sql "$socket" "$port" "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$role') THEN
            CREATE ROLE $role LOGIN CREATEROLE PASSWORD '$password';
        ELSE
            ALTER ROLE $role LOGIN CREATEROLE PASSWORD '$password';
        END IF; END \$\$;"
    if ! pg_as_owner psql -X -h "$socket" -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
        pg_superuser_sql "$socket" "$port" "CREATE DATABASE $database OWNER $role"
    fi
}

# A free TCP port on the loopback interface.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
