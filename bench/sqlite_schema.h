// The SQLite side of the benchmarks: table, index, insert and load pragmas,
// shared by kpidb_bench (rows from memory) and kpidb-bench-sqlite-load
// (rows from the CSV files), so both build the same file
// (bench/README.md, "SQLite").
#ifndef KPIDB_BENCH_SQLITE_SCHEMA_H_
#define KPIDB_BENCH_SQLITE_SCHEMA_H_

namespace kpidb_bench {

// Value stored as TEXT (the exact decimal as reported); periods as their
// canonical label plus start and end day numbers.
inline constexpr const char* kSqliteSchema = R"sql(
CREATE TABLE facts (
  company TEXT NOT NULL,
  metric TEXT NOT NULL,
  period TEXT NOT NULL,
  period_start INTEGER NOT NULL,
  period_end INTEGER NOT NULL,
  value TEXT NOT NULL,
  unit TEXT NOT NULL,
  scenario TEXT NOT NULL,
  PRIMARY KEY (company, metric, scenario, period)
) WITHOUT ROWID;
)sql";

// Built after the load, in a statement of its own.
inline constexpr const char* kSqliteIndexSql =
    "CREATE INDEX facts_by_metric_period ON facts (metric, period, company)";

inline constexpr const char* kSqliteInsertSql =
    "INSERT INTO facts (company, metric, period, period_start, period_end, value, unit,"
    " scenario) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

// Before the schema: WAL, full durability, a 64 MiB page cache (like
// kpidb's block cache).
inline constexpr const char* kSqliteLoadPragmas[] = {
    "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536"};

}  // namespace kpidb_bench

#endif  // KPIDB_BENCH_SQLITE_SCHEMA_H_
