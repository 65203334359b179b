-- id: cluster-region-hierarchy
-- severity: error
-- message: The regions this cluster is located in contradict the region hierarchy.
-- hint: A cluster located in a county and in a municipality needs that municipality to lie in that county: correct clusters.region_id or the cluster_regions row (use role scope for regions it serves but is not located in).
-- tables: clusters, cluster_regions, regions
--
-- A cluster's locations are clusters.region_id and its cluster_regions rows with role
-- 'location'. Two locations at different levels must lie on one branch of the region tree: a
-- cluster in Värmlands län cannot also be located in Gävle kommun. Two locations at the same
-- level (two municipalities) are a cluster with two sites and are allowed. Regions a cluster
-- serves (role 'scope') may lie anywhere.
WITH RECURSIVE ancestors(region_id, ancestor_id, depth) AS (
    SELECT id, id, 0 FROM regions WHERE id IS NOT NULL
    UNION
    SELECT a.region_id, r.parent_id, a.depth + 1
    FROM ancestors AS a JOIN regions AS r ON r.id = a.ancestor_id
    WHERE r.parent_id IS NOT NULL AND a.depth < 20
),
rank(level, n) AS (
    VALUES ('country', 0), ('foreign_country', 0), ('nuts1', 1), ('foreign_region', 1),
           ('nuts2', 2), ('county', 3), ('municipality', 4)
),
locations AS (
    SELECT c.id AS cluster_id, c.region_id, 'clusters' AS resource, c.__line AS line,
           'region_id' AS "column"
    FROM clusters AS c WHERE c.id IS NOT NULL AND c.region_id IS NOT NULL
    UNION ALL
    SELECT l.cluster_id, l.region_id, 'cluster_regions', l.__line, 'region_id'
    FROM cluster_regions AS l
    WHERE l.role = 'location' AND l.cluster_id IS NOT NULL AND l.region_id IS NOT NULL
),
ranked AS (
    SELECT l.*, k.n
    FROM locations AS l JOIN regions AS r ON r.id = l.region_id JOIN rank AS k ON k.level = r.level
)
SELECT fine.resource, fine.line, fine."column", fine.region_id AS value,
       'Cluster ' || fine.cluster_id || ' is located in ' || fine.region_id
         || ', which does not lie in ' || coarse.region_id
         || ', where it is also located (' || coarse.resource || ', line '
         || coarse.line || ').' AS message
FROM ranked AS fine
JOIN ranked AS coarse ON coarse.cluster_id = fine.cluster_id AND coarse.n < fine.n
WHERE NOT EXISTS (SELECT 1 FROM ancestors AS a
                  WHERE a.region_id = fine.region_id AND a.ancestor_id = coarse.region_id)
QUALIFY row_number() OVER (PARTITION BY fine.resource, fine.line
                           ORDER BY coarse.n DESC, coarse.line) = 1
