#include "kpidb/ingest.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "lib/csv/csv_reader.h"
#include "lib/csv/utf8.h"
#include "lib/ingest/input_file.h"
#include "lib/util/quote.h"
#include "lib/util/resource_errors.h"
#include "lib/util/status_macros.h"
#include "lib/util/str_cat.h"

namespace kpidb {
namespace {

// Tags given to WriteBatch records: input index and line.
constexpr int kLineBits = 40;
uint64_t MakeTag(size_t input, int64_t line) {
  return (static_cast<uint64_t>(input) << kLineBits) | static_cast<uint64_t>(line);
}

enum class FileKind { kFacts, kCompanies };

// An input as the ingester sees it: a name for messages and bytes that
// outlive the ingester (a mapped file or a caller's string).
struct Source {
  std::string name;
  std::string_view data;
  ingest::InputFile* file = nullptr;  // a mapped file's memory to give back
};

// Facts parsed before they go to the bulk write: bounds the batch's memory
// (about 48 bytes a fact plus its strings).
constexpr size_t kFactsPerAdd = size_t{256} << 10;

constexpr std::string_view kFactColumns[] = {
    "company", "metric", "period", "value", "unit", "scenario", "as_of", "source"};
constexpr size_t kFactRequired = 4;  // the first four
constexpr std::string_view kCompanyColumns[] = {
    "company", "name", "fiscal_year_end", "fy_naming", "currency"};

// Positions in kFactColumns and kCompanyColumns, and so in Layout::col.
enum FactColumn { kCompany, kMetric, kPeriod, kValue, kUnit, kScenario, kAsOf, kSource };
enum CompanyColumn { kCompanyId, kCompanyName, kFiscalYearEnd, kFyNaming, kCurrency };

// Column positions of one file: index into the record for each known column,
// or -1 when absent.
struct Layout {
  FileKind kind = FileKind::kFacts;
  int col[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  size_t width = 0;
};

// An input whose header has been read, so its reader is at the first
// record. No layout when the header was unusable (and reported).
struct HeadedInput {
  std::unique_ptr<csv::Reader> reader;
  std::optional<Layout> layout;
};

std::string_view Field(const csv::Record& rec, const Layout& layout, int column) {
  return rec.fields[layout.col[column]];
}

// Empty when the file has no such column.
std::string_view OptionalField(const csv::Record& rec, const Layout& layout, int column) {
  const int c = layout.col[column];
  return c >= 0 ? rec.fields[c] : std::string_view();
}

bool AllValidUtf8(const std::vector<std::string_view>& fields) {
  return std::all_of(fields.begin(), fields.end(),
                     [](std::string_view f) { return csv::IsValidUtf8(f); });
}

// The limits every input is read with (kpidb/ingest.h); input_file.h stops
// reading a stream where these make the reader stop.
csv::ReaderOptions ReaderOptions() {
  csv::ReaderOptions options;
  options.max_record_bytes = kMaxRecordBytes;
  options.reject_nul = true;
  return options;
}

// Columns by name, in any order: a column only companies files have makes
// the file a companies file.
bool IsCompaniesHeader(const csv::Record& header) {
  for (std::string_view f : header.fields) {
    if (f == "name" || f == "fiscal_year_end" || f == "fy_naming" || f == "currency") {
      return true;
    }
  }
  return false;
}

template <typename... Parts>
void AddProblem(std::string* problems, const Parts&... parts) {
  kpidb::StrAppend(problems, problems->empty() ? "" : "; ", parts...);
}

// The positions of the columns of `header`; unknown, duplicate and missing
// required columns are added to `problems`.
Layout MapColumns(const csv::Record& header, std::string* problems) {
  Layout layout;
  layout.width = header.fields.size();
  const bool is_companies = IsCompaniesHeader(header);
  layout.kind = is_companies ? FileKind::kCompanies : FileKind::kFacts;
  std::span<const std::string_view> known =
      is_companies ? std::span<const std::string_view>(kCompanyColumns)
                   : std::span<const std::string_view>(kFactColumns);
  const size_t required = is_companies ? known.size() : kFactRequired;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string_view f = header.fields[i];
    const size_t k = static_cast<size_t>(std::find(known.begin(), known.end(), f) - known.begin());
    if (k == known.size()) {
      AddProblem(problems, "unknown column ", QuoteForMessage(f));
    } else if (layout.col[k] != -1) {
      AddProblem(problems, "duplicate column ", QuoteForMessage(f));
    } else {
      layout.col[k] = static_cast<int>(i);
    }
  }
  for (size_t k = 0; k < required; ++k) {
    if (layout.col[k] == -1) AddProblem(problems, "missing required column '", known[k], "'");
  }
  return layout;
}

// Said after a bad header, so that the fix is in the message.
std::string_view ColumnsHint(FileKind kind) {
  return kind == FileKind::kCompanies
             ? " (a companies file has the columns "
               "company,name,fiscal_year_end,fy_naming,currency)"
             : " (a facts file has the columns company,metric,period,value and "
               "optionally unit,scenario,as_of,source)";
}

[[nodiscard]] absl::StatusOr<int> ParseFiscalYearEnd(std::string_view text) {
  int month = 0;
  if (!absl::SimpleAtoi(ToAbsl(text), &month) || month < 1 || month > 12) {
    return absl::InvalidArgumentError(kpidb::StrCat(
        "bad fiscal_year_end ", QuoteForMessage(text),
        ": expected the month the fiscal year ends, 1-12"));
  }
  return month;
}

// Sizing the batch once matters: a facts file has about one record per line,
// and growing a vector of millions of rows copies and faults in pages again
// and again. Lines are counted in the first MiB of each input and
// extrapolated (counting them all would cost another pass over the data).
size_t EstimateRecords(std::span<const Source> inputs) {
  size_t lines = 0;
  for (const Source& in : inputs) {
    const size_t sample = std::min<size_t>(in.data.size(), 1 << 20);
    const size_t in_sample = static_cast<size_t>(
        std::count(in.data.begin(), in.data.begin() + sample, '\n'));
    lines += sample == 0 ? 0 : in_sample * (in.data.size() / sample) * 11 / 10 + 1;
  }
  return lines;
}

// Whether `in` is all UTF-8, read in slices that end after a line break
// (never inside a character), giving each slice's pages back at once: a
// whole-file pass would make a large input resident.
bool ValidUtf8(const Source& in) {
  constexpr size_t kSlice = size_t{16} << 20;
  std::string_view rest = in.data;
  size_t done = 0;
  bool valid = true;
  while (!rest.empty() && valid) {
    size_t n = std::min(rest.size(), kSlice);
    if (n < rest.size()) {
      const size_t nl = rest.substr(0, n).rfind('\n');
      if (nl != std::string_view::npos) n = nl + 1;
    }
    valid = csv::IsValidUtf8(rest.substr(0, n));
    rest.remove_prefix(n);
    if (in.file != nullptr) in.file->Release(done, done + n);
    done += n;
  }
  return valid;
}

// The status of a call that wrote nothing because of `count` bad records
// (`at_least` when the count stopped at max_errors).
[[nodiscard]] absl::Status NothingWrittenError(absl::StatusCode code, size_t count,
                                               bool at_least) {
  return absl::Status(code, kpidb::StrCat(at_least ? "at least " : "", count, " bad record",
                                          count == 1 ? "" : "s", "; nothing was written"));
}

// One call's work: reads every input into one WriteBatch, collecting an
// error per bad record, and writes the batch only when there is none.
class Ingester {
 public:
  Ingester(DB* db, const IngestOptions& options, IngestReport* report)
      : db_(db), options_(options), report_(report) {}

