with

source as (

    select * from {{ source('silver', 'events') }}

),

renamed as (

    select
        -- ids
        event_id,
        user_id,
        session_id,
        product_id,

        -- properties
        event_type,
        user_agent,
        schema_version,
        is_late,
        -- fields the producer sent beyond the contract (a JSON object), null when none
        extra,

        -- numbers: price is the unit price in `currency`
        price,
        quantity,
        currency::text as currency,

        -- timestamps (UTC)
        ts as event_at,
        event_date,
        kafka_ts as kafka_at,
        ingested_at,
        silver_at,
        loaded_at

    from source

)

select * from renamed
