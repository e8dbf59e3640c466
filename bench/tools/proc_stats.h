// What a benchmark reads about another process (the daemon it started) from /proc: CPU time
// used so far and peak resident memory; and a duration in seconds as a double.
//
// Thread-safety: plain functions; a pid that is gone reads as 0.
#pragma once

#include <sys/types.h>

#include <chrono>

namespace ef::bench {

// utime + stime of `pid` in seconds (/proc/PID/stat fields 14 and 15).
double ProcessCpuSeconds(pid_t pid);
// VmHWM of `pid` in kB (/proc/PID/status).
long ProcessPeakRssKb(pid_t pid);

template <class Rep, class Period>
double Seconds(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace ef::bench
