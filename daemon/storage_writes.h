// StorageWrites: how many bytes this process caused to be written to storage since it
// started (the kernel's write_bytes in /proc/self/io: what reaches the block layer, WAL,
// checkpoints and the sequence lease included), the figure that wears a flash card out.
// Linux only; 0 where /proc/self/io cannot be read. Thread-safe (reads a file).
#pragma once

#include <cstdint>
#include <string>

namespace ef::daemon {

// write_bytes of /proc/<pid>/io ("self" by default); 0 when unreadable.
uint64_t ProcessWriteBytes(const std::string& pid = "self");

}  // namespace ef::daemon
