{{
    config(
        materialized='incremental',
        unique_key='user_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['user_id'], 'unique': true},
            {'columns': ['last_loaded_at']},
        ],
    )
}}

-- Activity per user in the shape of the users' reference model user_event_summary (clicks,
-- views, purchases, all events; plus add-to-carts and remove-from-carts). dim_users sums each
-- user's sessions; this model copies the users dim_users recomputed since the last run.

with

users as (

    select * from {{ ref('dim_users') }}
    {% if is_incremental() %}
        where last_loaded_at > {{ incremental_cutoff() }}
    {% endif %}

),

final as (

    select
        user_id,
        click_count as total_clicks,
        view_count as total_views,
        add_to_cart_count as total_add_to_carts,
        remove_from_cart_count as total_remove_from_carts,
        purchase_count as total_purchases,
        event_count as total_events,
        last_loaded_at
    from users

)

select * from final
