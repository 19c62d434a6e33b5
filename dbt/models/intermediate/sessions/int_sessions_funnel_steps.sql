-- A view: one row per session, computed from the session's counts alone, so there is nothing to
-- store or keep up to date; funnel_daily reads it.
{{ config(materialized='view') }}

-- The funnel view -> add_to_cart -> purchase, per session. A step counts only when the session
-- also reached every step before it: a purchase without an add_to_cart is not a cart conversion.

with

sessions as (

    select * from {{ ref('int_events_aggregated_to_sessions') }}

),

steps as (

    select
        session_key,
        session_id,
        user_id,
        session_date,
        first_viewed_at,
        first_added_to_cart_at,
        first_purchased_at,
        last_loaded_at,
        view_count > 0 as has_viewed,
        view_count > 0 and add_to_cart_count > 0 as has_added_to_cart,
        view_count > 0 and add_to_cart_count > 0 and purchase_count > 0 as has_purchased
    from sessions

),

final as (

    select
        session_key,
        session_id,
        user_id,
        session_date,
        has_viewed,
        has_added_to_cart,
        has_purchased,
        last_loaded_at,
        case
            when has_purchased then 3
            when has_added_to_cart then 2
            when has_viewed then 1
            else 0
        end as funnel_step,
        case
            when has_added_to_cart
                then extract(epoch from first_added_to_cart_at - first_viewed_at)::numeric(12, 3)
        end as seconds_view_to_add_to_cart,
        case
            when has_purchased
                then extract(epoch from first_purchased_at - first_added_to_cart_at)::numeric(12, 3)
        end as seconds_add_to_cart_to_purchase
    from steps

)

select * from final
