{#
    prod builds the schemas the architecture names (staging, intermediate, marts, snapshots);
    any other target prefixes them with its own schema (dev_staging, dev_marts, ...), so a
    developer or a test never writes over the warehouse's models.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- elif target.name == 'prod' -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema | trim }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
