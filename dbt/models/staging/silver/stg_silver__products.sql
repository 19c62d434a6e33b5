with

source as (

    select * from {{ source('silver', 'products') }}

),

renamed as (

    select
        -- ids
        product_id,

        -- properties
        name as product_name,
        category,
        description,
        -- fields the producer sent beyond the contract (a JSON object), null when none
        extra,

        -- numbers
        price,
        currency::text as currency,

        -- timestamps (UTC)
        updated_at,
        loaded_at

    from source

)

select * from renamed
