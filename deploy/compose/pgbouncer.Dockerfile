# PgBouncer from Debian (the same 1.18 that deploy/test proves Luotsi against), for docker-compose.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends pgbouncer && rm -rf /var/lib/apt/lists/*
COPY deploy/compose/pgbouncer.ini /etc/pgbouncer/pgbouncer.ini
# Development credentials only (the compose file's); production: deploy/pgbouncer/README.md.
RUN printf '"luotsi" "luotsi"\n' > /etc/pgbouncer/userlist.txt && chown postgres /etc/pgbouncer/userlist.txt
USER postgres
EXPOSE 6432
CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
