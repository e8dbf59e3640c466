// CapturedLog: a Logger that writes into an anonymous temporary file, and what it wrote so
// far, for tests that check log lines. The Logger is thread-safe; read from one test thread.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "core/log.h"

namespace ef::testing {

class CapturedLog {
 public:
  explicit CapturedLog(LogLevel level = LogLevel::kDebug)
      : file_(std::tmpfile()), log_(level, fileno(file_)) {}
  ~CapturedLog() { std::fclose(file_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  Logger& log() { return log_; }
  std::string Text() const {
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = pread(fileno(file_), buf, sizeof buf, static_cast<off_t>(text.size()))) > 0) {
      text.append(buf, static_cast<size_t>(n));
    }
    return text;
  }
  // How many lines contain `needle`.
  size_t Count(std::string_view needle) const {
    const std::string text = Text();
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
      ++n;
    }
    return n;
  }

 private:
  std::FILE* file_;
  Logger log_;
};

}  // namespace ef::testing
