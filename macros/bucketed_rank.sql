{#- Ranks over a whole large table, computed so no window runs over the whole table.

    `rank() over (order by x)` without a partition is one sort in one task on Spark (its
    "No Partition Defined for Window operation" warning): the whole table moves to one
    executor. Here the rows are cut into `rank_buckets` value ranges of the ordering column
    (equal values always share a range), counted per range, and ranked inside each range with
    a partitioned window; a row's rank is the rows in the ranges before its own plus its rank
    in the range. The result is exactly the rank, row number or percent rank the global window
    gives, on every engine.

    bucketed_rank_ctes(name, source, key, value, order_by, ...) renders CTEs ending in one named
    `name` with columns `key`, `rank_group` (the partition_by value, else true), `rank_position`
    (rank or row number, 1-based, in order_by) and `rank_percent` (percent_rank() over (order by
    value asc), 0..1, whatever order_by is: one block gives a descending row number and the
    ascending percent rank of the same value).
    Put it in a `with` list followed by a comma, and join `name` back on `key`.

    - value: the numeric ordering column the ranges are cut on (not null);
    - order_by: the full ordering inside a range; its first term is `value`, in `direction`;
    - direction: 'asc' or 'desc', the direction of `value` in order_by;
    - function: 'rank' (ties share a rank, as percent_rank) or 'row_number' (order_by breaks ties);
    - partition_by: an optional not-null expression; the ranks restart per value, as
      `over (partition by ...)`. -#}
{% macro bucketed_rank_ctes(name, source, key, value, order_by, direction='asc', function='rank', partition_by=none) -%}
    {%- set buckets = var('rank_buckets') -%}
    {%- set group_expr = partition_by if partition_by else 'true' -%}
    {#- a rank by value alone, ascending, is already the rank the percent rank needs -#}
    {%- set percent_from_position = function == 'rank' and direction == 'asc' and order_by | trim == value -%}
{{ name }}__bounds as (
    select
        rank_group,
        min(rank_value) as low_value,
        max(rank_value) as high_value,
        count(*) as group_rows
    from (
        select
            {{ group_expr }} as rank_group,
            {{ value }} as rank_value
        from {{ source }}
    ) as grouped
    group by rank_group
),

{{ name }}__bucketed as (
    select
        ranked_source.*,
        bounds.rank_group,
        bounds.group_rows,
        case
            when bounds.high_value = bounds.low_value then 0
            else least(
                cast(floor(
                    cast(ranked_source.{{ value }} - bounds.low_value as {{ type_double() }})
                    / cast(bounds.high_value - bounds.low_value as {{ type_double() }})
                    * {{ buckets }}
                ) as {{ dbt.type_int() }}),
                {{ buckets - 1 }}
            )
        end as rank_bucket
    from {{ source }} as ranked_source
    inner join {{ name }}__bounds as bounds
        on ({{ group_expr }}) = bounds.rank_group
),

{{ name }}__bucket_rows as (
    select
        rank_group,
        rank_bucket,
        count(*) as bucket_rows
    from {{ name }}__bucketed
    group by rank_group, rank_bucket
),

-- at most rank_buckets rows per group, so this window is small whatever the table's size; a
-- window rather than a self-join keeps the source out of the plan once more (Spark inlines
-- every CTE at each reference, and a plan of many copies exhausts the driver's heap)
{{ name }}__rows_before as (
    select
        rank_group,
        rank_bucket,
        coalesce(sum(bucket_rows) over (
            partition by rank_group
            order by rank_bucket {{ direction }}
            rows between unbounded preceding and 1 preceding
        ), 0) as rows_before,
        coalesce(sum(bucket_rows) over (
            partition by rank_group
            order by rank_bucket asc
            rows between unbounded preceding and 1 preceding
        ), 0) as rows_below
    from {{ name }}__bucket_rows
),

{{ name }}__positioned as (
    select
        bucketed.{{ key }},
        bucketed.rank_group,
        bucketed.group_rows,
        rows_before.rows_before + {{ function }}() over (
            partition by bucketed.rank_group, bucketed.rank_bucket
            order by {{ order_by }}
        ) as rank_position
        {%- if not percent_from_position %},
        -- the ascending rank of value, for rank_percent
        rows_before.rows_below + rank() over (
            partition by bucketed.rank_group, bucketed.rank_bucket
            order by bucketed.{{ value }} asc
        ) as value_rank_ascending
        {%- endif %}
    from {{ name }}__bucketed as bucketed
    inner join {{ name }}__rows_before as rows_before
        on
            bucketed.rank_group = rows_before.rank_group
            and bucketed.rank_bucket = rows_before.rank_bucket
),

{{ name }} as (
    select
        {{ key }},
        rank_group,
        rank_position,
        -- as percent_rank: (rank - 1) / (rows - 1) in double precision, 0 for a single row
        case
            when group_rows = 1 then cast(0 as {{ type_double() }})
            else cast({{ 'rank_position' if percent_from_position else 'value_rank_ascending' }} - 1 as {{ type_double() }}) / (group_rows - 1)
        end as rank_percent
    from {{ name }}__positioned
)
{%- endmacro %}
