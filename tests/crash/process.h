// Child processes for the crash and stress tests: spawn a program with its
// standard output on a pipe, read its lines as they come (each with the time
// it arrived), kill it, reap it.
#ifndef KPIDB_TESTS_CRASH_PROCESS_H_
#define KPIDB_TESTS_CRASH_PROCESS_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "tests/crash/workload.h"

extern char** environ;

namespace kpidb::crash {

class Child {
 public:
  struct Line {
    std::string text;
    int64_t arrived_ns = 0;
  };

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status;
      ::waitpid(pid_, &status, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }

  // Starts `argv[0]` with `argv`; its standard output is read through
  // ReadUntil, its standard error goes to the file `stderr_path`. An empty
  // string on success, else why not.
  std::string Start(const std::vector<std::string>& argv, const std::string& stderr_path) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (rc != 0) {
      ::close(pipe_fds[0]);
      pid_ = -1;
      return "posix_spawn " + argv[0] + ": " + std::strerror(rc);
    }
    fd_ = pipe_fds[0];
    return "";
  }

  // Reads lines until `deadline_ns` (NowNs() clock), the end of the output
  // (the child exited or was killed: returns true), or, if `stop` is given,
  // a line for which it returns true.
  bool ReadUntil(int64_t deadline_ns,
                 const std::function<bool(const std::string&)>& stop = nullptr) {
    while (!eof_) {
      const int64_t left_ns = deadline_ns - NowNs();
      if (left_ns <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>((left_ns + 999'999) / 1'000'000));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;  // the loop re-checks the deadline
      char buf[4096];
      const ssize_t n = ::read(fd_, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
        break;
      }
      const int64_t now = NowNs();
      partial_.append(buf, static_cast<size_t>(n));
      size_t nl;
      bool stopped = false;
      while ((nl = partial_.find('\n')) != std::string::npos) {
        lines_.push_back({partial_.substr(0, nl), now});
        partial_.erase(0, nl + 1);
        if (stop && stop(lines_.back().text)) stopped = true;
      }
      if (stopped) return false;
    }
    return true;
  }
  bool ReadToEnd() { return ReadUntil(INT64_MAX); }

  void Kill() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }

  // Reaps the child (after ReadToEnd or Kill); its wait status.
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  const std::vector<Line>& lines() const { return lines_; }
  // Text after the last newline: a line the child was writing when it died
  // (Say writes whole lines, so this stays empty).
  const std::string& partial() const { return partial_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  bool eof_ = false;
  std::string partial_;
  std::vector<Line> lines_;
};

inline std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("signal ") + ::strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace kpidb::crash

#endif  // KPIDB_TESTS_CRASH_PROCESS_H_
