#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "tests/support/temp_dir.h"

extern char** environ;

namespace ef::testkit {

namespace {

std::string ResolveProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw std::system_error(ENOENT, std::generic_category(), "program not found: " + name);
}

std::vector<std::string> MergedEnvironment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string kv = *entry;
    std::string key = kv.substr(0, kv.find('='));
    if (extra.count(key) == 0) env.push_back(std::move(kv));
  }
  for (const auto& [key, value] : extra) env.push_back(key + "=" + value);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Runs in the forked child: only async-signal-safe calls until execve. Never returns; on
// failure reports errno through `status_fd` (close-on-exec, so success reports nothing).
[[noreturn]] void ExecChild(const char* program, char* const* argv, char* const* envp,
                            const char* log, pid_t parent, int max_fd, int status_fd) {
  // Die with the test: a runner killed by a CTest timeout must not leave daemons behind.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  // The test's own sockets (MQTT clients, brokers' listeners) must not live on in the child.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // dup2 copies lose O_CLOEXEC
  int out = ::open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (in >= 0 && out >= 0 && ::dup2(in, 0) >= 0 && ::dup2(out, 1) >= 0 && ::dup2(out, 2) >= 0) {
    ::execve(program, argv, envp);
  }
  int err = errno;
  ssize_t ignored = ::write(status_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

}  // namespace

Process::Process(ProcessOptions options) : options_(std::move(options)) {
  if (options_.argv.empty()) throw std::invalid_argument("Process: empty argv");
  std::string program = ResolveProgram(options_.argv[0]);
  std::vector<std::string> argv = options_.argv;
  std::vector<std::string> env = MergedEnvironment(options_.env);
  std::vector<char*> argv_c = CStrings(argv);
  std::vector<char*> env_c = CStrings(env);
  std::string log = options_.log_file.string();

  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  pid_t parent = ::getpid();
  int max_fd = static_cast<int>(std::min<long>(::sysconf(_SC_OPEN_MAX), 65536));
  pid_ = ::fork();
  if (pid_ == 0) {
    ExecChild(program.c_str(), argv_c.data(), env_c.data(), log.c_str(), parent, max_fd,
              status_pipe[1]);
  }
  int fork_errno = errno;
  ::close(status_pipe[1]);
  if (pid_ < 0) {
    ::close(status_pipe[0]);
    throw std::system_error(fork_errno, std::generic_category(), "fork");
  }
  int exec_errno = 0;
  ssize_t n;
  while ((n = ::read(status_pipe[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
  }
  ::close(status_pipe[0]);
  if (n > 0) {
    Kill();
    throw std::system_error(exec_errno, std::generic_category(),
                            "exec " + program + " (log " + log + ")");
  }
}

Process::~Process() {
  if (!status_) Kill();
}

void Process::Reaped(int wait_status) {
  if (WIFEXITED(wait_status)) {
    status_ = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    status_ = 128 + WTERMSIG(wait_status);
  } else {
    status_ = -1;
  }
}

bool Process::Running() {
  if (status_) return false;
  int wait_status = 0;
  if (::waitpid(pid_, &wait_status, WNOHANG) == pid_) Reaped(wait_status);
  return !status_;
}

void Process::Signal(int sig) {
  if (!status_) ::kill(pid_, sig);
}

std::optional<int> Process::Wait(Deadline deadline) {
  if (status_ || !Running()) return status_;
  // A pidfd becomes readable when the child exits: one blocking poll() until exit or deadline.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyNow());
      if (left.count() <= 0) break;
      pollfd pfd{pidfd, POLLIN, 0};
      int n = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
      if (n > 0 || (n < 0 && errno != EINTR)) break;
    }
    ::close(pidfd);
  } else {
    WaitUntil(deadline, [&] { return !Running(); });
  }
  Running();
  return status_;
}

int Process::Kill() {
  if (status_) return *status_;
  ::kill(pid_, SIGKILL);
  int wait_status = 0;
  while (::waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
  }
  Reaped(wait_status);
  return *status_;
}

std::string Process::Log() const { return ReadFile(options_.log_file); }

}  // namespace ef::testkit
