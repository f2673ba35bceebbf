-- name: synth_chain_init
-- params: (none)
-- returns: empty table synth_chain, filled generation by generation by synth_chain_step.
CREATE OR REPLACE TABLE synth_chain (
  pid BIGINT, k INTEGER, start_date DATE, start_type VARCHAR, sentence_length_days INTEGER,
  allocation VARCHAR, em_only BOOLEAN, ogrs DECIMAL(5,4), t1 INTEGER, lag1 INTEGER,
  chained BOOLEAN, next_trigger DATE
);
