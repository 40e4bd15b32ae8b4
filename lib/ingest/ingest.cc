#include "kpidb/ingest.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "lib/util/str_cat.h"
#include "lib/csv/csv_reader.h"
#include "lib/csv/utf8.h"
#include "lib/util/status_macros.h"

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
};

constexpr std::string_view kFactColumns[] = {
    "company", "metric", "period", "value", "unit", "scenario", "as_of", "source"};
constexpr size_t kFactRequired = 4;  // the first four
constexpr std::string_view kCompanyColumns[] = {
    "company", "name", "fiscal_year_end", "fy_naming", "currency"};

// Column positions of one file: index into the record for each known column,
// or -1 when absent.
struct Layout {
  FileKind kind = FileKind::kFacts;
  int col[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  size_t width = 0;
};

class Ingester {
 public:
  Ingester(DB* db, const IngestOptions& options, IngestReport* report)
      : db_(db), options_(options), report_(report) {}

  absl::Status Run(std::span<const Source> inputs);

 private:
  void Error(size_t input, int64_t line, std::string_view message) {
    ++report_->error_count;
    if (report_->errors.size() < options_.max_errors) {
      report_->errors.push_back(
          kpidb::StrCat(inputs_[input].name, ":", line, ": error: ", message));
    }
  }
  bool TooManyErrors() const {
    return report_->error_count >= options_.max_errors;
  }
  absl::StatusOr<Layout> ReadHeader(size_t input, const csv::Record& header);
  void LoadCompanies(size_t input, csv::Reader* reader, const Layout& layout);
  void LoadFacts(size_t input, csv::Reader* reader, const Layout& layout);
  const FiscalCalendar& CalendarFor(std::string_view company);
  absl::StatusOr<Unit> UnitFor(std::string_view text);
  void Progress(size_t input, const csv::Record& record);
  std::string TagName(uint64_t tag) const {
    const size_t input = tag >> kLineBits;
    const uint64_t line = tag & ((uint64_t{1} << kLineBits) - 1);
    return kpidb::StrCat(input < inputs_.size() ? inputs_[input].name : "?", ":",
                        line);
  }

