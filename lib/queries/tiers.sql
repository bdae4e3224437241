-- R6 dealer tiers of quarter Q ($q_start..$q_end) and of the quarter before it ($prev_start..$prev_end),
-- one row per in-scope dealer active in either quarter (an `exit` has no Q tier, a `new` no previous).
-- Peer groups are formed over ALL dealers active in the quarter, whatever the filter: the scope only
-- chooses the rows returned, so a territory filter never changes a tier.
-- Threshold positions are exact integers: ceil(n * p / 100) = (n * p + 99) // 100.
WITH dealer_groups AS (
    SELECT d.dealer_id, d.dealer_name, d.signed_on, d.terminated_on, t.region,
           CASE $peer_group
                WHEN 'region' THEN t.region
                WHEN 'province' THEN t.province
                WHEN 'channel' THEN coalesce(nullif(d.channel, ''), 'unspecified')
                ELSE 'all'
           END AS peer_group
    FROM dealers d
    JOIN territories t ON t.territory_id = d.territory_id
),
quarters AS (
    SELECT 'current' AS quarter, $q_start::DATE AS q_start, $q_end::DATE AS q_end
    UNION ALL
    SELECT 'previous', $prev_start::DATE, $prev_end::DATE
),
members AS (
    -- active at some time in the quarter: signed by its end, not terminated before its start
    SELECT q.quarter, g.dealer_id, g.peer_group
    FROM dealer_groups g
    JOIN quarters q ON g.signed_on <= q.q_end AND (g.terminated_on IS NULL OR g.terminated_on >= q.q_start)
),
volumes AS (
    -- the two quarters are consecutive: one date-range scan, one group per dealer
    SELECT dealer_id,
           sum(amount) FILTER (WHERE order_date >= $q_start::DATE) AS current_volume,
           sum(amount) FILTER (WHERE order_date < $q_start::DATE) AS previous_volume
    FROM orders
    WHERE order_date >= $prev_start::DATE AND order_date <= $q_end::DATE
    GROUP BY dealer_id
),
ranked AS (
    SELECT m.quarter, m.dealer_id, m.peer_group,
           coalesce(CASE m.quarter WHEN 'current' THEN v.current_volume ELSE v.previous_volume END,
                    0::DECIMAL(38, 2)) AS volume
    FROM members m
    LEFT JOIN volumes v ON v.dealer_id = m.dealer_id
),
positioned AS (
    SELECT *,
           count(*) OVER (PARTITION BY quarter, peer_group) AS peer_count,
           row_number() OVER (PARTITION BY quarter, peer_group ORDER BY volume DESC) AS position,
           rank() OVER (PARTITION BY quarter, peer_group ORDER BY volume DESC) AS rank
    FROM ranked
),
thresholds AS (
    -- the volume at a position is the same whichever way ties are ordered
    SELECT quarter, peer_group,
           max(volume) FILTER (WHERE position = (peer_count * $percent_a + 99) // 100) AS threshold_a,
           max(volume) FILTER (WHERE position = (peer_count * $percent_b + 99) // 100) AS threshold_b,
           max(volume) FILTER (WHERE position = (peer_count * $percent_c + 99) // 100) AS threshold_c
    FROM positioned
    GROUP BY quarter, peer_group
),
tiered AS (
    SELECT p.quarter, p.dealer_id, p.peer_group, p.peer_count, p.volume, p.rank,
           th.threshold_a, th.threshold_b, th.threshold_c,
           CASE WHEN p.volume <= 0 THEN 'D'
                WHEN p.volume >= th.threshold_a THEN 'A'
                WHEN p.volume >= th.threshold_b THEN 'B'
                WHEN p.volume >= th.threshold_c THEN 'C'
                ELSE 'D'
           END AS tier
    FROM positioned p
    JOIN thresholds th ON th.quarter = p.quarter AND th.peer_group = p.peer_group
),
current_q AS (SELECT * FROM tiered WHERE quarter = 'current'),
previous_q AS (SELECT * FROM tiered WHERE quarter = 'previous'),
flows AS (
    SELECT coalesce(c.dealer_id, p.dealer_id) AS dealer_id,
           coalesce(c.peer_group, p.peer_group) AS peer_group,
           c.peer_count, c.volume, c.rank, c.threshold_a, c.threshold_b, c.threshold_c, c.tier,
           p.tier AS prev_tier, p.volume AS prev_volume,
           CASE WHEN c.tier IS NULL THEN 'exit'
                WHEN p.tier IS NULL THEN 'new'
                WHEN c.tier < p.tier THEN 'up'      -- 'A' < 'B' < 'C' < 'D': a smaller letter is higher
                WHEN c.tier > p.tier THEN 'down'
                ELSE 'same'
           END AS movement,
           -- B, C or D with a positive volume within upgrade_margin of the next tier's threshold
           coalesce(c.tier IN ('B', 'C', 'D') AND c.volume > 0
                    AND c.volume >= $upgrade_margin * CASE c.tier WHEN 'B' THEN c.threshold_a
                                                                 WHEN 'C' THEN c.threshold_b
                                                                 ELSE c.threshold_c END, false) AS upgrade_candidate
    FROM current_q c
    FULL OUTER JOIN previous_q p ON p.dealer_id = c.dealer_id
)
SELECT f.dealer_id, s.dealer_name, s.region, f.peer_group, f.peer_count, f.volume, f.rank,
       f.threshold_a, f.threshold_b, f.threshold_c, f.tier, f.prev_tier, f.movement, f.upgrade_candidate,
       f.prev_volume
FROM flows f
JOIN scoped_dealers($regions, $provinces, $territories, $salespeople) s ON s.dealer_id = f.dealer_id
ORDER BY f.tier IS NULL, f.peer_group, f.rank, f.dealer_id
