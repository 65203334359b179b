-- id: region-hierarchy
-- severity: error
-- message: This region's parent is not the level above it.
-- hint: Set parent_id to the region one level up: a municipality's county, a county's NUTS 2 region, a NUTS 2 region's NUTS 1 region, a NUTS 1 region's country.
-- tables: regions
--
-- Sweden's regions form one tree: country → NUTS 1 → NUTS 2 (riksområde) → county (län) →
-- municipality. Abroad, a region's parent is its country (or a larger foreign region).
WITH allowed(level, parent_level) AS (
    VALUES ('municipality', 'county'), ('county', 'nuts2'), ('nuts2', 'nuts1'),
           ('nuts1', 'country'), ('foreign_region', 'foreign_country'),
           ('foreign_region', 'foreign_region')
)
SELECT 'regions' AS resource, r.__line AS line, 'parent_id' AS "column",
       r.parent_id AS value,
       CASE
         WHEN r.parent_id IS NULL
           THEN 'This ' || r.level || ' has no parent region.'
         WHEN r.level IN ('country', 'foreign_country')
           THEN 'A ' || r.level || ' has no parent region, but this one has ' || r.parent_id || '.'
         WHEN p.country_code IS DISTINCT FROM r.country_code
           THEN 'This region is in country ' || r.country_code || ' but its parent '
                || r.parent_id || ' is in ' || coalesce(p.country_code, '?') || '.'
         ELSE 'This ' || r.level || '''s parent ' || r.parent_id || ' is a ' || p.level
              || ', not a ' || (SELECT string_agg(a.parent_level, ' or ' ORDER BY a.parent_level)
                                FROM allowed AS a WHERE a.level = r.level) || '.'
       END AS message
FROM regions AS r
LEFT JOIN regions AS p ON p.id = r.parent_id
WHERE r.level IS NOT NULL
  AND (
        (r.level IN ('country', 'foreign_country') AND r.parent_id IS NOT NULL)
     OR (r.level NOT IN ('country', 'foreign_country') AND r.parent_id IS NULL)
     OR (p.id IS NOT NULL AND p.country_code IS DISTINCT FROM r.country_code)
     OR (p.id IS NOT NULL AND r.level NOT IN ('country', 'foreign_country')
         AND NOT EXISTS (SELECT 1 FROM allowed AS a
                         WHERE a.level = r.level AND a.parent_level = p.level))
  )
