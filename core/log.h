// Logger: writes one line per message to a file descriptor (stderr by default), prefixed with
// the syslog priority (<3> error, <4> warning, <6> info, <7> debug) so that journald keeps the
// level when edgeferry runs under systemd.
//
// There is no global logger: the daemon creates one and passes it by reference to every
// component. Log() is thread-safe; a line is written with one write(2) call, so lines from
// different threads never interleave. SetLevel() may be called at any time.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace ef {

enum class LogLevel { kError = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// Parses "error" | "warning" | "info" | "debug"; nullopt otherwise.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::kInfo, int fd = 2) : level_(level), fd_(fd) {}

  void SetLevel(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  bool Enabled(LogLevel level) const {
    return static_cast<int>(level) <= static_cast<int>(level_.load(std::memory_order_relaxed));
  }
  // Writes "<P>component: message\n" when `level` is enabled.
  void Log(LogLevel level, std::string_view component, std::string_view message);

  void Error(std::string_view c, std::string_view m) { Log(LogLevel::kError, c, m); }
  void Warning(std::string_view c, std::string_view m) { Log(LogLevel::kWarning, c, m); }
  void Info(std::string_view c, std::string_view m) { Log(LogLevel::kInfo, c, m); }
  void Debug(std::string_view c, std::string_view m) { Log(LogLevel::kDebug, c, m); }

 private:
  std::atomic<LogLevel> level_;
  int fd_;
};

// "604800.002": `d` in seconds with `decimals` digits after the point, for log lines.
std::string SecondsText(Clock::Duration d, int decimals);

// Lets a repeating message through at most once per `interval` and counts what it held back,
// so a failing peer is reported without flooding the journal. Not thread-safe: each owner
// keeps its own.
class LogThrottle {
 public:
  explicit LogThrottle(Clock::Duration interval) : interval_(interval) {}
  // True when the caller should log now; `*suppressed` gets how many were held back since.
  bool Allow(Clock::TimePoint now, uint64_t* suppressed);
  void Reset() { started_ = false; suppressed_ = 0; }

 private:
  Clock::Duration interval_;
  Clock::TimePoint last_{};
  bool started_ = false;
  uint64_t suppressed_ = 0;
};

}  // namespace ef
