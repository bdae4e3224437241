-- The dealers whose results count for contest reps (R9, R10) and the R11 exclusion: one
-- definition for the contest, the campaign score and the leaderboard drill-down.
-- A CTE fragment (no WITH, no trailing comma) included after the caller's CTE
--     contest_reps(salesperson_id, ...)   -- the reps compared
-- Defines contest_dealers(dealer_id, salesperson_id, signed_on, excluded_duplicate): every dealer
-- owned by one of those reps (whatever its territory: the rep is the unit of the contest);
-- excluded_duplicate = the later dealer N of an R11 pair not yet cleared with approved_new.
-- @include duplicates_pairs
,
contest_dealers AS (
    SELECT d.dealer_id,
           d.salesperson_id,
           d.signed_on,
           NOT d.approved_new
               AND d.dealer_id IN (SELECT dealer_id FROM duplicate_pairs) AS excluded_duplicate
    FROM dealers d
    WHERE d.salesperson_id IN (SELECT salesperson_id FROM contest_reps)
)
