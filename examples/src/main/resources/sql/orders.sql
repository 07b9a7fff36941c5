-- The SQL-only example: run by io.isledb.examples.SqlRunner one statement after another, as
-- Flink's SQL client would run it (batch mode). ${warehouse} is the runner's warehouse URI.
CREATE TABLE orders (
  id BIGINT, customer STRING, amount DECIMAL(10, 2),
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'isle', 'path' = '${warehouse}/orders');

INSERT INTO orders VALUES (1, 'ada', 12.50), (2, 'bob', 7.25), (3, 'ada', 3.10), (4, 'cy', 99.99);

-- An upsert: order 2 is replaced, order 4 is new again (same values).
INSERT INTO orders VALUES (2, 'bob', 8.00), (4, 'cy', 99.99);

SELECT customer, COUNT(*) AS orders, SUM(amount) AS total FROM orders GROUP BY customer;

-- A key range: the source reads only the blocks of ids 2..3.
SELECT id, customer, amount FROM orders WHERE id BETWEEN 2 AND 3;