  [[nodiscard]] absl::Status Run(std::span<const Source> inputs);

 private:
  void Error(size_t input, int64_t line, std::string_view message) {
    ++report_->error_count;
    if (report_->errors.size() < options_.max_errors) {
      report_->errors.push_back(
          kpidb::StrCat(inputs_[input].name, ":", line, ": error: ", message));
    }
  }
  bool TooManyErrors() const { return report_->error_count >= options_.max_errors; }
  std::string TagName(uint64_t tag) const {
    const size_t input = tag >> kLineBits;
    const uint64_t line = tag & ((uint64_t{1} << kLineBits) - 1);
    return kpidb::StrCat(input < inputs_.size() ? inputs_[input].name : "?", ":", line);
  }

  std::vector<HeadedInput> ReadHeaders();
  std::optional<Layout> ReadLayout(size_t input, csv::Reader* reader);
  [[nodiscard]] absl::StatusOr<Layout> ReadHeader(size_t input, const csv::Record& header);
  void LoadRecords(std::span<const HeadedInput> headed);
  void LoadInput(size_t input, csv::Reader* reader, const Layout& layout);
  bool NextRecord(size_t input, csv::Reader* reader, const Layout& layout, size_t* read,
                  csv::Record* rec);
  [[nodiscard]] absl::Status PutCompany(const csv::Record& rec, const Layout& layout,
                                        uint64_t tag);
  [[nodiscard]] absl::Status PutFact(const csv::Record& rec, const Layout& layout,
                                     uint64_t tag);
  [[nodiscard]] absl::StatusOr<std::optional<absl::CivilDay>> AsOf(const csv::Record& rec,
                                                                   const Layout& layout) const;
  const FiscalCalendar& CalendarFor(std::string_view company);
  [[nodiscard]] absl::StatusOr<Unit> UnitFor(std::string_view text);
  void Progress(size_t input, const csv::Record& record);
  // Hands the batch so far to the bulk write and empties it.
  [[nodiscard]] absl::Status AddBatch();
  [[nodiscard]] absl::Status Write();
  void ReportRecordErrors(std::span<const RecordError> errors);

