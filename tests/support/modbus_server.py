#!/usr/bin/python3
"""A Modbus device for edgeferry's tests and benchmark: Debian's pymodbus 3.0 as a TCP server on
127.0.0.1 or an RTU server on a serial line (one end of a socat pty pair).

Every answering slave holds the same known register contents (see LAYOUT in
tests/support/modbus_server.h, which must match `known_registers` below); holding register 40
counts up every 100 ms, coil 10 toggles with it. Slaves named by --silent are never answered
(requests to them time out). The number of read requests each slave served is written to
--stats as "slave count" lines after every request (atomically: write, then rename), so a test
can count what edgeferry asked for; --times FILE gets "slave monotonic-seconds" per request at
exit (for bench/modbus.sh). --ready FILE is created once the server listens (TCP) or has
opened the serial line (RTU). SIGTERM stops the server.
"""
import argparse
import asyncio
import os
import signal
import struct
import time

from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                ModbusSlaveContext)
from pymodbus.server import ServerAsyncStop, StartAsyncSerialServer, StartAsyncTcpServer
# The start helpers' own loop, called after our ready hook (pymodbus 3.0 has no public one).
from pymodbus.server.async_io import _helper_run_server
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer


def words(fmt, value, order):
    """The registers of `value` packed big-endian with `fmt`, sent in byte order `order`."""
    raw = struct.pack(">" + fmt, value)
    if order in ("BADC", "DCBA"):
        raw = b"".join(raw[i + 1:i + 2] + raw[i:i + 1] for i in range(0, len(raw), 2))
    regs = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
    if order in ("CDAB", "DCBA"):
        regs.reverse()
    return regs


def known_registers():
    regs = []
    for order in ("ABCD", "CDAB", "BADC", "DCBA"):  # 0..7 FLOAT32 1.5; 8..15 INT32 -100000
        regs += words("f", 1.5, order)
    for order in ("ABCD", "CDAB", "BADC", "DCBA"):
        regs += words("i", -100000, order)
    for order in ("ABCD", "CDAB", "BADC", "DCBA"):  # 16..31 FLOAT64 -2.5
        regs += words("d", -2.5, order)
    regs += words("h", -2, "ABCD")                # 32 INT16
    regs += words("H", 65000, "ABCD")             # 33 UINT16
    regs += words("I", 3000000000, "CDAB")        # 34..35 UINT32
    regs += words("q", -5, "ABCD")                # 36..39 INT64
    regs += [0]                                   # 40 counter
    regs += words("Q", 0x0102030405060708, "DCBA")  # 41..44 UINT64
    regs += [0x504C, 0x432D, 0x3700]              # 45..47 STRING "PLC-7"
    regs += [0x0005]                              # 48 bits 0 and 2 set
    regs += [0] * (100 - len(regs))
    return regs


class CountingSlave(ModbusSlaveContext):
    def __init__(self, unit, stats, **kwargs):
        super().__init__(**kwargs)
        self.unit = unit
        self.stats = stats

    def getValues(self, fc_as_hex, address, count=1):
        if fc_as_hex in (1, 2, 3, 4):
            self.stats.count(self.unit)
        return super().getValues(fc_as_hex, address, count)


class Stats:
    def __init__(self, path, units, times):
        self.path = path
        self.counts = {u: 0 for u in units}
        self.times = [] if times else None
        self.write()

    def count(self, unit):
        self.counts[unit] += 1
        if self.times is not None:
            self.times.append((unit, time.monotonic()))
        self.write()

    def write(self):
        if not self.path:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write("".join(f"{u} {n}\n" for u, n in sorted(self.counts.items())))
        os.replace(tmp, self.path)


async def tick(slaves):
    n = 0
    while True:
        await asyncio.sleep(0.1)
        n = (n + 1) % 65536
        for ctx in slaves.values():
            ctx.setValues(3, 40, [n])
            ctx.setValues(1, 10, [n % 2])


async def main():
    parser = argparse.ArgumentParser()
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--tcp", type=int, help="port on 127.0.0.1")
    where.add_argument("--rtu", help="serial device (a pty)")
    parser.add_argument("--slaves", default="1", help="answering slave ids, e.g. 1,2")
    parser.add_argument("--stats", default="")
    parser.add_argument("--times", default="")
    parser.add_argument("--ready", default="")
    args = parser.parse_args()

    units = []
    for part in args.slaves.split(","):
        first, _, last = part.partition("-")  # "1-50" is a range
        units += range(int(first), int(last or first) + 1)
    stats = Stats(args.stats, units, args.times)
    slaves = {}
    for unit in units:
        slaves[unit] = CountingSlave(
            unit, stats,
            hr=ModbusSequentialDataBlock(0, known_registers()),
            ir=ModbusSequentialDataBlock(0, [1234, 5678] + [0] * 98),
            co=ModbusSequentialDataBlock(0, [1, 0, 1, 1] + [0] * 96),
            di=ModbusSequentialDataBlock(0, [0, 1] + [0] * 98),
            zero_mode=True)
    context = ModbusServerContext(slaves=slaves, single=False)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(ServerAsyncStop()))
    ticker = asyncio.ensure_future(tick(slaves))
    if args.tcp:
        server = await StartAsyncTcpServer(
            context=context, address=("127.0.0.1", args.tcp), framer=ModbusSocketFramer,
            allow_reuse_address=True, ignore_missing_slaves=True, defer_start=True)
    else:
        server = await StartAsyncSerialServer(
            context=context, port=args.rtu, baudrate=19200, framer=ModbusRtuFramer, bytesize=8,
            parity="N", stopbits=1, ignore_missing_slaves=True, defer_start=True)
        await server.start()

    async def announce():
        if args.tcp:
            await server.serving
        if args.ready:
            open(args.ready, "w").close()

    asyncio.ensure_future(announce())
    await _helper_run_server(server, [])
    ticker.cancel()
    if args.times:
        with open(args.times, "w") as f:
            f.write("".join(f"{u} {t:.6f}\n" for u, t in stats.times))


if __name__ == "__main__":
    asyncio.run(main())
