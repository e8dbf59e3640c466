// A child process started by a test: argv, extra environment, stdout and stderr appended to a
// log file, stdin from /dev/null.
//
// fork/exec: everything the child needs is prepared before fork(), and the child makes only
// async-signal-safe calls, so starting processes from a multi-threaded test is safe. The child
// gets a clean signal mask, default signal dispositions, and PR_SET_PDEATHSIG=SIGKILL so that it
// cannot outlive a test runner killed by a timeout. Only the PID this object started is ever
// signalled, and only until it has been reaped, so a recycled PID can never be hit. The
// destructor SIGKILLs and reaps a child that still runs.
//
// Thread-safety: not thread-safe; one thread owns a Process. PR_SET_PDEATHSIG follows the
// *thread* that forked, so create a Process on a thread that outlives it (the test's main one).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/wait.h"

namespace ef::testkit {

struct ProcessOptions {
  // argv[0] is the program: an absolute path, or a name looked up in $PATH.
  std::vector<std::string> argv;
  // Added to (or replacing entries of) the test's own environment.
  std::map<std::string, std::string> env;
  // stdout and stderr are appended here; created if missing.
  std::filesystem::path log_file;
};

class Process {
 public:
  // Starts the child. Throws std::system_error if the program cannot be found or executed, or
  // the log file cannot be opened (exec failures are reported synchronously).
  explicit Process(ProcessOptions options);
  ~Process();

  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_file() const { return options_.log_file; }

  // True until the child has exited (reaps it if it just did).
  bool Running();

  // Sends `sig` if the child has not been reaped yet; otherwise does nothing.
  void Signal(int sig);

  // Waits for the child to exit until `deadline`. Returns its exit status, or 128 + signal
  // number when a signal killed it; std::nullopt if it still runs at the deadline. Once the
  // child has been reaped, returns the same status again.
  std::optional<int> Wait(Deadline deadline);

  // SIGKILL and reap; returns the status as Wait does. Does nothing if already reaped.
  int Kill();

  // The log file's contents so far (for failure messages).
  std::string Log() const;

 private:
  void Reaped(int wait_status);

  ProcessOptions options_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace ef::testkit