  DB* db_;
  const IngestOptions& options_;
  IngestReport* report_;
  std::span<const Source> inputs_;
  // The write every batch goes to: memory stays bounded whatever the
  // inputs' size (DB::BulkWrite), and it commits once, all or nothing.
  std::unique_ptr<DB::BulkWrite> bulk_;
  absl::Status add_status_;  // a failed AddBatch() while loading
  WriteBatch batch_;
  absl::flat_hash_map<std::string, FiscalCalendar> calendars_;
  absl::flat_hash_map<std::string, Unit> units_;
  // One-entry caches in front of the maps above.
  const FiscalCalendar* last_calendar_ = nullptr;
  std::string last_calendar_company_;
  FiscalCalendar last_calendar_value_;
  bool has_last_unit_ = false;
  std::string last_unit_text_;
  Unit last_unit_;
  std::vector<bool> utf8_valid_;
  size_t records_ = 0;
  size_t total_bytes_ = 0;
  size_t bytes_before_input_ = 0;
};

absl::Status Ingester::Run(std::span<const Source> inputs) {
  if (options_.max_errors == 0) {
    // With none allowed, every record would count as one too many: nothing
    // would be read, and an empty batch written as a success.
    return absl::InvalidArgumentError("IngestOptions::max_errors must be at least 1");
  }
  inputs_ = inputs;
  report_->files = inputs.size();
  for (const Source& in : inputs) total_bytes_ += in.data.size();
  batch_.Reserve(std::min(EstimateRecords(inputs), kFactsPerAdd));
  // Validate UTF-8 once per input; records are checked one by one (to name
  // the bad lines) only in an input that fails.
  for (const Source& in : inputs) utf8_valid_.push_back(ValidUtf8(in));
  WriteOptions wo;
  wo.replace = options_.replace;
  wo.dry_run = options_.dry_run;
  KPIDB_ASSIGN_OR_RETURN(bulk_, db_->NewBulkWrite(wo));
  const std::vector<HeadedInput> headed = ReadHeaders();
  LoadRecords(headed);
  KPIDB_RETURN_IF_ERROR(add_status_);
  if (report_->error_count > 0) {
    return NothingWrittenError(absl::StatusCode::kInvalidArgument, report_->error_count,
                               report_->error_count >= options_.max_errors);
  }
  return Write();
}

// Every header first: the records are read in two passes by kind.
std::vector<HeadedInput> Ingester::ReadHeaders() {
  std::vector<HeadedInput> headed(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    headed[i].reader = std::make_unique<csv::Reader>(inputs_[i].data, ReaderOptions());
    headed[i].layout = ReadLayout(i, headed[i].reader.get());
  }
  return headed;
}

std::optional<Layout> Ingester::ReadLayout(size_t input, csv::Reader* reader) {
  csv::Record header;
  absl::StatusOr<bool> got = reader->Next(&header);
  if (!got.ok()) {
    Error(input, header.line, ToStd(got.status().message()));
    return std::nullopt;
  }
  if (!*got) {
    Error(input, 1, "empty file: expected a header line");
    return std::nullopt;
  }
  if (!AllValidUtf8(header.fields)) {
    Error(input, header.line, "invalid UTF-8");
    return std::nullopt;
  }
  absl::StatusOr<Layout> layout = ReadHeader(input, header);
  if (!layout.ok()) return std::nullopt;
  return *layout;
}

absl::StatusOr<Layout> Ingester::ReadHeader(size_t input, const csv::Record& header) {
  std::string problems;
  const Layout layout = MapColumns(header, &problems);
  if (problems.empty()) return layout;
  kpidb::StrAppend(&problems, ColumnsHint(layout.kind));
  Error(input, header.line, problems);
  return absl::InvalidArgumentError(problems);
}

// Companies files go before facts files, so that fact labels such as
// "FY2013" resolve through calendars defined in the same call.
void Ingester::LoadRecords(std::span<const HeadedInput> headed) {
  for (FileKind pass : {FileKind::kCompanies, FileKind::kFacts}) {
    for (size_t i = 0; i < headed.size() && !TooManyErrors() && add_status_.ok(); ++i) {
      if (!headed[i].layout.has_value() || headed[i].layout->kind != pass) continue;
      LoadInput(i, headed[i].reader.get(), *headed[i].layout);
      // Progress counts bytes in the order inputs are processed.
      bytes_before_input_ += inputs_[i].data.size();
    }
  }
}

void Ingester::LoadInput(size_t input, csv::Reader* reader, const Layout& layout) {
  const bool companies = layout.kind == FileKind::kCompanies;
  size_t* read = companies ? &report_->companies_read : &report_->facts_read;
  csv::Record rec;
  size_t released = 0;  // input bytes given back so far
  while (NextRecord(input, reader, layout, read, &rec)) {
    const uint64_t tag = MakeTag(input, rec.line);
    const absl::Status s = companies ? PutCompany(rec, layout, tag) : PutFact(rec, layout, tag);
    if (!s.ok()) Error(input, rec.line, ToStd(s.message()));
    if (batch_.fact_count() >= kFactsPerAdd) {
      if (absl::Status a = AddBatch(); !a.ok()) {
        add_status_ = a;
        return;
      }
      // The records before this one are in the batch that was added.
      if (inputs_[input].file != nullptr && !rec.fields.empty()) {
        const size_t at = static_cast<size_t>(rec.fields[0].data() - inputs_[input].data.data());
        inputs_[input].file->Release(released, at);
        released = at;
      }
    }
  }
  if (inputs_[input].file != nullptr) {
    inputs_[input].file->Release(released, inputs_[input].data.size());
  }
}

// Reads records into `*rec` until one is well-formed (it parses, has a field
// per column and is UTF-8), counting each in `*read` and reporting the bad
// ones. False at the end of the input or when there are too many errors.
bool Ingester::NextRecord(size_t input, csv::Reader* reader, const Layout& layout,
                          size_t* read, csv::Record* rec) {
  while (!TooManyErrors()) {
    absl::StatusOr<bool> next = reader->Next(rec);
    if (!next.ok()) {
      Error(input, rec->line, ToStd(next.status().message()));
      continue;
    }
    if (!*next) return false;
    Progress(input, *rec);
    ++*read;
    if (rec->fields.size() != layout.width) {
      Error(input, rec->line,
            kpidb::StrCat("expected ", layout.width, " fields, found ", rec->fields.size()));
      continue;
    }
    if (!utf8_valid_[input] && !AllValidUtf8(rec->fields)) {
      Error(input, rec->line, "invalid UTF-8");
      continue;
    }
    return true;
  }
  return false;
}

absl::Status Ingester::PutCompany(const csv::Record& rec, const Layout& layout, uint64_t tag) {
  Company c;
  c.id = std::string(Field(rec, layout, kCompanyId));
  c.name = std::string(Field(rec, layout, kCompanyName));
  KPIDB_ASSIGN_OR_RETURN(c.calendar.fiscal_year_end_month,
                         ParseFiscalYearEnd(Field(rec, layout, kFiscalYearEnd)));
  KPIDB_ASSIGN_OR_RETURN(c.calendar.naming,
                         ParseFiscalYearNaming(Field(rec, layout, kFyNaming)));
  c.currency = std::string(Field(rec, layout, kCurrency));
  KPIDB_RETURN_IF_ERROR(batch_.PutCompany(c, tag));
  // Facts of this call resolve their labels through the new calendar.
  calendars_[c.id] = c.calendar;
  last_calendar_ = nullptr;
  return absl::OkStatus();
}

absl::Status Ingester::PutFact(const csv::Record& rec, const Layout& layout, uint64_t tag) {
  const std::string_view company = Field(rec, layout, kCompany);
  if (company.empty()) return absl::InvalidArgumentError("empty company");
  KPIDB_ASSIGN_OR_RETURN(const Period period,
                         Period::Parse(Field(rec, layout, kPeriod), CalendarFor(company)));
  KPIDB_ASSIGN_OR_RETURN(const Decimal value, Decimal::Parse(Field(rec, layout, kValue)));
  Unit unit;
  if (layout.col[kUnit] >= 0) {
    KPIDB_ASSIGN_OR_RETURN(unit, UnitFor(Field(rec, layout, kUnit)));
  }
  KPIDB_ASSIGN_OR_RETURN(const std::optional<absl::CivilDay> as_of, AsOf(rec, layout));
  return batch_.Put(company, Field(rec, layout, kMetric), OptionalField(rec, layout, kScenario),
                    period, value, unit, as_of, OptionalField(rec, layout, kSource), tag);
}

// The default as_of stands in for an empty or absent field.
absl::StatusOr<std::optional<absl::CivilDay>> Ingester::AsOf(const csv::Record& rec,
                                                             const Layout& layout) const {
  const std::string_view text = OptionalField(rec, layout, kAsOf);
  if (text.empty()) return options_.default_as_of;
  absl::StatusOr<absl::CivilDay> d = ParseDate(text);
  if (!d.ok()) {
    return absl::InvalidArgumentError(kpidb::StrCat("bad as_of: ", d.status().message()));
  }
  return std::optional<absl::CivilDay>(*d);
}

const FiscalCalendar& Ingester::CalendarFor(std::string_view company) {
  // Rows of one company usually come together.
  if (last_calendar_ != nullptr && company == last_calendar_company_) {
    return *last_calendar_;
  }
  auto it = calendars_.find(ToAbsl(company));
  if (it == calendars_.end()) {
    it = calendars_.emplace(std::string(company), db_->CalendarOf(company)).first;
  }
  // flat_hash_map moves its values on rehash, so remember a copy.
  last_calendar_company_.assign(company);
  last_calendar_value_ = it->second;
  last_calendar_ = &last_calendar_value_;
  return *last_calendar_;
}

absl::StatusOr<Unit> Ingester::UnitFor(std::string_view text) {
  if (has_last_unit_ && text == last_unit_text_) return last_unit_;
  auto it = units_.find(ToAbsl(text));
  Unit u;
  if (it != units_.end()) {
    u = it->second;
  } else {
    KPIDB_ASSIGN_OR_RETURN(u, Unit::Parse(text));
    units_.emplace(std::string(text), u);
  }
  has_last_unit_ = true;
  last_unit_text_.assign(text);
  last_unit_ = u;
  return u;
}

void Ingester::Progress(size_t input, const csv::Record& record) {
  ++records_;
  if (options_.progress && total_bytes_ >= options_.progress_min_bytes &&
      options_.progress_every > 0 && records_ % options_.progress_every == 0) {
    const std::string_view data = inputs_[input].data;
    size_t done = bytes_before_input_;
    if (!record.fields.empty() && record.fields[0].data() >= data.data() &&
        record.fields[0].data() <= data.data() + data.size()) {
      done += static_cast<size_t>(record.fields[0].data() - data.data());
    }
    options_.progress(records_, total_bytes_, done);
  }
}

// Conflicts with stored data (or inside the batch) are found only by the
// write, and are bad records like any other.
absl::Status Ingester::AddBatch() {
  KPIDB_RETURN_IF_ERROR(bulk_->Add(batch_));
  batch_.Clear();
  return absl::OkStatus();
}

absl::Status Ingester::Write() {
  KPIDB_RETURN_IF_ERROR(AddBatch());
  std::vector<RecordError> errors;
  // One more than shown, to know whether the list is complete (saturating:
  // SIZE_MAX + 1 would be 0, no errors at all).
  const size_t collect = std::max(options_.max_errors, options_.max_errors + 1);
  absl::StatusOr<WriteSummary> summary = bulk_->Commit(&errors, collect);
  if (!summary.ok()) {
    if (errors.empty()) return summary.status();
    const bool truncated = errors.size() > options_.max_errors;
    if (truncated) errors.resize(options_.max_errors);
    ReportRecordErrors(errors);
    return NothingWrittenError(summary.status().code(), errors.size(), truncated);
  }
  report_->summary = *summary;
  return absl::OkStatus();
}

void Ingester::ReportRecordErrors(std::span<const RecordError> errors) {
  for (const RecordError& e : errors) {
    ++report_->error_count;
    std::string msg = kpidb::StrCat(TagName(e.tag), ": error: ", e.status.message());
    if (e.other_tag.has_value()) {
      kpidb::StrAppend(&msg, " (see ", TagName(*e.other_tag), ")");
    }
    report_->errors.push_back(std::move(msg));
  }
}

}  // namespace

absl::Status IngestInputs(DB* db, std::span<const IngestInput> inputs,
                          const IngestOptions& options, IngestReport* report) {
  return ReturnResourceErrors("ingest", [&]() -> absl::Status {
  std::vector<Source> sources;
  for (const IngestInput& in : inputs) sources.push_back(Source{in.name, in.data, nullptr});
  *report = IngestReport();
  Ingester ingester(db, options, report);
  return ingester.Run(sources);
  });
}

absl::Status IngestFiles(DB* db, std::span<const std::string> paths,
                         const IngestOptions& options, IngestReport* report) {
  return ReturnResourceErrors("ingest", [&]() -> absl::Status {
  std::vector<std::unique_ptr<ingest::InputFile>> files;
  std::vector<Source> sources;
  for (const std::string& p : paths) {
    files.push_back(std::make_unique<ingest::InputFile>());
    KPIDB_RETURN_IF_ERROR(files.back()->Open(p, kMaxRecordBytes));
    sources.push_back(Source{p == "-" ? "<stdin>" : p, files.back()->view(), files.back().get()});
  }
  *report = IngestReport();
  Ingester ingester(db, options, report);
  return ingester.Run(sources);
  });
}

}  // namespace kpidb
