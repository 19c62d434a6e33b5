-- The three login roles, each able to do only what its name says. Passwords are not set here:
-- `runnel-admin pg-init` sets them from the environment after migrating.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'runnel_loader') THEN
    CREATE ROLE runnel_loader LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'runnel_transformer') THEN
    CREATE ROLE runnel_transformer LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'runnel_analyst') THEN
    CREATE ROLE runnel_analyst LOGIN;
  END IF;
END
$$;

ALTER ROLE runnel_loader NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE runnel_transformer NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE runnel_analyst NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

-- Belt and braces for BI: the analyst's sessions start read-only (privileges below are what
-- actually deny writes).
ALTER ROLE runnel_analyst SET default_transaction_read_only = on;

-- Nobody gets anything by default: no connect, no temporary tables, nothing in `public`.
REVOKE ALL ON DATABASE "${flyway:database}" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE "${flyway:database}" TO runnel_loader, runnel_transformer, runnel_analyst;
-- The loader COPYs each batch into a temporary staging table before merging it.
GRANT TEMPORARY ON DATABASE "${flyway:database}" TO runnel_loader;
-- dbt creates and owns its schemas (staging, intermediate, marts, snapshots).
GRANT CREATE ON DATABASE "${flyway:database}" TO runnel_transformer;
