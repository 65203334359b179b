-- id: municipality-county-code
-- severity: error
-- message: The first two digits of a municipality code must be its county's code.
-- hint: Check the municipality code against SCB's list of municipalities, and the municipality's parent_id.
-- tables: regions
--
-- Swedish municipality codes start with the county code (Gävle 2180 lies in Gävleborgs län, 21):
-- a cheap check that the code and the parent agree.
SELECT 'regions' AS resource, m.__line AS line, 'municipality_code' AS "column",
       m.municipality_code AS value,
       'Municipality code ' || m.municipality_code || ' starts with '
         || left(m.municipality_code, 2) || ', but its county ' || c.id || ' has code '
         || c.county_code || '.' AS message
FROM regions AS m
JOIN regions AS c ON c.id = m.parent_id
WHERE m.level = 'municipality' AND c.level = 'county'
  AND m.municipality_code IS NOT NULL AND c.county_code IS NOT NULL
  AND left(m.municipality_code, 2) <> c.county_code
