#include "core/civil_time.h"

namespace ef {

int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  // Years start in March, so the leap day is the last day of the previous year.
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace ef
