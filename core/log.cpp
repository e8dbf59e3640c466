#include "core/log.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <utility>

namespace ef {

std::string SecondsText(Clock::Duration d, int decimals) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, std::chrono::duration<double>(d).count());
  return text;
}

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, LogLevel>, 5> kLevels = {{
      {"error", LogLevel::kError},
      {"warning", LogLevel::kWarning},
      {"warn", LogLevel::kWarning},
      {"info", LogLevel::kInfo},
      {"debug", LogLevel::kDebug},
  }};
  for (const auto& [text, level] : kLevels) {
    if (text == name) return level;
  }
  return std::nullopt;
}

void Logger::Log(LogLevel level, std::string_view component, std::string_view message) {
  if (!Enabled(level)) return;
  std::string line;
  line.reserve(component.size() + message.size() + 8);
  line += '<';
  line += static_cast<char>('0' + static_cast<int>(level));
  line += '>';
  line += component;
  line += ": ";
  line += message;
  line += '\n';
  // One write per line keeps concurrent lines whole (stderr is unbuffered, writes < PIPE_BUF
  // are atomic on pipes). A failed write to stderr has nowhere to be reported.
  ssize_t ignored = ::write(fd_, line.data(), line.size());
  (void)ignored;
}

bool LogThrottle::Allow(Clock::TimePoint now, uint64_t* suppressed) {
  if (started_ && now - last_ < interval_) {
    ++suppressed_;
    return false;
  }
  started_ = true;
  last_ = now;
  *suppressed = std::exchange(suppressed_, 0);
  return true;
}

}  // namespace ef
