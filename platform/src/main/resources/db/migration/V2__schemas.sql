-- `silver` mirrors the Silver Delta tables and is written only by the loader;
-- `runnel` holds the pipeline's own bookkeeping (load log).
CREATE SCHEMA silver;
CREATE SCHEMA runnel;

GRANT USAGE ON SCHEMA silver TO runnel_loader, runnel_transformer, runnel_analyst;
GRANT USAGE ON SCHEMA runnel TO runnel_loader, runnel_analyst;

-- Privileges on tables later migrations create (migrations run as the admin role).
-- No DELETE, TRUNCATE or DDL for the loader: it merges with INSERT ... ON CONFLICT.
ALTER DEFAULT PRIVILEGES IN SCHEMA silver GRANT SELECT, INSERT, UPDATE ON TABLES TO runnel_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA silver GRANT USAGE, SELECT ON SEQUENCES TO runnel_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA silver GRANT SELECT ON TABLES TO runnel_transformer, runnel_analyst;
-- The load log is append-only for the loader.
ALTER DEFAULT PRIVILEGES IN SCHEMA runnel GRANT SELECT, INSERT ON TABLES TO runnel_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA runnel GRANT SELECT ON TABLES TO runnel_analyst;

-- dbt runs as the transformer and owns what it builds; the analyst may read all of it.
ALTER DEFAULT PRIVILEGES FOR ROLE runnel_transformer GRANT USAGE ON SCHEMAS TO runnel_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE runnel_transformer GRANT SELECT ON TABLES TO runnel_analyst;
