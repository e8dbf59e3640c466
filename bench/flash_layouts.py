#!/usr/bin/python3
# Flash wear by storage layout: bytes written to storage per event (this process's
# write_bytes, /proc/self/io: WAL, checkpoints, deletes) for 30,000 ~110-byte JSON events
# written in groups of 171 and then deleted, as edgeferry's outage case does (write-behind
# writes ~171 events a group at 1,000 events/s; the drain deletes ~2,000 a group). SQLite
# through Python's sqlite3 (Debian's libsqlite3, as the daemon), WAL, synchronous=NORMAL,
# wal_autocheckpoint=1000 pages. Layouts:
#   rows          one row per event with edgeferry's stream-table columns (today's layout)
#   rows_g1000    the same, groups of 1,000 events
#   rows_rollback the same with a rollback journal (journal_mode=TRUNCATE) instead of WAL
#   chunk_zN      one row per group: its events concatenated and zlib level N compressed
#                 (0 = stored), deleted row by row; secure_delete ON (Debian's default) or
#                 FAST (freed overflow pages are not zeroed, so not written)
# Payloads and the fields blob are synthetic stand-ins (ef-mqtt-load-like JSON), so the
# compression ratio is indicative. Files in a temp dir, removed at the end. No build needed.
# The last stdout line is one JSON object (bytes per event, payload size).
#   bench/flash_layouts.py [--events 30000]
import json, os, random, shutil, sqlite3, struct, sys, tempfile, zlib

N = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == '--events' else 30000
DELETE_RUN = 2000


def write_bytes():
    with open('/proc/self/io') as io:
        for line in io:
            if line.startswith('write_bytes:'):
                return int(line.split()[1])
    return 0


def payload(i, rnd):
    return ('{"ts":%d,"counter":%d,"temp":%.2f,"humidity":%.1f,"pressure":%.1f,"status":"ok"}'
            % (1764490000000 + i, i // 20, 20 + rnd.random() * 5, 40 + rnd.random() * 10,
               1000 + rnd.random() * 20)).encode()


def fields(rnd):  # a stand-in of core/field_codec.h's encoding of four fields
    return (b'\x04\x04temp\x03' + struct.pack('<d', rnd.random()) + b'\x08humidity\x03' +
            struct.pack('<d', rnd.random()) + b'\x08pressure\x03' + struct.pack('<d', 2.0) +
            b'\x06status\x04\x02ok')


def open_db(path, journal, secure):
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ('journal_mode=' + journal, 'synchronous=NORMAL', 'wal_autocheckpoint=1000',
                   'journal_size_limit=4096000', 'secure_delete=' + secure):
        db.execute('PRAGMA ' + pragma)
    return db


def rows(path, group, journal='WAL', secure='ON'):
    db = open_db(path, journal, secure)
    db.execute("CREATE TABLE q (seq INTEGER PRIMARY KEY, device TEXT NOT NULL, origin TEXT NOT"
               " NULL, event_time INTEGER NOT NULL, ingest_time INTEGER NOT NULL, quality INTEGER"
               " NOT NULL, format INTEGER NOT NULL, size INTEGER NOT NULL, payload BLOB NOT NULL,"
               " fields BLOB NOT NULL DEFAULT x'')")
    rnd = random.Random(1)
    start = write_bytes()
    for g in range(0, N, group):
        db.execute('BEGIN IMMEDIATE')
        for i in range(g, min(N, g + group)):
            d, p = 'dev-%02d' % (i % 20), payload(i, rnd)
            db.execute('INSERT INTO q VALUES (?,?,?,?,?,?,?,?,?,?)',
                       (i + 1, d, 'plant/%s/telemetry' % d, 1764490000000 + i,
                        1764490000000 + i, 0, 1, len(p) + 60, p, fields(rnd)))
        db.execute('COMMIT')
    for g in range(0, N, DELETE_RUN):
        db.execute('BEGIN IMMEDIATE')
        db.execute('DELETE FROM q WHERE seq BETWEEN ? AND ?', (g + 1, g + DELETE_RUN))
        db.execute('COMMIT')
    db.execute('PRAGMA wal_checkpoint(PASSIVE)' if journal == 'WAL' else 'SELECT 1')
    db.close()
    return (write_bytes() - start) / N


def chunks(path, level, secure, group=171):
    db = open_db(path, 'WAL', secure)
    db.execute('CREATE TABLE c (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL,'
               ' data BLOB NOT NULL)')
    rnd = random.Random(1)
    start = write_bytes()
    firsts = []
    for g in range(0, N, group):
        buf = bytearray()
        for i in range(g, min(N, g + group)):
            d, p = ('dev-%02d' % (i % 20)).encode(), payload(i, rnd)
            buf += (struct.pack('<qqBBH', 1764490000000 + i, 1764490000000 + i, 0, 1, len(p)) +
                    d + b'\0plant/' + d + b'/telemetry\0' + p + fields(rnd))
        db.execute('INSERT INTO c VALUES (?,?,?)',
                   (g + 1, min(N, g + group), zlib.compress(bytes(buf), level)))
        firsts.append(g + 1)
    per_delete = max(1, DELETE_RUN // group)
    for k in range(0, len(firsts), per_delete):
        db.execute('BEGIN IMMEDIATE')
        for first in firsts[k:k + per_delete]:
            db.execute('DELETE FROM c WHERE first_seq = ?', (first,))
        db.execute('COMMIT')
    db.execute('PRAGMA wal_checkpoint(PASSIVE)')
    db.close()
    return (write_bytes() - start) / N


def main():
    work = tempfile.mkdtemp(prefix='ef-flash-layouts-', dir=os.environ.get('TMPDIR', '/tmp'))
    try:
        rnd = random.Random(1)
        size = sum(len(payload(i, rnd)) for i in range(1000)) / 1000
        cases = [('rows', lambda p: rows(p, 171)), ('rows_g1000', lambda p: rows(p, 1000)),
                 ('rows_rollback', lambda p: rows(p, 171, 'TRUNCATE'))]
        for secure in ('ON', 'FAST'):
            for level in (0, 1, 6):
                cases.append(('chunk_z%d_secure_%s' % (level, secure.lower()),
                              lambda p, l=level, s=secure: chunks(p, l, s)))
        result = {'bench': 'flash_layouts', 'events': N, 'payload_bytes': round(size, 1)}
        print('sqlite %s, %d events of ~%.0f-byte payloads' % (sqlite3.sqlite_version, N, size),
              file=sys.stderr)
        print('%-22s %12s %10s' % ('layout', 'bytes/event', 'x payload'))
        for k, (name, run) in enumerate(cases):
            b = run(os.path.join(work, 'q%d.db' % k))
            result[name] = round(b, 1)
            print('%-22s %12.1f %10.2f' % (name, b, b / size))
        print(json.dumps(result, separators=(',', ':')))
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
