-- KPIs outside the benchmark band the source documents quote. Informational: benchmarks come from
-- case studies, so a value outside its band warns and never fails the build.
{{ config(severity='warn') }}

select
    month_start_date,
    kpi,
    kpi_value,
    benchmark_low,
    benchmark_high,
    benchmark_source_file
from {{ ref('rpt_private_domain_kpis') }}
where benchmark_status in ('below', 'above') and is_complete_month
