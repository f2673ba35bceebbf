-- name: map_profile
-- params: $markers (VARCHAR[]) the values that look like a missing-value marker (method.md section 11)
-- reads: map_src (one source file's rows, every column VARCHAR)
-- returns: one row per source column, for `pbr map` (docs/extracts.md) to draft a mapping:
--   col; n (values present); distinct_n; top (the 30 most frequent values with their counts,
--   ties in byte order); markers (marker values seen, with counts); formats (for each candidate
--   date format, in order of preference: the values it reads, and those it reads at midnight);
--   numeric (values that read as a decimal number).
CREATE OR REPLACE TEMP TABLE map_values AS
SELECT col, v, count(*) AS cnt
FROM (UNPIVOT map_src ON COLUMNS(*) INTO NAME col VALUE v)
GROUP BY ALL;

-- strptime needs its format as a constant: one macro call per candidate format
CREATE OR REPLACE TEMP MACRO map_reads(v, cnt, f) AS
  {'f': f, 'n': coalesce(sum(cnt) FILTER (WHERE try_strptime(v, f) IS NOT NULL), 0)::BIGINT,
   'midnight': coalesce(sum(cnt) FILTER (WHERE CAST(try_strptime(v, f) AS TIME) = TIME '00:00:00'), 0)::BIGINT};

SELECT col,
       sum(cnt)::BIGINT AS n,
       count(*)::BIGINT AS distinct_n,
       list({'v': v, 'n': cnt::BIGINT} ORDER BY cnt DESC, v)[1:30] AS top,
       coalesce(list({'v': v, 'n': cnt::BIGINT} ORDER BY v) FILTER (WHERE list_contains($markers, v)), []) AS markers,
       [map_reads(v, cnt, '%Y-%m-%d'), map_reads(v, cnt, '%d/%m/%Y'), map_reads(v, cnt, '%m/%d/%Y'),
        map_reads(v, cnt, '%Y-%m-%d %H:%M:%S'), map_reads(v, cnt, '%d/%m/%Y %H:%M:%S'), map_reads(v, cnt, '%d/%m/%Y %H:%M'),
        map_reads(v, cnt, '%Y-%m-%dT%H:%M:%S'), map_reads(v, cnt, '%Y/%m/%d'), map_reads(v, cnt, '%d-%m-%Y'),
        map_reads(v, cnt, '%d.%m.%Y'), map_reads(v, cnt, '%d-%b-%Y'), map_reads(v, cnt, '%d %b %Y'),
        map_reads(v, cnt, '%Y%m%d')] AS formats,
       coalesce(sum(cnt) FILTER (WHERE regexp_full_match(v, '-?[0-9]+(\.[0-9]+)?')), 0)::BIGINT AS numeric
FROM map_values
GROUP BY col
ORDER BY col;
