-- Revenue per hour (UTC) of purchase time and currency; currencies are never added together.
-- Built from fct_purchases (incremental), in full: one row per hour and currency.

with

purchases as (

    select * from {{ ref('fct_purchases') }}

),

purchases_by_hour as (

    select
        *,
        date_trunc('hour', purchased_at, 'UTC') as purchase_hour
    from purchases

),

final as (

    select
        purchase_hour,
        currency,
        count(*) as purchase_line_count,
        count(distinct user_id) as purchasing_user_count,
        sum(quantity) as total_quantity,
        sum(revenue)::numeric(18, 2) as total_revenue
    from purchases_by_hour
    group by purchase_hour, currency

)

select * from final
