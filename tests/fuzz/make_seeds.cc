// Writes the binary seed corpora of the chunk and catalog fuzz targets:
//
//   kpidb_fuzz_make_seeds DIR
//
// writes DIR/chunk/* and DIR/catalog/* (tests/fuzz/corpus/ holds the
// checked-in output; run it again, and commit the result, when the formats
// or the targets' input layouts change). Each file starts with the mode
// byte its target reads (chunk_fuzzer.cc, catalog_fuzzer.cc); the chunks are
// the worked examples of doc/format.md and chunks EncodeChunk writes for a
// few typical series, so that the fuzzer starts from valid inputs and
// mutates them into near-valid ones.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "kpidb/fact.h"
#include "lib/store/catalog.h"
#include "lib/store/series_chunk.h"
#include "lib/util/checksum.h"
#include "lib/util/days.h"

namespace kpidb::store {
namespace {

int64_t Day(int y, int m, int d) { return DaysFromCivil(y, m, d); }

ChunkRow Row(int64_t start, int64_t end, bool instant, int64_t mantissa,
             int32_t exponent, uint32_t unit, int64_t as_of, uint32_t source) {
  ChunkRow r;
  r.start = start;
  r.end = end;
  r.instant = instant;
  r.mantissa = mantissa;
  r.exponent = exponent;
  r.unit_id = unit;
  r.as_of = as_of;
  r.source_id = source;
  return r;
}

bool Write(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.good()) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 3) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// A chunk seed in mode 0 (whole chunk) and in mode 1 (checksum left to the
// target).
bool WriteChunk(const std::filesystem::path& dir, const std::string& name,
                const std::string& chunk) {
  return Write(dir / (name + ".whole"), std::string(1, '\0') + chunk) &&
         Write(dir / (name + ".payload"),
               std::string(1, '\1') + chunk.substr(0, chunk.size() - 4));
}

bool WriteChunkSeeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  bool ok = true;
  // doc/format.md's worked examples, byte for byte.
  ok &= WriteChunk(dir, "format-md-instant",
                   Hex("01 01 01 03 8c fb 01 01 01 00 01 03 ac d9 02 01 01 00 "
                       "01 01 02 01 01 4e 01 01 04 d0 8c f9 a0 "));
  ok &= WriteChunk(dir, "format-md-quarters",
                   Hex("01 03 01 05 e8 f6 01 00 00 03 02 0c 03 02 04 90 04 20 08 "
                       "03 02 01 03 03 02 02 03 01 05 be 03 86 02 4e 03 02 02 03 "
                       "c0 5e 11 81 "));
  const int64_t filed = Day(2014, 2, 7);
  std::vector<std::vector<ChunkRow>> series = {
      {},
      // Eight quarters in a run, then their year-to-date ranges.
      {Row(Day(2012, 4, 1), Day(2012, 6, 30), false, 241, -1, 1, Day(2012, 8, 9), 1),
       Row(Day(2012, 7, 1), Day(2012, 9, 30), false, 250, -1, 1, Day(2012, 11, 8), 1),
       Row(Day(2012, 10, 1), Day(2012, 12, 31), false, 262, -1, 1, Day(2013, 2, 7), 1),
       Row(Day(2013, 1, 1), Day(2013, 3, 31), false, 290, -1, 1, Day(2013, 5, 10), 1),
       Row(Day(2013, 4, 1), Day(2013, 6, 30), false, 264, -1, 1, Day(2013, 8, 9), 1),
       Row(Day(2013, 7, 1), Day(2013, 9, 30), false, 280, -1, 1, Day(2013, 11, 8), 1),
       Row(Day(2013, 10, 1), Day(2013, 12, 31), false, 284, -1, 1, filed, 2),
       Row(Day(2012, 4, 1), Day(2012, 12, 31), false, 76700, 0, 2, filed, 2),
       Row(Day(2013, 4, 1), Day(2013, 12, 31), false, 82746, 0, 2, filed, 2)},
      // Versions of a target: none, then two revisions, one before the
      // period ends (a negative as_of lag).
      {Row(Day(2013, 4, 1), Day(2014, 3, 31), false, 1170, -1, 1, kNoAsOf, 0),
       Row(Day(2013, 4, 1), Day(2014, 3, 31), false, 1160, -1, 1, Day(2013, 11, 8), 3),
       Row(Day(2013, 4, 1), Day(2014, 3, 31), false, 1140, -1, 1, filed, 3)},
      // Instants, a one-day duration, odd windows, extremes.
      {Row(Day(2013, 3, 31), Day(2013, 3, 31), true, -6399, 0, 2, filed, 4),
       Row(Day(2013, 12, 31), Day(2013, 12, 31), true, -4386, 0, 2, filed, 4),
       Row(Day(2013, 12, 31), Day(2013, 12, 31), false, 5, 0, 3, kNoAsOf, 0),
       Row(Day(2014, 1, 3), Day(2014, 1, 12), false, 999999999999999999, 40, 3, kNoAsOf, 0),
       Row(Day(1965, 1, 1), Day(1965, 12, 31), false, -999999999999999999, -40, 4294967295u,
           Day(1964, 6, 1), 4294967295u),
       Row(-4'000'000, -4'000'000, true, 1, 0, 0, -4'000'000, 0),
       Row(3'999'000, 4'000'000, false, 1, 0, 0, 4'000'000, 0)},
  };
  const char* names[] = {"empty", "quarters", "versions", "mixed"};
  for (size_t i = 0; i < series.size(); ++i) {
    ok &= WriteChunk(dir, names[i], EncodeChunk(&series[i]));
  }
  // Structured mode: pseudo-random bytes the target turns into rows (a seed
  // must pass: these make rows away from the +-4,000,000-day limits).
  for (uint32_t seed : {1u, 2u, 3u}) {
    std::string structured(1, '\2');
    uint32_t x = seed;
    for (int i = 0; i < 96; ++i) {
      x = x * 1103515245 + 12345;
      structured.push_back(static_cast<char>(x >> 24));
    }
    ok &= Write(dir / ("structured-" + std::to_string(seed)), structured);
  }
  return ok;
}

