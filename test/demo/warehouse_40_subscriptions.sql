-- Sample warehouse, part 4: a year of subscriptions (Nov 2025 - Oct 2026) for
-- the products' paying customers, generated with a fixed seed: monthly,
-- quarterly and annual plans on three tiers; upgrades, downgrades,
-- cancellations (annual and quarterly plans cancel at renewal) and
-- reactivations; four acquisition channels with their monthly spend.
SELECT setseed(0.4040);

CREATE TABLE acquisition_channels (
    channel text PRIMARY KEY,
    monthly_spend numeric(12,2) NOT NULL,   -- typical marketing spend per month
    signups_per_month int NOT NULL,
    monthly_churn float8 NOT NULL            -- chance to cancel at a renewal
);
INSERT INTO acquisition_channels VALUES
    ('content_seo', 7000, 30, 0.035),
    ('paid_search', 21000, 45, 0.065),
    ('partners', 9000, 14, 0.030),
    ('outbound_sales', 32000, 10, 0.020);

CREATE TABLE plans (tier int PRIMARY KEY, plan text NOT NULL, monthly_price numeric(10,2) NOT NULL);
INSERT INTO plans VALUES (1, 'starter', 29), (2, 'pro', 99), (3, 'business', 299);

CREATE TABLE marketing_spend (channel text NOT NULL, month date NOT NULL, spend numeric(12,2) NOT NULL,
                              PRIMARY KEY (channel, month));
CREATE TABLE customers (customer_id int PRIMARY KEY, channel text NOT NULL, signup_month date NOT NULL);
-- One row per customer and month while the subscription runs: the plan's
-- price per billing period (annual plans 20% off, quarterly 5% off).  A
-- cancelled month has no row.
CREATE TABLE subscription_months (
    customer_id int NOT NULL,
    month date NOT NULL,
    plan text NOT NULL,
    billing_period interval NOT NULL,
    amount numeric(12,2) NOT NULL,
    PRIMARY KEY (customer_id, month)
);

DO $$
DECLARE
    ch record;
    first_month constant date := date '2025-11-01';
    n_months constant int := 12;
    next_id int := 1;
    n int;
    cur_tier int;
    period_months int;
    active boolean;
    r float8;
    this_month date;
BEGIN
    FOR m IN 0 .. n_months - 1 LOOP
        FOR ch IN SELECT * FROM acquisition_channels ORDER BY channel LOOP
            INSERT INTO marketing_spend
            VALUES (ch.channel, first_month + make_interval(months => m),
                    round(ch.monthly_spend * (0.85 + 0.3 * random())::numeric, 2));
            n := ch.signups_per_month + floor(random() * 7)::int - 3;
            FOR k IN 1 .. n LOOP
                INSERT INTO customers VALUES (next_id, ch.channel, first_month + make_interval(months => m));
                -- Outbound sales land bigger plans; most customers pay monthly.
                r := random();
                cur_tier := CASE WHEN ch.channel = 'outbound_sales' THEN CASE WHEN r < 0.2 THEN 2 ELSE 3 END
                             WHEN r < 0.55 THEN 1 WHEN r < 0.9 THEN 2 ELSE 3 END;
                r := random();
                period_months := CASE WHEN r < 0.6 THEN 1 WHEN r < 0.75 THEN 3 ELSE 12 END;
                active := true;
                FOR mm IN m .. n_months - 1 LOOP
                    this_month := first_month + make_interval(months => mm);
                    r := random();
                    IF mm > m AND active THEN
                        IF (mm - m) % period_months = 0 AND r < ch.monthly_churn * period_months ^ 0.5 THEN
                            active := false;                        -- cancels at renewal
                        ELSIF r > 0.975 AND cur_tier < 3 THEN
                            cur_tier := cur_tier + 1;                       -- upgrade
                        ELSIF r < 0.02 AND cur_tier > 1 THEN
                            cur_tier := cur_tier - 1;                       -- downgrade
                        END IF;
                    ELSIF mm > m AND NOT active AND r < 0.10 THEN
                        active := true;                             -- reactivates, monthly
                        period_months := 1;
                    END IF;
                    IF active THEN
                        INSERT INTO subscription_months
                        SELECT next_id, this_month, p.plan, make_interval(months => period_months),
                               round(p.monthly_price * period_months
                                     * CASE period_months WHEN 12 THEN 0.80 WHEN 3 THEN 0.95 ELSE 1 END, 2)
                        FROM plans p WHERE p.tier = cur_tier;
                    END IF;
                END LOOP;
                next_id := next_id + 1;
            END LOOP;
        END LOOP;
    END LOOP;
END $$;

ANALYZE acquisition_channels, plans, marketing_spend, customers, subscription_months;
