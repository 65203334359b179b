-- id: stated-count-exceeded
-- severity: warning
-- message: More rows are linked than the stated figure says there are.
-- hint: Check the figure and the linked rows: a figure holds at its own date (as_of), so a later source may add members; if both are as the sources state, leave it (this is a warning).
-- tables: facts, cluster_initiatives, organisation_initiatives, region_initiatives, clusters, regions
--
-- A stated figure (facts) that counts things the dataset also links can be compared with the
-- links: "superklustra: four clusters" with five clusters linked is a contradiction, or a figure
-- that went out of date. Only exact and approximate figures are compared ("at least 4" never
-- contradicts more links); fewer links than stated is normal (sources rarely list every member).
-- A warning: figures and links may come from sources of different dates.
--   initiative · clusters / cluster_organisations → clusters linked to it
--   initiative · participants                     → clusters and organisations linked to it
--   initiative · other_partner_regions            → partner regions linked, less one (its own)
--   region · clusters / cluster_organisations / cluster_initiatives → clusters located in the
--            region or a region below it (clusters.region_id)
WITH RECURSIVE ancestors(region_id, ancestor_id, depth) AS (
    SELECT id, id, 0 FROM regions WHERE id IS NOT NULL
    UNION
    SELECT a.region_id, r.parent_id, a.depth + 1
    FROM ancestors AS a JOIN regions AS r ON r.id = a.ancestor_id
    WHERE r.parent_id IS NOT NULL AND a.depth < 20
),
counted AS (
    SELECT f.*,
           CASE
             WHEN f.subject_type = 'initiative' AND f.metric IN ('clusters', 'cluster_organisations')
               THEN (SELECT count(DISTINCT l.cluster_id) FROM cluster_initiatives AS l
                     WHERE l.initiative_id = f.subject_id)
             WHEN f.subject_type = 'initiative' AND f.metric = 'participants'
               THEN (SELECT count(DISTINCT l.cluster_id) FROM cluster_initiatives AS l
                     WHERE l.initiative_id = f.subject_id)
                  + (SELECT count(DISTINCT l.organisation_id) FROM organisation_initiatives AS l
                     WHERE l.initiative_id = f.subject_id)
             WHEN f.subject_type = 'initiative' AND f.metric = 'other_partner_regions'
               THEN greatest((SELECT count(DISTINCT l.region_id) FROM region_initiatives AS l
                              WHERE l.initiative_id = f.subject_id AND l.role = 'partner') - 1, 0)
             WHEN f.subject_type = 'region'
                  AND f.metric IN ('clusters', 'cluster_organisations', 'cluster_initiatives')
               THEN (SELECT count(DISTINCT c.id) FROM clusters AS c
                     JOIN ancestors AS a ON a.region_id = c.region_id
                     WHERE a.ancestor_id = f.subject_id)
           END AS linked
    FROM facts AS f
    WHERE f.qualifier IN ('exact', 'approx') AND f.value IS NOT NULL
)
SELECT 'facts' AS resource, __line AS line, 'value' AS "column", shown AS value,
       subject_type || ' ' || subject_id || ': the source states ' || metric || ' = ' || shown
         || ' (' || qualifier || '), but ' || CAST(linked AS VARCHAR)
         || ' are linked in the dataset.' AS message
FROM (SELECT *, CASE WHEN value = floor(value) THEN CAST(CAST(value AS BIGINT) AS VARCHAR)
                     ELSE CAST(value AS VARCHAR) END AS shown
      FROM counted)
WHERE linked IS NOT NULL AND linked > value
