-- R1 drill-down: the cohort opportunities (created in [$start, $end], in scope) whose highest stage
-- as of $as_of is $stage_order or above, with their highest and current stage.
WITH cohort AS (
    SELECT o.*
    FROM scoped_opportunities($regions, $provinces, $territories, $salespeople) o
    WHERE o.created_on BETWEEN $start AND $end
),
position AS (
    -- No stage row yet means `market`, but only for an opportunity that exists on $as_of.
    SELECT c.*,
           coalesce(s.highest_stage, CASE WHEN c.created_on <= $as_of THEN 1 END) AS highest,
           coalesce(s.current_stage, CASE WHEN c.created_on <= $as_of THEN 1 END) AS current
    FROM cohort c
    LEFT JOIN stages_as_of($as_of) s ON s.opportunity_id = c.opportunity_id
)
SELECT opportunity_id,
       prospect_name,
       territory_id,
       salesperson_id,
       created_on,
       expected_amount,
       stage_name(highest) AS highest_stage,
       stage_name(current) AS current_stage,
       lost_on
FROM position
WHERE highest >= $stage_order
ORDER BY created_on, opportunity_id
