-- id: organisation-identifier-has-source
-- severity: error
-- message: An organisation's website or organisation number must name the source that states it.
-- hint: Fill website_source_id or organisation_number_source_id with the sources.id of the page that gives the value (it may equal source_id), or empty the value.
-- tables: organisations
--
-- An organisation row cites one source (source_id) for why it is in the dataset, but its website
-- and organisation number usually come from other pages (its own site, a register, an
-- encyclopedia): each value is checkable only when its source is named.
SELECT 'organisations' AS resource, o.__line AS line, 'website_source_id' AS "column",
       o.website AS value,
       'Organisation ' || o.id || ' has the website ' || o.website
         || ' but no website_source_id saying which source states it.' AS message
FROM organisations AS o
WHERE o.website IS NOT NULL AND o.website_source_id IS NULL
UNION ALL
SELECT 'organisations' AS resource, o.__line AS line, 'organisation_number_source_id' AS "column",
       o.organisation_number AS value,
       'Organisation ' || o.id || ' has the organisation number ' || o.organisation_number
         || ' but no organisation_number_source_id saying which source states it.' AS message
FROM organisations AS o
WHERE o.organisation_number IS NOT NULL AND o.organisation_number_source_id IS NULL
