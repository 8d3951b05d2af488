// Small, deterministic databases for tests: the same SQL always gives the same rows (no
// random(), no extensions), with the object kinds a dump must carry: identity columns, a
// foreign key, jsonb, numeric, bytea, a partitioned table, a sequence, a view, a function, a
// second schema and identifiers that need quoting. Feed it to cluster.createDatabase(name, sql).

/** A shop database with `customers` customers, ten orders each and as many events as orders. */
export function shopSql(customers = 200): string {
  const n = Math.max(1, Math.floor(customers));
  return `
\\set ON_ERROR_STOP on
CREATE TABLE customers (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text        NOT NULL,
  email      text        NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  profile    jsonb       NOT NULL
);
CREATE TABLE orders (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint        NOT NULL REFERENCES customers(id),
  amount      numeric(12,2) NOT NULL,
  status      text          NOT NULL CHECK (status IN ('new','paid','shipped','cancelled')),
  notes       text
);
CREATE INDEX orders_customer_idx ON orders(customer_id);
CREATE TABLE events (
  id          bigint      NOT NULL,
  happened_at timestamptz NOT NULL,
  payload     bytea       NOT NULL,
  PRIMARY KEY (id, happened_at)
) PARTITION BY RANGE (happened_at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE SEQUENCE event_ids;
CREATE SCHEMA "Sales Ops";
CREATE TABLE "Sales Ops"."Quota Targets" ("Region" text PRIMARY KEY, "Target" integer NOT NULL);

INSERT INTO customers (name, email, created_at, profile)
SELECT 'customer ' || md5(g::text), 'c' || g || '@example.org',
       timestamptz '2025-01-01 00:00:00+00' + g * interval '37 minutes',
       jsonb_build_object('tier', (ARRAY['free','pro','team'])[1 + g % 3], 'score', (g::bigint * 7919) % 1000 / 10.0)
FROM generate_series(1, ${n}) AS g;
INSERT INTO orders (customer_id, amount, status, notes)
SELECT 1 + g % ${n}, ((g::bigint * 104729) % 50000) / 100.0, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
       CASE WHEN g % 5 = 0 THEN repeat(md5(g::text), 3) END
FROM generate_series(1, ${n * 10}) AS g;
INSERT INTO events (id, happened_at, payload)
SELECT nextval('event_ids'), timestamptz '2025-01-01 00:00:00+00' + (g % 700) * interval '1 day' + g * interval '1 second',
       decode(md5(g::text) || md5((g + 1)::text), 'hex')
FROM generate_series(1, ${n * 10}) AS g;
INSERT INTO "Sales Ops"."Quota Targets" VALUES ('north', 10), ('south', 20), ('O''Brien''s', 30);

CREATE VIEW customer_totals AS
  SELECT c.id, c.email, count(o.id) AS orders, coalesce(sum(o.amount), 0) AS total
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.email;
CREATE FUNCTION order_count(cid bigint) RETURNS bigint LANGUAGE sql STABLE
  AS $$ SELECT count(*) FROM orders WHERE customer_id = cid $$;
`;
}
