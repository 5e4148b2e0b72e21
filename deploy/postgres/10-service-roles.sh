#!/bin/bash
# Least privilege in PostgreSQL (docs/adr/0042-least-privilege-database-roles.md): per service schema an owner role
# that owns the schema and its tables and runs the migrations (MIGRATION_DATABASE_URL), and a runtime role the
# service's pool connects as, with DML only (DATABASE_URL); the service grants it its DML after migrating.
#
# docker-compose.yml mounts this into the postgres container's /docker-entrypoint-initdb.d, which runs it once, as
# POSTGRES_USER, when the container initialises an empty data volume. It does what shared/platform/db_roles.py
# service_roles_sql does for the local cluster and the tests; tests/platform/integration/test_database_roles.py runs
# both and compares what they leave. It is safe to run again, and on a volume made before the roles existed it hands
# the schemas and what is in them to the owner roles:
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-service-roles.sh
# Passwords come from the environment (the defaults are the demo's, which production refuses); URL-safe characters
# only, since they also go into the services' URLs.
set -eo pipefail

service_roles() {  # service, owner's password, runtime role's password
    psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-postgres}" \
         --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
         -v schema="$1" -v owner="$1_owner" -v app="$1_app" -v owner_pw="$2" -v app_pw="$3" <<'SQL'
BEGIN;
SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY[:'owner', :'app']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE :"owner" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_pw';
ALTER ROLE :"app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_pw';
SELECT format('GRANT CONNECT ON DATABASE %I TO %I, %I', current_database(), :'owner', :'app') \gexec
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"owner";
ALTER SCHEMA :"schema" OWNER TO :"owner";
-- What another role made in the schema goes to the owner: tables first (their serial sequences follow them), then
-- the sequences left, then functions.
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'schema' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relowner <> :'owner'::regrole \gexec
SELECT format('ALTER SEQUENCE %I.%I OWNER TO %I', n.nspname, c.relname, :'owner')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = :'schema' AND c.relkind = 'S' AND c.relowner <> :'owner'::regrole \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = :'schema' AND p.proowner <> :'owner'::regrole \gexec
-- Nobody else may use the schema; the runtime role may find its tables in it but not create any.
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"app";
COMMIT;
SQL
}

service_roles berichtenverkeer "${BERICHTENVERKEER_DB_OWNER_PASSWORD:-demo-db-berichtenverkeer-owner}" \
    "${BERICHTENVERKEER_DB_PASSWORD:-demo-db-berichtenverkeer-app}"
service_roles declaratie "${DECLARATIE_DB_OWNER_PASSWORD:-demo-db-declaratie-owner}" \
    "${DECLARATIE_DB_PASSWORD:-demo-db-declaratie-app}"
service_roles facturatie "${FACTURATIE_DB_OWNER_PASSWORD:-demo-db-facturatie-owner}" \
    "${FACTURATIE_DB_PASSWORD:-demo-db-facturatie-app}"
