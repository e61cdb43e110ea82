-- Sample warehouse, part 6: one real change for the alerting demo
-- (dashboard_60_alerts.sql).  In the last week of data (2026-10-23 to
-- 2026-10-29) helpdesk's task completion falls by 8%: each completed
-- helpdesk interaction of that week is turned into a failure with
-- probability 0.08 (seeded), so the expected rate is 0.92 times the usual.
-- Nothing else changes.  Runs before the daily rollups (part 9).
SELECT setseed(0.0806);
UPDATE interactions SET completed = false
WHERE product = 'helpdesk' AND completed
  AND ts >= timestamptz '2026-10-23 00:00:00+00' AND random() < 0.08;
ANALYZE interactions;
