-- Dormant KOCs get no generic notifications and at most one wake-up message per
-- wakeup_cooldown_days (spec DQ-Q20). This checks what the brand sent, not the warehouse's logic,
-- so it warns: the failing rows are the KOCs who were over-messaged.
{{ config(severity='warn') }}

select
    koc_member_id,
    koc_status,
    dormant_since_date,
    generic_messages_while_dormant,
    wake_ups_in_cooldown
from {{ ref('fct_koc_contact_policy') }}
where generic_messages_while_dormant > 0 or wake_ups_in_cooldown > 1
