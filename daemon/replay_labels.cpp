#include "daemon/replay_labels.h"

#include <simdjson.h>

#include "daemon/replay_csv.h"

namespace ef::daemon {
namespace {

std::string BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

Result<std::vector<LabelWindow>> ReadLabelWindows(const std::string& labels_path,
                                                  const std::string& csv_path) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load(labels_path).get(doc) != simdjson::SUCCESS) {
    return Status::InvalidArgument(labels_path + ": not a readable JSON file");
  }
  simdjson::dom::object files;
  if (doc.get_object().get(files) != simdjson::SUCCESS) {
    return Status::InvalidArgument(labels_path + ": expected an object of files");
  }
  const std::string name = BaseName(csv_path);
  std::vector<LabelWindow> windows;
  for (const auto field : files) {
    if (BaseName(field.key) != name) continue;
    simdjson::dom::array list;
    if (field.value.get_array().get(list) != simdjson::SUCCESS) {
      return Status::InvalidArgument(labels_path + ": '" + std::string(field.key) +
                                     "' is not a list of windows");
    }
    for (const auto pair : list) {
      std::string_view start, end;
      if (pair.at(0).get_string().get(start) != simdjson::SUCCESS ||
          pair.at(1).get_string().get(end) != simdjson::SUCCESS) {
        return Status::InvalidArgument(labels_path + ": a window of '" +
                                       std::string(field.key) + "' is not [start, end]");
      }
      auto s = ParseTimestamp(start);
      auto e = ParseTimestamp(end);
      if (!s.ok() || !e.ok()) {
        return Status::InvalidArgument(labels_path + ": " +
                                       (s.ok() ? e.status() : s.status()).message());
      }
      windows.push_back({*s, *e});
    }
  }
  return windows;
}

}  // namespace ef::daemon