// A value seed in mode `what` with its checksum (`what`) and without
// (`what | 4`, the target appends it).
bool WriteValue(const std::filesystem::path& dir, const std::string& name, int what,
                const std::string& value) {
  return Write(dir / (name + ".whole"), std::string(1, static_cast<char>(what)) + value) &&
         Write(dir / (name + ".payload"), std::string(1, static_cast<char>(what | 4)) +
                                              value.substr(0, value.size() - 4));
}

bool WriteCatalogSeeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  Company iij;
  iij.id = "IIJ";
  iij.name = "Internet Initiative Japan Inc.";
  iij.calendar = {3, FiscalYearNaming::kStart};
  iij.currency = "JPY";
  Company acme;
  acme.id = "ACME";
  acme.name = "";
  acme.calendar = {12, FiscalYearNaming::kEnd};
  bool ok = true;
  ok &= WriteValue(dir, "company-iij", 0, EncodeCompanyValue(iij));
  ok &= WriteValue(dir, "company-no-name", 0, EncodeCompanyValue(acme));
  ok &= WriteValue(dir, "dict-unit", 1, EncodeDictValue("JPY million"));
  ok &= WriteValue(dir, "dict-empty", 1, EncodeDictValue(""));
  ok &= WriteValue(dir, "meta", 2, EncodeMetaValue());
  ok &= WriteValue(dir, "meta-v1", 2, EncodeMetaValue(1));
  // Catalog snapshots: an empty catalog's, and one of two companies (one
  // with a record), a metric, two units and a source.
  ok &= WriteValue(dir, "snapshot-empty", 8, Catalog().EncodeSnapshot());
  Catalog catalog;
  catalog.Append(DictKind::kCompany, {"IIJ", "ACME"});
  catalog.Append(DictKind::kMetric, {"revenue.total"});
  catalog.Append(DictKind::kScenario, {"actual"});
  catalog.Append(DictKind::kUnit, {"JPY million", "%"});
  catalog.Append(DictKind::kSource, {"deck, slide II-13"});
  catalog.SetCompany(1, iij);
  ok &= WriteValue(dir, "snapshot-iij", 8, catalog.EncodeSnapshot());
  ok &= Write(dir / "key-series", "\3" + SeriesKey(2, 1, 1));
  ok &= Write(dir / "key-dict", "\3" + DictKey(DictKind::kSource, 300));
  ok &= Write(dir / "key-company", "\3" + CompanyKey(1));
  ok &= Write(dir / "key-meta", std::string("\3") + kMetaKey);
  return ok;
}

}  // namespace
}  // namespace kpidb::store

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR (writes DIR/chunk and DIR/catalog)\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const bool ok = kpidb::store::WriteChunkSeeds(dir / "chunk") &&
                  kpidb::store::WriteCatalogSeeds(dir / "catalog");
  return ok ? 0 : 1;
}
