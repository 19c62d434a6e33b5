{{
    config(
        unique_key='product_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['product_id'], 'unique': true},
            {'columns': ['last_loaded_at']},
        ],
    )
}}

-- Every product_id the events name, whether or not the catalog holds it: dim_products adds the
-- ones it does not as inferred members. Incremental: the products of the events loaded since the
-- last run are merged with what the model already holds (the earliest event and the newest load
-- win), so a re-read or re-delivered event changes nothing and the result equals a full refresh.

with

new_products as (

    select
        product_id,
        min(event_at) as first_event_at,
        max(loaded_at) as last_loaded_at
    from {{ ref('stg_silver__events') }}
    {% if is_incremental() %}
        where loaded_at > {{ incremental_cutoff() }}
    {% endif %}
    group by product_id

),

products as (

    select * from new_products
    {% if is_incremental() %}
        union all
        select
            product_id,
            first_event_at,
            last_loaded_at
        from {{ this }}
        where product_id = any(array(select new_products.product_id from new_products))
    {% endif %}

),

final as (

    select
        product_id,
        min(first_event_at) as first_event_at,
        max(last_loaded_at) as last_loaded_at
    from products
    group by product_id

)

select * from final
