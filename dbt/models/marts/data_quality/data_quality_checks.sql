-- What dbt's data-quality tests (severity warn: they never stop a build) find, for the Pipeline
-- health dashboard: one row per check, always (0 when all is well), plus one per field name that
-- arrives beyond the contract. Each count is the one its test reports. Rebuilt each run from small
-- inputs: the sessions with a finding (a partial index of the sessions model), the products
-- dimension and the catalog.

with

sessions_with_findings as (

    select
        session_id,
        session_id_user_count,
        extra_field_event_count,
        extra_field_counts
    from {{ ref('int_events_aggregated_to_sessions') }}
    where session_id_user_count > 1 or extra_field_event_count > 0

),

products as (

    select * from {{ ref('dim_products') }}

),

catalog as (

    select
        product_id,
        extra
    from {{ ref('stg_silver__products') }}
    where extra is not null and extra <> '{}'::jsonb

),

event_fields as (

    select
        field_counts.field_name,
        sum(field_counts.event_count::bigint)::bigint as failure_count
    from sessions_with_findings
    cross join
        lateral jsonb_each_text(sessions_with_findings.extra_field_counts) as field_counts (field_name, event_count)
    group by field_counts.field_name

),

product_fields as (

    select
        product_field_names.field_name,
        count(*) as failure_count
    from catalog
    cross join lateral {{ extra_field_names('catalog.extra') }} as product_field_names (field_name)
    group by product_field_names.field_name

),

checks as (

    select
        'shared_session_ids' as check_name,
        null::text as field_name,
        count(distinct session_id) filter (where session_id_user_count > 1) as failure_count,
        'Session ids that events of more than one user carry (a client bug, a shared device). '
        || 'Each user''s events under it are a session of their own.' as description
    from sessions_with_findings

    union all

    select
        'inferred_products' as check_name,
        null::text as field_name,
        count(*) filter (where is_inferred) as failure_count,
        'Products that events name but the catalog does not hold yet: inferred members of dim_products, '
        || 'completed when the catalog delivers them.' as description
    from products

    union all

    select
        'events_with_extra_fields' as check_name,
        null::text as field_name,
        coalesce(sum(extra_field_event_count), 0)::bigint as failure_count,
        'Events carrying fields beyond the event contract (silver.events.extra); '
        || 'each field is counted by name under extra_event_field.' as description
    from sessions_with_findings

    union all

    select
        'products_with_extra_fields' as check_name,
        null::text as field_name,
        count(*) as failure_count,
        'Catalog products carrying fields beyond the product contract (silver.products.extra); '
        || 'each field is counted by name under extra_product_field.' as description
    from catalog

    union all

    select
        'extra_event_field' as check_name,
        field_name,
        failure_count,
        'Events carrying this field beyond the event contract.' as description
    from event_fields

    union all

    select
        'extra_product_field' as check_name,
        field_name,
        failure_count,
        'Catalog products carrying this field beyond the product contract.' as description
    from product_fields

),

final as (

    select
        check_name,
        field_name,
        failure_count,
        description,
        'warn' as severity,
        check_name || coalesce(':' || field_name, '') as check_id,
        now() as computed_at
    from checks

)

select * from final
