-- Demo generator (lib/demo.py): the one import_log row of a demo build.
INSERT INTO import_log (import_id, imported_at, source, files, counts)
SELECT 1, $imported_at, 'demo', '[]', $counts
FROM demo_import_log;
