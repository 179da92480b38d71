-- Serving now writes float columns packed (float32 bytes in base64): pglz saves only ~25% of them and was
-- PostgreSQL's biggest cost per logged row (docs/benchmarks.md, serving), so `data` is stored as it is.
-- Batches already stored keep their compression; new ones are written uncompressed.
ALTER TABLE "prediction_log_batches" ALTER COLUMN "data" SET STORAGE EXTERNAL;
