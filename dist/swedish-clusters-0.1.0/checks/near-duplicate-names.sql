-- id: near-duplicate-names
-- severity: warning
-- message: This name is nearly the same as another row's: they may be one organisation entered twice.
-- hint: If both rows are the same organisation, keep one row and move the other name to its *_names table (with its source); if they are different, ignore this warning.
-- tables: clusters, cluster_names, organisations, initiatives, initiative_names
--
-- Names are compared within one table, each row with its other names (cluster_names,
-- initiative_names): names of the same row never warn, so a deliberate other name stays quiet.
-- Folding: lower case, accents stripped, punctuation to spaces, a leading "the" dropped, "&" read
-- as "och". Near: equal after folding, edit distance at most 15 % of the longer name, or
-- Jaro-Winkler ≥ 0.95. Jaro-Winkler alone rewards shared prefixes, which Swedish names share
-- ("Regionförbundet i Dalarna" / "… i Gävleborg" scores 0.92), hence the stricter pair.
-- Regions are left out: their names come from official classifications, and "Stockholm" is
-- rightly both a NUTS 2 region and a municipality. Pairs are compared all against all, which is
-- fine for hundreds of rows per table, not for millions.
WITH names AS (
    SELECT 'clusters' AS kind, id AS owner, name, 'clusters' AS resource, __line AS line
    FROM clusters
    UNION ALL
    SELECT 'clusters', cluster_id, name, 'cluster_names', __line FROM cluster_names
    UNION ALL
    SELECT 'organisations', id, name, 'organisations', __line FROM organisations
    UNION ALL
    SELECT 'initiatives', id, name, 'initiatives', __line FROM initiatives
    UNION ALL
    SELECT 'initiatives', initiative_id, name, 'initiative_names', __line FROM initiative_names
),
folded AS (
    SELECT *, trim(regexp_replace(regexp_replace(
                  replace(strip_accents(lower(name)), '&', ' och '),
                  '[^a-z0-9]+', ' ', 'g'), '^the ', '')) AS k
    FROM names
    WHERE owner IS NOT NULL AND name IS NOT NULL
),
pairs AS (
    SELECT a.kind, a.owner AS first_owner, a.name AS first_name, b.owner, b.name,
           b.resource, b.line,
           jaro_winkler_similarity(a.k, b.k) AS jw,
           1.0 - levenshtein(a.k, b.k) / greatest(length(a.k), length(b.k), 1) AS ratio
    FROM folded AS a
    JOIN folded AS b ON a.kind = b.kind AND a.owner < b.owner
)
SELECT resource, line, 'name' AS "column",
       first_owner || ' / ' || owner AS value,
       '''' || name || ''' (' || owner || ') is nearly the same as ''' || first_name || ''' ('
         || first_owner || '): they may be one organisation entered twice.' AS message
FROM pairs
WHERE ratio >= 0.85 OR jw >= 0.95
QUALIFY row_number() OVER (PARTITION BY kind, first_owner, owner
                           ORDER BY ratio DESC, jw DESC, line) = 1
