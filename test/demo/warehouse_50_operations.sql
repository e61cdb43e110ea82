-- Sample warehouse, part 5: operations for the same quarter as the
-- interactions (Aug - Oct 2026), generated with a fixed seed: 5-minute uptime
-- probes of three services (with a few incidents of failed probes), and
-- support tickets with their status changes (open, pending on the customer,
-- resolved).
SELECT setseed(0.5050);

CREATE TABLE service_probes AS
WITH incidents AS (
    -- about one incident per service and fortnight, 5 minutes to 3 hours long
    SELECT service, timestamptz '2026-08-01 00:00+00' + random() * interval '92 days' AS starts,
           interval '5 minutes' * (1 + floor(36 * power(random(), 3))) AS lasts
    FROM unnest(ARRAY['api', 'inference', 'web']) AS service, generate_series(1, 7)
)
SELECT s.service, p.checked_at,
       NOT EXISTS (SELECT 1 FROM incidents i WHERE i.service = s.service
                   AND p.checked_at >= i.starts AND p.checked_at < i.starts + i.lasts)
       AND random() > 0.0005 AS ok
FROM unnest(ARRAY['api', 'inference', 'web']) AS s(service),
     generate_series(timestamptz '2026-08-01 00:00+00', timestamptz '2026-10-31 23:55+00', interval '5 minutes') AS p(checked_at);
CREATE INDEX ON service_probes (service, checked_at);

-- Tickets: ~35 a day; resolution takes a lognormal time (median ~5 h),
-- longer for escalated tickets; a third wait on the customer for a while.
CREATE TABLE support_tickets AS
SELECT t AS ticket_id,
       (ARRAY['assistant', 'copilot', 'helpdesk'])[1 + floor(random() * 3)::int] AS product,
       opened_at,
       opened_at + exp(ln(5) + 1.1 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
                   * interval '1 hour' * CASE WHEN random() < 0.15 THEN 3 ELSE 1 END AS resolved_at,
       random() < 0.33 AS waited_on_customer
FROM (SELECT t, timestamptz '2026-08-01 00:00+00' + random() * interval '92 days' AS opened_at
      FROM generate_series(1, 3200) t) q;
ALTER TABLE support_tickets ADD PRIMARY KEY (ticket_id);

-- Status changes: open -> (pending -> open) -> resolved.
CREATE TABLE ticket_events AS
SELECT ticket_id, opened_at AS changed_at, 'open' AS status FROM support_tickets
UNION ALL
SELECT ticket_id, opened_at + (resolved_at - opened_at) * 0.3, 'pending' FROM support_tickets WHERE waited_on_customer
UNION ALL
SELECT ticket_id, opened_at + (resolved_at - opened_at) * 0.7, 'open' FROM support_tickets WHERE waited_on_customer
UNION ALL
SELECT ticket_id, resolved_at, 'resolved' FROM support_tickets;
ANALYZE service_probes, support_tickets, ticket_events;
