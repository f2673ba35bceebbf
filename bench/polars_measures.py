#!/usr/bin/env python3
"""The benchmark's peer: what an analyst would write instead of using pbr, in Polars (lazy).

The core of the method's sections 2-5 (who is in a cohort, which offences count, the counts per
area and period and the pooled baseline), with no validation, no per-person output and no
payments. `npm run bench` runs it on the same CSV files as `pbr run`, checks that its counts agree
with measures.csv, and reports how long each took. Never part of `npm test`.

usage: polars_measures.py DATA_DIR CONTRACT OUT_CSV
Quarterly periods only. Writes area, period, n, r, k, sum_ogrs for cohort and baseline quarters,
plus pooled baseline rows (period 'BASELINE'). No validation, no per-person output, no payments:
the part of the work any peer must do. Used to compare speed side by side with `pbr run`.
"""
import json, sys
import polars as pl

data, contract, out = sys.argv[1:4]
c = json.load(open(contract))
pop, fu, pv = c["population"], c["follow_up"], c["proven"]
as_of = pl.lit(fu["as_of"]).str.to_date()
m, w = fu["months"], fu["waiting_months"]

def rd(name, schema):
    return pl.scan_csv(f"{data}/{name}.csv", schema_overrides=schema)

cohort = rd("cohort", {"person_id": pl.Utf8, "date_of_birth": pl.Date, "sex": pl.Utf8, "pnc_matched": pl.Boolean})
starts = rd("starts", {"start_id": pl.Utf8, "person_id": pl.Utf8, "start_date": pl.Date, "start_type": pl.Utf8,
                       "sentence_length_days": pl.Int64, "cpa": pl.Utf8, "allocation": pl.Utf8, "em_only": pl.Boolean,
                       "ogrs": pl.Float64})
recs = rd("reconvictions", {"offence_id": pl.Utf8, "person_id": pl.Utf8, "offence_date": pl.Date, "disposal_date": pl.Date,
                            "disposal_type": pl.Utf8, "court_event_id": pl.Utf8, "breach": pl.Boolean})

def in_range(col, a, b):
    return (pl.col(col) >= pl.lit(a).str.to_date()) & (pl.col(col) <= pl.lit(b).str.to_date())

s = (starts.join(cohort, on="person_id")
     .filter(in_range("start_date", c["cohort"]["from"], c["cohort"]["to"]) | in_range("start_date", c["baseline"]["from"], c["baseline"]["to"]))
     .with_columns(period=pl.col("start_date").dt.year().cast(pl.Utf8) + "Q" + pl.col("start_date").dt.quarter().cast(pl.Utf8),
                   age=pl.col("start_date").dt.year() - pl.col("date_of_birth").dt.year()
                   - ((pl.col("start_date").dt.month().cast(pl.Int32) * 100 + pl.col("start_date").dt.day())
                      < (pl.col("date_of_birth").dt.month().cast(pl.Int32) * 100 + pl.col("date_of_birth").dt.day())).cast(pl.Int32))
     .filter((pl.col("allocation") == pop["allocation"]) & pl.col("start_type").is_in(pop["start_types"])
             & ~(pl.col("em_only") & pop["exclude_em_only"]) & (pl.col("age") >= pop["min_age"])
             & ((pl.col("start_type") != "CUSTODY_RELEASE") | (pl.col("sentence_length_days") >= pop["min_custody_days"])))
     .sort(["person_id", "period", "start_date", "start_id"])
     .unique(subset=["person_id", "period"], keep="first", maintain_order=True)
     .filter(pl.col("pnc_matched"))
     .select("person_id", "period", "cpa", "ogrs", i="start_date")
     .with_columns(we=pl.col("i").dt.offset_by(f"{m}mo"), wa=pl.col("i").dt.offset_by(f"{m + w}mo")))

counted = (s.join(recs.filter(pl.col("disposal_type").is_in(pv["disposals"]) & ~(pl.col("breach") & pv["exclude_breaches"])),
                  on="person_id")
           .filter((pl.col("offence_date") > pl.col("i")) & (pl.col("offence_date") <= pl.col("we"))
                   & (pl.col("disposal_date") <= pl.col("wa")) & (pl.col("disposal_date") <= as_of))
           .group_by(["person_id", "period"]).agg(k=pl.len()))

per = (s.join(counted, on=["person_id", "period"], how="left")
       .group_by(["cpa", "period"])
       .agg(n=pl.len(), r=(pl.col("k").fill_null(0) > 0).sum(), k=pl.col("k").fill_null(0).sum(), sum_ogrs=pl.col("ogrs").sum()))
res = per.collect()
base = (res.filter(pl.col("period").str.starts_with(c["baseline"]["from"][:4]))
        .group_by("cpa").agg(pl.col("n", "r", "k", "sum_ogrs").sum()).with_columns(period=pl.lit("BASELINE")))
pl.concat([res, base.select(res.columns)]).sort(["cpa", "period"]).write_csv(out)
