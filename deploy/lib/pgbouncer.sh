# PgBouncer (Debian's) in front of a throwaway cluster, for deploy/test: the API suites run
# through it in transaction pooling, as docs recommend for production (deploy/pgbouncer/).
# Source after deploy/lib/postgres.sh.

# bouncer_start DIR PG_PORT PORT ROLE PASSWORD — PgBouncer on 127.0.0.1:PORT, transaction
# pooling, for every database of the cluster on 127.0.0.1:PG_PORT. PgBouncer will not run as
# root, so it runs as the cluster's owner.
bouncer_start() {
    local dir=$1 pg_port=$2 port=$3 role=$4 password=$5
    mkdir -p "$dir"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
server_reset_query =
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    printf '"%s" "%s"\n' "$role" "$password" >"$dir/userlist.txt"
    chmod 600 "$dir/userlist.txt"
    if [ "$(id -u)" -eq 0 ]; then chown -R "$(pg_owner)" "$dir"; fi
    pg_as_owner /usr/sbin/pgbouncer -d -q "$dir/pgbouncer.ini"
    local i
    for i in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "PgBouncer did not start; its log:" >&2
    cat "$dir/pgbouncer.log" >&2 || true
    return 1
}

# bouncer_stop DIR
bouncer_stop() {
    local dir=$1
    if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi
}
