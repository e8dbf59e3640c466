// `edgeferry probe modbus ...`: reads a block of registers once and prints them raw and, for
// every 2- and 4-register group, as each numeric type in all four byte orders, so that a user
// finds a point's `type` and `byte_order` in a minute.
//
//   probe modbus (--tcp host:port | --rtu /dev/ttyUSB0 [--baud N] [--parity N|E|O])
//                --slave N --register holding|input|coil|discrete --start A --count C
//                [--timeout-ms T]
//
// A timeout, an exception reply or a connection failure is one line on stderr and exit
// status 1; bad arguments exit with 2.
#pragma once

#include <string>
#include <vector>

namespace ef::daemon {

// `words` are the arguments after "probe". Prints to stdout and stderr; returns the exit code.
int RunProbeCommand(const std::vector<std::string>& words);

}  // namespace ef::daemon
