-- The products dimension with history (slowly changing, type 2): one row per product version,
-- from the snapshot of the catalog. Facts join on product_id and the event time within
-- [valid_from, valid_to); is_current marks the version in force now.
--
-- A product that events name but the catalog does not hold (published late, another team's
-- client) is an inferred member (Kimball's late-arriving dimension): one current row from its
-- first event on, is_inferred, with placeholder attributes. Once the catalog has the product, its
-- versions replace that row, so the product is completed with its real attributes; no fact keeps
-- a version id, so nothing points at the row that went away.

with

snapshot as (

    select * from {{ ref('snp_silver__products') }}

),

products_in_events as (

    select * from {{ ref('int_events_aggregated_to_products') }}

),

catalog_versions as (

    select
        dbt_scd_id as product_version_id,
        product_id,
        product_name,
        category,
        description,
        price,
        currency,
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        dbt_valid_to is null as is_current,
        false as is_inferred
    from snapshot

),

inferred_members as (

    select
        md5('inferred|' || products_in_events.product_id) as product_version_id,
        products_in_events.product_id,
        '(not in catalog)' as product_name,
        '(not in catalog)' as category,
        null::text as description,
        null::numeric(12, 2) as price,
        null::text as currency,
        products_in_events.first_event_at as valid_from,
        null::timestamptz as valid_to,
        true as is_current,
        true as is_inferred
    from products_in_events
    where not exists (
        select 1 from snapshot
        where snapshot.product_id = products_in_events.product_id
    )

),

final as (

    select * from catalog_versions
    union all
    select * from inferred_members

)

select * from final
