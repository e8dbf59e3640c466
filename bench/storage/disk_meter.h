// What the storage benchmark reads about the disk: the process's I/O counters from
// /proc/self/io, and the filesystem a directory lives on.
//
// write_bytes counts the bytes this process caused to be sent to the block layer (page-cache
// pages it dirtied, counted when dirtied; a page dirtied again before write-back is not counted
// twice); cancelled_write_bytes those it truncated or deleted before they reached the disk.
// wchar counts the bytes passed to write()/pwrite() (what SQLite asked for).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace ef::bench {

struct IoCounters {
  uint64_t wchar = 0;
  uint64_t write_bytes = 0;
  uint64_t cancelled_write_bytes = 0;

  // Bytes that reach the disk: write_bytes - cancelled_write_bytes (not below zero).
  uint64_t DiskBytes() const {
    return write_bytes > cancelled_write_bytes ? write_bytes - cancelled_write_bytes : 0;
  }
};

// This process's counters now; all zero if /proc/self/io cannot be read.
IoCounters ReadIoCounters();
IoCounters operator-(const IoCounters& after, const IoCounters& before);

// "ext4", "tmpfs", "xfs", "btrfs", "overlay", ... or "unknown (0x...)": the type of the
// filesystem that holds `dir`.
std::string FilesystemType(const std::string& dir);

}  // namespace ef::bench
