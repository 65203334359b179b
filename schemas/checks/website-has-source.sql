-- id: website-has-source
-- severity: error
-- message: A cluster's website must name the source that states it.
-- hint: Fill website_source_id with the sources.id of the page that gives this address (it may equal source_id), or empty website.
-- tables: clusters
--
-- A row cites one source (source_id) for its facts, but the website often comes from another
-- page (a programme's member list, the cluster's own site): the address is checkable only when
-- its source is named.
SELECT 'clusters' AS resource, c.__line AS line, 'website_source_id' AS "column",
       c.website AS value,
       'Cluster ' || c.id || ' has the website ' || c.website
         || ' but no website_source_id saying which source states it.' AS message
FROM clusters AS c
WHERE c.website IS NOT NULL AND c.website_source_id IS NULL
