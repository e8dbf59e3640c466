#include "daemon/storage_writes.h"

#include <fstream>

namespace ef::daemon {

uint64_t ProcessWriteBytes(const std::string& pid) {
  std::ifstream io("/proc/" + pid + "/io");
  std::string key;
  uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

}  // namespace ef::daemon
