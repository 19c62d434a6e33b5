-- dbt's incremental models (delete+insert, merge) stage each run's rows in a temporary table,
-- so the transformer needs TEMPORARY, as the loader already has (V2). It still cannot write Silver.
GRANT TEMPORARY ON DATABASE "${flyway:database}" TO runnel_transformer;

-- What dbt's incremental models look rows up by, besides loaded_at (V4): the events of the
-- sessions (session_id) and of the user-days (event_date, user_id) that a new load touched, which
-- they recompute in full so a late event is counted exactly once. event_date leads: a load's
-- events are mostly of today, so the loader's inserts land together at the end of the index.
CREATE INDEX events_session_id_idx ON silver.events (session_id);
CREATE INDEX events_event_date_user_id_idx ON silver.events (event_date, user_id);
