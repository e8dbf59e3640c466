// OutputPayload: the JSON of a rule's output, names and strings escaped wherever the
// character to escape falls (the fast path tests 8 bytes at a time).
#include "rules/output_payload.h"

#include <doctest/doctest.h>

#include "core/json.h"

namespace ef::rules {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST_CASE("output payloads escape a quote, a backslash or a control character at any position "
          "of strings of any length") {
  for (size_t length = 0; length < 34; ++length) {
    for (const char special : {'"', '\\', '\n', '\x01', '\x1f', ' ', '\x7f', '\xc3'}) {
      // at == length: nothing replaced (the plain string of that length)
      for (size_t at = 0; at <= length; ++at) {
        std::string text(length, 'a');
        if (at < length) text[at] = special;
        Event e;
        e.device_id = text;
        e.fields.push_back({text, text});
        const std::string want = "{\"rule\":\"r\",\"device\":" + Quoted(text) + ",\"group\":" +
                                 Quoted(text) + "," + Quoted(text) + ":" + Quoted(text) + "}";
        CAPTURE(length);
        CAPTURE(at);
        CAPTURE(static_cast<int>(special));
        REQUIRE(OutputPayload("r", text, e) == want);
      }
    }
  }
}

TEST_CASE("output payloads write numbers in their shortest form and non-finite ones as null") {
  Event e;
  e.device_id = "d";
  e.fields = {{"a", 0.1}, {"b", int64_t{-7}}, {"c", true}, {"d", 1.0 / 0.0}};
  CHECK(OutputPayload("r", "d", e) ==
        R"({"rule":"r","device":"d","group":"d","a":0.1,"b":-7,"c":true,"d":null})");
}

}  // namespace
}  // namespace ef::rules
