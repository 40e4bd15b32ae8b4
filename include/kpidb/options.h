// File: kpidb/options.h
// -----------------------------------------------------------------------------
//
// Options for opening a database and for writing to it. Every field has its
// default in the declaration.
//
// Thread-safety: plain structs.
#ifndef KPIDB_INCLUDE_KPIDB_OPTIONS_H_
#define KPIDB_INCLUDE_KPIDB_OPTIONS_H_

#include <cstddef>

namespace kpidb {

struct Options {
  // --- Affect behavior -------------------------------------------------------

  // Create the database if the directory holds none. Ignored when read_only.
  bool create_if_missing = true;

  // Fail with AlreadyExists if a database is already there.
  bool error_if_exists = false;

  // Open without taking the writer lock: Write() fails with
  // FailedPrecondition (a dry run is allowed), and nothing on disk is
  // created or changed. Several
  // read-only handles (in any processes) may coexist with one writer, but
  // they see the data as of their Open().
  bool read_only = false;

  // --- Affect performance ----------------------------------------------------

  // Bytes of RocksDB block cache for encoded chunks.
  size_t block_cache_bytes = 64 << 20;

  // Bytes of kpidb's cache of series chunks read by one-series queries
  // (doc/impl.md, "chunk cache"): a repeated lookup skips RocksDB's read.
  // Every write clears it. 0 turns it off. (Named for RocksDB's row cache,
  // whose part it plays; RocksDB's own misreads ingested files.)
  size_t row_cache_bytes = 32 << 20;
};

struct WriteOptions {
  // Allow a fact with the same key and as_of as a stored one to change its
  // value, unit or source. Otherwise such a change is an error (AlreadyExists)
  // and nothing in the batch is written.
  bool replace = false;

  // Validate the batch against the database and compute the summary, but
  // write nothing. Allowed on a read-only handle.
  bool dry_run = false;

  // Unused: every write is synced before Write() returns (its table files
  // and the MANIFEST record that commits them; doc/impl.md, "Durability").
  // Kept so code setting it still compiles.
  bool sync = true;
};

}  // namespace kpidb

#endif  // KPIDB_INCLUDE_KPIDB_OPTIONS_H_
