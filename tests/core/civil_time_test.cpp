// Civil dates as day counts: the epoch, leap years (also the century rules), dates before
// 1970, against values worked out independently (date -u -d ... +%s / 86400).
#include "core/civil_time.h"

#include <doctest/doctest.h>

namespace ef {
namespace {

TEST_CASE("civil time: days since 1970-01-01") {
  struct Case {
    int64_t year, month, day, days;
  };
  const Case cases[] = {
      {1970, 1, 1, 0},       {1970, 1, 2, 1},         {1969, 12, 31, -1},
      {1972, 2, 29, 789},    {1972, 3, 1, 790},       {2000, 2, 29, 11016},
      {2000, 3, 1, 11017},   {2100, 3, 1, 47541},     {2100, 2, 28, 47540},
      {2026, 11, 30, 20787}, {1900, 1, 1, -25567},    {1600, 1, 1, -135140},
  };
  for (const Case& c : cases) {
    CAPTURE(c.year);
    CAPTURE(c.month);
    CAPTURE(c.day);
    CHECK(DaysFromCivil(c.year, c.month, c.day) == c.days);
  }
}

TEST_CASE("civil time: consecutive days across every month boundary of a leap year") {
  constexpr int64_t kLengths[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t expected = DaysFromCivil(2024, 1, 1);
  for (int64_t month = 1; month <= 12; ++month) {
    for (int64_t day = 1; day <= kLengths[month - 1]; ++day) {
      CHECK(DaysFromCivil(2024, month, day) == expected);
      ++expected;
    }
  }
  CHECK(DaysFromCivil(2025, 1, 1) == expected);
}

}  // namespace
}  // namespace ef
