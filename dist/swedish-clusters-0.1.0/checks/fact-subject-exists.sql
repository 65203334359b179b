-- id: fact-subject-exists
-- severity: error
-- message: This fact is about a row that does not exist in the table its subject_type names.
-- hint: Use the id of an existing row of that table (clusters, initiatives or regions), or correct subject_type.
-- tables: facts, clusters, initiatives, regions
--
-- facts.subject_id points into the table named by subject_type, so no foreignKey can declare it.
-- An unknown subject_type is the enum constraint's finding (layer 1), not this one's.
SELECT 'facts' AS resource, f.__line AS line, 'subject_id' AS "column",
       f.subject_id AS value,
       'No ' || f.subject_type || ' has the id ' || f.subject_id || '.' AS message
FROM facts AS f
WHERE f.subject_id IS NOT NULL
  AND (   (f.subject_type = 'cluster' AND f.subject_id NOT IN (SELECT id FROM clusters WHERE id IS NOT NULL))
       OR (f.subject_type = 'initiative' AND f.subject_id NOT IN (SELECT id FROM initiatives WHERE id IS NOT NULL))
       OR (f.subject_type = 'region' AND f.subject_id NOT IN (SELECT id FROM regions WHERE id IS NOT NULL)))
