-- id: initiative-has-participant
-- severity: warning
-- message: No cluster, region or organisation is linked to this initiative.
-- hint: Add the participants the source names to cluster_initiatives, region_initiatives or organisation_initiatives; if the source names none, leave it (this is a warning).
-- tables: initiatives, cluster_initiatives, region_initiatives, organisation_initiatives
--
-- A warning, not an error: a source may name a policy or funding programme (Horizon 2020,
-- cohesion policy) without naming anyone taking part, and the dataset never invents a link.
-- An initiative with nothing linked is still the usual sign of a forgotten link row, so a person
-- should look. An umbrella initiative is linked through the initiatives that are part of it or
-- funded by it.
SELECT 'initiatives' AS resource, i.__line AS line, 'id' AS "column", i.id AS value
FROM initiatives AS i
WHERE i.id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM cluster_initiatives AS l WHERE l.initiative_id = i.id)
  AND NOT EXISTS (SELECT 1 FROM region_initiatives AS l WHERE l.initiative_id = i.id)
  AND NOT EXISTS (SELECT 1 FROM organisation_initiatives AS l WHERE l.initiative_id = i.id)
  AND NOT EXISTS (SELECT 1 FROM initiatives AS c
                  WHERE c.part_of_id = i.id OR c.funding_programme_id = i.id)
