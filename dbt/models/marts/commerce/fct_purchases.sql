{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['event_id'], 'unique': true},
            {'columns': ['last_loaded_at']},
            {'columns': ['purchased_at']},
        ],
    )
}}

{#- A table an older Runnel built (without session_key) says how to rebuild it. -#}
{{ require_incremental_column('session_key') }}

-- One row per purchased line: a purchase event is one product in some quantity. The product may
-- not be in the catalog yet: dim_products then holds it as an inferred member.

with

purchases as (

    select * from {{ ref('stg_silver__events') }}
    where
        event_type = 'purchase'
        {% if is_incremental() %}
            and loaded_at > {{ incremental_cutoff() }}
        {% endif %}

),

final as (

    select
        event_id,
        user_id,
        session_id,
        {{ session_key('session_id', 'user_id') }} as session_key,
        product_id,
        event_at as purchased_at,
        event_date as purchase_date,
        currency,
        price as unit_price,
        quantity,
        is_late,
        loaded_at as last_loaded_at,
        (price * quantity)::numeric(18, 2) as revenue
    from purchases

)

select * from final