  DB* db_;
  const IngestOptions& options_;
  IngestReport* report_;
  std::span<const Source> inputs_;
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

absl::StatusOr<Layout> Ingester::ReadHeader(size_t input,
                                            const csv::Record& header) {
  Layout layout;
  layout.width = header.fields.size();
  bool is_companies = false;
  for (std::string_view f : header.fields) {
    if (f == "name" || f == "fiscal_year_end" || f == "fy_naming" ||
        f == "currency") {
      is_companies = true;
    }
  }
  layout.kind = is_companies ? FileKind::kCompanies : FileKind::kFacts;
  std::span<const std::string_view> known =
      is_companies ? std::span<const std::string_view>(kCompanyColumns)
                   : std::span<const std::string_view>(kFactColumns);
  const size_t required = is_companies ? known.size() : kFactRequired;
  std::string problems;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string_view f = header.fields[i];
    size_t k = 0;
    while (k < known.size() && known[k] != f) ++k;
    if (k == known.size()) {
      kpidb::StrAppend(&problems, problems.empty() ? "" : "; ", "unknown column '",
                      f, "'");
    } else if (layout.col[k] != -1) {
      kpidb::StrAppend(&problems, problems.empty() ? "" : "; ",
                      "duplicate column '", f, "'");
    } else {
      layout.col[k] = static_cast<int>(i);
    }
  }
  for (size_t k = 0; k < required; ++k) {
    if (layout.col[k] == -1) {
      kpidb::StrAppend(&problems, problems.empty() ? "" : "; ",
                      "missing required column '", known[k], "'");
    }
  }
  if (!problems.empty()) {
    kpidb::StrAppend(&problems, is_companies
                                   ? " (a companies file has the columns "
                                     "company,name,fiscal_year_end,fy_naming,"
                                     "currency)"
                                   : " (a facts file has the columns company,"
                                     "metric,period,value and optionally unit,"
                                     "scenario,as_of,source)");
    Error(input, header.line, problems);
    return absl::InvalidArgumentError(problems);
  }
  return layout;
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

void Ingester::LoadCompanies(size_t input, csv::Reader* reader,
                             const Layout& layout) {
  csv::Record rec;
  while (!TooManyErrors()) {
    absl::StatusOr<bool> next = reader->Next(&rec);
    if (!next.ok()) {
      Error(input, rec.line, ToStd(next.status().message()));
      continue;
    }
    if (!*next) break;
    Progress(input, rec);
    ++report_->companies_read;
    if (rec.fields.size() != layout.width) {
      Error(input, rec.line,
            kpidb::StrCat("expected ", layout.width, " fields, found ",
                         rec.fields.size()));
      continue;
    }
    bool utf8 = true;
    if (!utf8_valid_[input]) {
      for (std::string_view f : rec.fields) utf8 = utf8 && csv::IsValidUtf8(f);
    }
    if (!utf8) {
      Error(input, rec.line, "invalid UTF-8");
      continue;
    }
    auto field = [&](int k) { return rec.fields[layout.col[k]]; };
    Company c;
    c.id = std::string(field(0));
    c.name = std::string(field(1));
    int month = 0;
    if (!absl::SimpleAtoi(ToAbsl(field(2)), &month) || month < 1 || month > 12) {
      Error(input, rec.line,
            kpidb::StrCat("bad fiscal_year_end '", field(2),
                         "': expected the month the fiscal year ends, 1-12"));
      continue;
    }
    c.calendar.fiscal_year_end_month = month;
    absl::StatusOr<FiscalYearNaming> naming = ParseFiscalYearNaming(field(3));
    if (!naming.ok()) {
      Error(input, rec.line, ToStd(naming.status().message()));
      continue;
    }
    c.calendar.naming = *naming;
    c.currency = std::string(field(4));
    if (absl::Status s = batch_.PutCompany(c, MakeTag(input, rec.line)); !s.ok()) {
      Error(input, rec.line, ToStd(s.message()));
      continue;
    }
    calendars_[c.id] = c.calendar;
    last_calendar_ = nullptr;
  }
}

void Ingester::LoadFacts(size_t input, csv::Reader* reader,
                         const Layout& layout) {
  csv::Record rec;
  const int c_unit = layout.col[4], c_scenario = layout.col[5],
            c_as_of = layout.col[6], c_source = layout.col[7];
  while (!TooManyErrors()) {
    absl::StatusOr<bool> next = reader->Next(&rec);
    if (!next.ok()) {
      Error(input, rec.line, ToStd(next.status().message()));
      continue;
    }
    if (!*next) break;
    Progress(input, rec);
    ++report_->facts_read;
    if (rec.fields.size() != layout.width) {
      Error(input, rec.line,
            kpidb::StrCat("expected ", layout.width, " fields, found ",
                         rec.fields.size()));
      continue;
    }
    bool utf8 = true;
    if (!utf8_valid_[input]) {
      for (std::string_view f : rec.fields) utf8 = utf8 && csv::IsValidUtf8(f);
    }
    if (!utf8) {
      Error(input, rec.line, "invalid UTF-8");
      continue;
    }
    const std::string_view company = rec.fields[layout.col[0]];
    const std::string_view metric = rec.fields[layout.col[1]];
    const std::string_view period_text = rec.fields[layout.col[2]];
    const std::string_view value_text = rec.fields[layout.col[3]];
    if (company.empty()) {
      Error(input, rec.line, "empty company");
      continue;
    }
    absl::StatusOr<Period> period = Period::Parse(period_text, CalendarFor(company));
    if (!period.ok()) {
      Error(input, rec.line, ToStd(period.status().message()));
      continue;
    }
    absl::StatusOr<Decimal> value = Decimal::Parse(value_text);
    if (!value.ok()) {
      Error(input, rec.line, ToStd(value.status().message()));
      continue;
    }
    Unit unit;
    if (c_unit >= 0) {
      absl::StatusOr<Unit> u = UnitFor(rec.fields[c_unit]);
      if (!u.ok()) {
        Error(input, rec.line, ToStd(u.status().message()));
        continue;
      }
      unit = *u;
    }
    const std::string_view scenario =
        c_scenario >= 0 ? rec.fields[c_scenario] : std::string_view();
    std::optional<absl::CivilDay> as_of = options_.default_as_of;
    if (c_as_of >= 0 && !rec.fields[c_as_of].empty()) {
      absl::StatusOr<absl::CivilDay> d = ParseDate(rec.fields[c_as_of]);
      if (!d.ok()) {
        Error(input, rec.line, kpidb::StrCat("bad as_of: ", ToStd(d.status().message())));
        continue;
      }
      as_of = *d;
    }
    const std::string_view source =
        c_source >= 0 ? rec.fields[c_source] : std::string_view();
    absl::Status s = batch_.Put(company, metric, scenario, *period, *value, unit,
                                as_of, source, MakeTag(input, rec.line));
    if (!s.ok()) Error(input, rec.line, ToStd(s.message()));
  }
}

absl::Status Ingester::Run(std::span<const Source> inputs) {
  inputs_ = inputs;
  report_->files = inputs.size();
  for (const Source& in : inputs) total_bytes_ += in.data.size();
  // Size the batch once: a facts file has about one record per line, and
  // growing a vector of millions of rows copies and faults in pages again
  // and again.
  // Lines are counted in the first MiB of each input and extrapolated
  // (counting them all would cost another pass over the data).
  size_t lines = 0;
  for (const Source& in : inputs) {
    const size_t sample = std::min<size_t>(in.data.size(), 1 << 20);
    const size_t in_sample = static_cast<size_t>(
        std::count(in.data.begin(), in.data.begin() + sample, '\n'));
    lines += sample == 0 ? 0 : in_sample * (in.data.size() / sample) * 11 / 10 + 1;
  }
  batch_.Reserve(lines);
  // Validate UTF-8 once per input; records are checked one by one (to name
  // the bad lines) only in an input that fails.
  utf8_valid_.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    utf8_valid_[i] = csv::IsValidUtf8(inputs[i].data);
  }
  // Headers first: companies files go before facts files.
  std::vector<std::unique_ptr<csv::Reader>> readers;
  std::vector<Layout> layouts(inputs.size());
  std::vector<bool> usable(inputs.size(), false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    readers.push_back(std::make_unique<csv::Reader>(inputs[i].data));
    csv::Record header;
    absl::StatusOr<bool> got = readers[i]->Next(&header);
    if (!got.ok()) {
      Error(i, header.line, ToStd(got.status().message()));
      continue;
    }
    if (!*got) {
      Error(i, 1, "empty file: expected a header line");
      continue;
    }
    bool utf8 = true;
    for (std::string_view f : header.fields) utf8 = utf8 && csv::IsValidUtf8(f);
    if (!utf8) {
      Error(i, header.line, "invalid UTF-8");
      continue;
    }
    absl::StatusOr<Layout> layout = ReadHeader(i, header);
    if (!layout.ok()) continue;
    layouts[i] = *layout;
    usable[i] = true;
  }
  for (FileKind pass : {FileKind::kCompanies, FileKind::kFacts}) {
    for (size_t i = 0; i < inputs.size() && !TooManyErrors(); ++i) {
      if (!usable[i] || layouts[i].kind != pass) continue;
      if (pass == FileKind::kCompanies) {
        LoadCompanies(i, readers[i].get(), layouts[i]);
      } else {
        LoadFacts(i, readers[i].get(), layouts[i]);
      }
      // Progress counts bytes in the order inputs are processed.
      bytes_before_input_ += inputs[i].data.size();
    }
  }
  if (report_->error_count > 0) {
    return absl::InvalidArgumentError(kpidb::StrCat(
        report_->error_count >= options_.max_errors ? "at least " : "",
        report_->error_count, " bad record",
        report_->error_count == 1 ? "" : "s", "; nothing was written"));
  }
  WriteOptions wo;
  wo.replace = options_.replace;
  wo.dry_run = options_.dry_run;
  std::vector<RecordError> errors;
  // One more than shown, to know whether the list is complete.
  absl::StatusOr<WriteSummary> summary =
      db_->Write(wo, batch_, &errors, options_.max_errors + 1);
  if (!summary.ok()) {
    if (errors.empty()) return summary.status();
    const bool truncated = errors.size() > options_.max_errors;
    if (truncated) errors.resize(options_.max_errors);
    for (const RecordError& e : errors) {
      ++report_->error_count;
      std::string msg = kpidb::StrCat(TagName(e.tag), ": error: ", e.status.message());
      if (e.other_tag.has_value()) {
        kpidb::StrAppend(&msg, " (see ", TagName(*e.other_tag), ")");
      }
      report_->errors.push_back(std::move(msg));
    }
    return absl::Status(summary.status().code(),
                        kpidb::StrCat(truncated ? "at least " : "",
                                      errors.size(), " bad record",
                                     errors.size() == 1 ? "" : "s",
                                     "; nothing was written"));
  }
  report_->summary = *summary;
  return absl::OkStatus();
}

// A file mapped into memory (read-only, private), or standard input read
// into a string. Mapping avoids copying inputs of hundreds of megabytes.
class InputFile {
 public:
  InputFile() = default;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() {
    if (map_ != nullptr) munmap(map_, size_);
  }

