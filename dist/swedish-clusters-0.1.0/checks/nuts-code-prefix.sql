-- id: nuts-code-prefix
-- severity: error
-- message: A region's NUTS code must extend its parent region's NUTS code.
-- hint: Check the NUTS 2021 code (Eurostat) of this region and of its parent_id; SE311 lies in SE31, which lies in SE3.
-- tables: regions
--
-- NUTS codes nest by prefix (SE → SE3 → SE31 → SE311); county-code order does not follow them
-- (Örebro 18 is SE124), so only the prefix is checked, never arithmetic.
SELECT 'regions' AS resource, r.__line AS line, 'nuts_code' AS "column",
       r.nuts_code AS value,
       'NUTS code ' || r.nuts_code || ' does not start with ' || p.nuts_code
         || ', the NUTS code of its parent ' || p.id || '.' AS message
FROM regions AS r
JOIN regions AS p ON p.id = r.parent_id
WHERE r.nuts_code IS NOT NULL AND p.nuts_code IS NOT NULL
  AND NOT starts_with(r.nuts_code, p.nuts_code)
