-- R4 core dealers over [$start, $end]: the ranking of the core_ranking macro (_macros.sql) with the
-- cumulative share of sales; the share is empty when the total is 0 or less.
SELECT dealer_id,
       dealer_name,
       amount,
       CASE WHEN total > 0 THEN cumulative::DOUBLE / total::DOUBLE END AS cumulative_share,
       is_core
FROM core_ranking($start, $end, $share, $regions, $provinces, $territories, $salespeople)
ORDER BY rank
