-- id: funding-programme-kind
-- severity: error
-- message: funding_programme_id must name an initiative of kind funding_programme.
-- hint: Point funding_programme_id at the programme that funds this initiative (kind funding_programme), or correct that programme's kind.
-- tables: initiatives
--
-- The foreign key only proves the id exists; which kind of row it names is a cross-row rule.
SELECT 'initiatives' AS resource, i.__line AS line, 'funding_programme_id' AS "column",
       i.funding_programme_id AS value,
       i.funding_programme_id || ' is a ' || p.kind || ', not a funding_programme.' AS message
FROM initiatives AS i
JOIN initiatives AS p ON p.id = i.funding_programme_id
WHERE p.kind IS DISTINCT FROM 'funding_programme'
