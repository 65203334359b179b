-- id: region-coordinates
-- severity: error
-- message: Seat coordinates are a municipality's latitude and longitude together, with the source that states them.
-- hint: Give both latitude and longitude (WGS84 decimal degrees of the municipality's seat) and fill coordinates_source_id with the sources.id of the page that states them, or empty all three; coordinates belong on municipality rows only.
-- tables: regions
--
-- A latitude without its longitude is no place, coordinates nobody can trace to a page cannot be
-- checked, and a county or a country has no single seat whose point the columns could mean.
SELECT 'regions' AS resource, r.__line AS line,
       CASE WHEN r.latitude IS NULL THEN 'latitude' ELSE 'longitude' END AS "column",
       NULL AS value,
       'Region ' || r.id || ' has a '
         || CASE WHEN r.latitude IS NULL THEN 'longitude but no latitude'
                 ELSE 'latitude but no longitude' END
         || ': a seat needs both.' AS message
FROM regions AS r
WHERE (r.latitude IS NULL) <> (r.longitude IS NULL)
UNION ALL
SELECT 'regions', r.__line, 'coordinates_source_id', NULL,
       'Region ' || r.id || ' has coordinates but no coordinates_source_id saying which source '
         || 'states them.'
FROM regions AS r
WHERE (r.latitude IS NOT NULL OR r.longitude IS NOT NULL) AND r.coordinates_source_id IS NULL
UNION ALL
SELECT 'regions', r.__line, 'coordinates_source_id', r.coordinates_source_id,
       'Region ' || r.id || ' names ' || r.coordinates_source_id
         || ' as the source of its coordinates but has none.'
FROM regions AS r
WHERE r.latitude IS NULL AND r.longitude IS NULL AND r.coordinates_source_id IS NOT NULL
UNION ALL
SELECT 'regions', r.__line, 'level', r.level,
       'Region ' || r.id || ' is a ' || r.level || ', but coordinates are only for a '
         || 'municipality (the point of its seat).'
FROM regions AS r
WHERE (r.latitude IS NOT NULL OR r.longitude IS NOT NULL) AND r.level <> 'municipality'
