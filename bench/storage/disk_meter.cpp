#include "bench/storage/disk_meter.h"

#include <sys/vfs.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <utility>

namespace ef::bench {

IoCounters ReadIoCounters() {
  IoCounters io;
  std::ifstream file("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (file >> key >> value) {
    if (key == "wchar:") io.wchar = value;
    if (key == "write_bytes:") io.write_bytes = value;
    if (key == "cancelled_write_bytes:") io.cancelled_write_bytes = value;
  }
  return io;
}

IoCounters operator-(const IoCounters& after, const IoCounters& before) {
  auto minus = [](uint64_t a, uint64_t b) { return a > b ? a - b : 0; };
  return {minus(after.wchar, before.wchar), minus(after.write_bytes, before.write_bytes),
          minus(after.cancelled_write_bytes, before.cancelled_write_bytes)};
}

std::string FilesystemType(const std::string& dir) {
  struct statfs fs {};
  if (statfs(dir.c_str(), &fs) != 0) return "unknown";
  static constexpr std::array<std::pair<uint64_t, const char*>, 8> kTypes = {{
      {0xEF53, "ext4"},
      {0x01021994, "tmpfs"},
      {0x58465342, "xfs"},
      {0x9123683E, "btrfs"},
      {0x794C7630, "overlay"},
      {0x2FC12FC1, "zfs"},
      {0xF2F52010, "f2fs"},
      {0x6969, "nfs"},
  }};
  const auto type = static_cast<uint64_t>(fs.f_type);
  for (const auto& [magic, name] : kTypes) {
    if (magic == type) return name;
  }
  char text[40];
  std::snprintf(text, sizeof text, "unknown (0x%llx)", static_cast<unsigned long long>(type));
  return text;
}

}  // namespace ef::bench
