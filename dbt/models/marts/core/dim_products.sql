-- The products dimension with history (slowly changing, type 2): one row per product version,
-- from the snapshot of the catalog. Facts join on product_id and the event time within
-- [valid_from, valid_to); is_current marks the version in force now.

with

snapshot as (

    select * from {{ ref('snp_silver__products') }}

),

final as (

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
        dbt_valid_to is null as is_current
    from snapshot

)

select * from final
