// Civil (calendar) dates as day counts, for parsing timestamps written as text (RFC 3339 in
// the decoder, CSV times in replay) without the C library's time zone state: timegm() is not
// standard and mktime() reads the local zone.
//
// Pure arithmetic on the proleptic Gregorian calendar; thread-safe.
#pragma once

#include <cstdint>

namespace ef {

// Days since 1970-01-01 of the date year-month-day (negative before it), after Howard
// Hinnant's days_from_civil. REQUIRES: 1 <= month <= 12, 1 <= day <= 31; the day is not
// checked against the month's length (Feb 30 is Mar 1 or 2), so callers check what they need.
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day);

}  // namespace ef
