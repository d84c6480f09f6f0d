#!/bin/sh
# First start of the PostgreSQL container only (/docker-entrypoint-initdb.d): the application's
# own role and database. Temporal uses the superuser and creates its databases itself.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     --set=password="$ROKIN_DB_PASSWORD" <<'SQL'
CREATE ROLE rokin LOGIN PASSWORD :'password';
CREATE DATABASE rokin OWNER rokin;
SQL
