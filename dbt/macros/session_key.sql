{#
    A session's surrogate key: a session is one user's events under one session_id (two users'
    events under the same session_id, a client bug or a shared device, are two sessions). A uuid
    from the md5 of both ids as a JSON array, so no two pairs can run together into the same text.
#}
{% macro session_key(session_id, user_id) -%}
    md5(json_build_array({{ session_id }}, {{ user_id }})::text)::uuid
{%- endmacro %}