  absl::Status Open(const std::string& path) {
    if (path == "-") {
      data_.assign(std::istreambuf_iterator<char>(std::cin),
                   std::istreambuf_iterator<char>());
      if (std::cin.bad()) return absl::UnavailableError("cannot read standard input");
      view_ = data_;
      return absl::OkStatus();
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Errno(path, "cannot open");
    struct stat st;
    if (fstat(fd, &st) != 0) {
      absl::Status s = Errno(path, "cannot stat");
      ::close(fd);
      return s;
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return absl::InvalidArgumentError(kpidb::StrCat(path, ": is a directory"));
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* m = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (m != MAP_FAILED) {
        ::close(fd);
        map_ = m;
        view_ = std::string_view(static_cast<const char*>(m), size_);
        return absl::OkStatus();
      }
      size_ = 0;
    }
    // Pipes, devices, empty files, or a failed mmap: read.
    char buf[1 << 16];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof(buf))) > 0) data_.append(buf, static_cast<size_t>(n));
    absl::Status s = n < 0 ? Errno(path, "read error") : absl::OkStatus();
    ::close(fd);
    view_ = data_;
    return s;
  }

  std::string_view view() const { return view_; }

 private:
  static absl::Status Errno(const std::string& path, std::string_view what) {
    const int err = errno;
    std::string msg = kpidb::StrCat(path, ": ", what, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg) : absl::UnavailableError(msg);
  }

  void* map_ = nullptr;
  size_t size_ = 0;
  std::string data_;
  std::string_view view_;
};

}  // namespace

absl::Status IngestInputs(DB* db, std::span<const IngestInput> inputs,
                          const IngestOptions& options, IngestReport* report) {
  std::vector<Source> sources;
  for (const IngestInput& in : inputs) sources.push_back(Source{in.name, in.data});
  *report = IngestReport();
  Ingester ingester(db, options, report);
  return ingester.Run(sources);
}

absl::Status IngestFiles(DB* db, std::span<const std::string> paths,
                         const IngestOptions& options, IngestReport* report) {
  std::vector<std::unique_ptr<InputFile>> files;
  std::vector<Source> sources;
  for (const std::string& p : paths) {
    files.push_back(std::make_unique<InputFile>());
    KPIDB_RETURN_IF_ERROR(files.back()->Open(p));
    sources.push_back(Source{p == "-" ? "<stdin>" : p, files.back()->view()});
  }
  *report = IngestReport();
  Ingester ingester(db, options, report);
  return ingester.Run(sources);
}

}  // namespace kpidb
