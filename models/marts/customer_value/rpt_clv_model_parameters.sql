{#- The fitted BG/NBD and Gamma-Gamma parameters behind fct_member_predicted_value (decision
    D75). DuckDB only, like the fit. The fit time stays in the intermediate table: it differs
    between identical builds. -#}
with

parameters as (
    select * from {{ ref('int_clv_fitted_parameters') }}
),

final as (
    select
        model_name,
        parameter_name,
        case parameter_name
            when 'r' then 'Shape of the Gamma distribution of purchase rates across buyers.'
            when 'alpha' then 'Rate (scale, in weeks) of the Gamma distribution of purchase rates.'
            when 'a' then 'First shape of the Beta distribution of the dropout probability after a purchase.'
            when 'b' then 'Second shape of the Beta distribution of the dropout probability after a purchase.'
            when 'p' then 'Shape of the Gamma distribution of spend per purchase within a buyer.'
            when 'q' then 'Shape of the Gamma distribution of the spend scale across buyers.'
            when 'gamma' then 'Rate (in CNY) of the Gamma distribution of the spend scale across buyers.'
        end as parameter_description,
        case when model_name = 'bg_nbd' then 'week' end as time_unit,
        parameter_value,
        customers_fitted,
        log_likelihood,
        frequency_value_correlation,
        optimiser_iterations,
        as_of_date
    from parameters
)

{{ select_declared_types('final') }}
