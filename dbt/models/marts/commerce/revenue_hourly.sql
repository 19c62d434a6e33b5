{{
    config(
        materialized='incremental',
        unique_key=['purchase_hour', 'currency'],
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['purchase_hour', 'currency'], 'unique': true},
            {'columns': ['last_loaded_at']},
        ],
    )
}}

-- Revenue per hour (UTC) of purchase time and currency; currencies are never added together.
-- Incremental: every hour with a newly loaded purchase line, late ones included, is recomputed
-- from all of that hour's lines in fct_purchases.

with

-- Only the incremental run reads this (PostgreSQL skips an unreferenced CTE).
changed_hours as (

    select distinct date_trunc('hour', purchased_at, 'UTC') as purchase_hour
    from {{ ref('fct_purchases') }}
    {% if is_incremental() %}
        where last_loaded_at > {{ incremental_cutoff() }}
    {% endif %}

),

-- The changed hours' lines: a range scan on fct_purchases' purchased_at index from the first to
-- the last changed hour, then exactly the changed hours.
purchases as (

    select
        *,
        date_trunc('hour', purchased_at, 'UTC') as purchase_hour
    from {{ ref('fct_purchases') }}
    {% if is_incremental() %}
        where
            purchased_at >= (select min(changed_hours.purchase_hour) from changed_hours)
            and purchased_at < (select max(changed_hours.purchase_hour) from changed_hours) + interval '1 hour'
            and date_trunc('hour', purchased_at, 'UTC') in (select changed_hours.purchase_hour from changed_hours)
    {% endif %}

),

final as (

    select
        purchase_hour,
        currency,
        count(*) as purchase_line_count,
        count(distinct user_id) as purchasing_user_count,
        sum(quantity) as total_quantity,
        sum(revenue)::numeric(18, 2) as total_revenue,
        max(last_loaded_at) as last_loaded_at
    from purchases
    group by purchase_hour, currency

)

select * from final
