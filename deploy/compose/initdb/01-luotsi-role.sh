#!/bin/sh
# Runs once, when the database container's data folder is first created (docker-entrypoint-initdb.d).
# The app's role as in production (deploy/lib/postgres.sh, pg_ensure_app_database): LOGIN
# CREATEROLE, no superuser, owning its database, so PostgreSQL refuses here what it would refuse
# there. Development credentials only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE luotsi LOGIN CREATEROLE PASSWORD 'luotsi';
CREATE DATABASE luotsi OWNER luotsi;
SQL
