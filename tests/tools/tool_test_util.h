// Helpers for the tools' tests: running a tool in-process (through the
// functions of tools/tools.h) or as the built binary, and what a run left.
#ifndef KPIDB_TESTS_TOOLS_TOOL_TEST_UTIL_H_
#define KPIDB_TESTS_TOOLS_TOOL_TEST_UTIL_H_

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sample_testutil.h"
#include "tests/testutil.h"

namespace kpidb::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::ostream& operator<<(std::ostream& os, const RunResult& r) {
  return os << "exit " << r.exit_code << "\n--- stdout:\n"
            << r.out.substr(0, 2000) << "\n--- stderr:\n"
            << r.err.substr(0, 2000);
}

// tools::RunIngest, RunDump or RunQuery.
using ToolFn = int (*)(int, const char* const*, std::ostream&, std::ostream&);

// Runs `fn` with `args` as its argv (args[0] is the program name).
inline RunResult RunInProcess(ToolFn fn, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  RunResult r;
  r.exit_code = fn(static_cast<int>(args.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs `binary args...` through the shell, stdout and stderr to files in
// `scratch_dir` (removed afterwards), stdin from `stdin_path` or /dev/null.
inline RunResult RunBinary(const std::string& binary, const std::vector<std::string>& args,
                           const std::string& scratch_dir, const std::string& stdin_path = "") {
  const std::string out_path = scratch_dir + "/stdout.txt";
  const std::string err_path = scratch_dir + "/stderr.txt";
  std::string cmd = ShellQuote(binary);
  // Appended in pieces: GCC 12 at -O3 warns falsely (-Wrestrict, bug
  // 105651) on "literal" + std::string&&.
  for (const std::string& a : args) {
    cmd += ' ';
    cmd += ShellQuote(a);
  }
  cmd += " >";
  cmd += ShellQuote(out_path);
  cmd += " 2>";
  cmd += ShellQuote(err_path);
  cmd += " <";
  cmd += ShellQuote(stdin_path.empty() ? "/dev/null" : stdin_path);
  const int status = std::system(cmd.c_str());
  RunResult r;
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace kpidb::testing

#endif  // KPIDB_TESTS_TOOLS_TOOL_TEST_UTIL_H_
