/* The most SQLite itself can do with the cc-sink schema on this machine:
 * 1,000,000 rows shaped like decoded Transfers, bound from constant-ish
 * strings (no JSON, no parsing) into the same table, indexes and pragmas,
 * one transaction and fsync per 10,000 rows, as cc-sink does at each marker.
 *
 *   cc -O2 bench/sqlite-floor.c -lsqlite3 -o /tmp/sqlite-floor
 *   /tmp/sqlite-floor /tmp/floor.db new     # the unique key cc-sink uses
 *   /tmp/sqlite-floor /tmp/floor.db old     # unique on (chain_id, block_hash, log_index)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* 0x + 64 pseudo-random hex digits derived from seed. */
static void hash(char *out, unsigned long long seed) {
  static const char *hex = "0123456789abcdef";
  out[0] = '0', out[1] = 'x';
  for (int i = 0; i < 64; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    out[2 + i] = hex[(seed >> 33) & 15];
  }
  out[66] = 0;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s DB new|old\n", argv[0]); return 2; }
  const char *path = argv[1];
  int legacy = strcmp(argv[2], "old") == 0;
  char side[4096];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path); unlink(side);
  snprintf(side, sizeof side, "%s-shm", path); unlink(side);

  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3 *db;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, 0)) return 1;
  const char *cols =
      "CREATE TABLE events (chain_id INTEGER NOT NULL, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL,"
      " block_timestamp INTEGER, transaction_hash TEXT, transaction_index INTEGER, log_index INTEGER NOT NULL,"
      " address TEXT, event TEXT, signature TEXT, args TEXT);";
  char schema[2048];
  snprintf(schema, sizeof schema,
           "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=%d;"
           " PRAGMA wal_autocheckpoint=%d; %s %s"
           " CREATE INDEX events_address ON events(address); CREATE INDEX events_event ON events(event);",
           legacy ? 16384 : 65536, legacy ? -524288 : -65536, legacy ? 16384 : 4096, cols,
           legacy ? "CREATE UNIQUE INDEX k ON events(chain_id, block_hash, log_index);"
                    " CREATE INDEX events_block_number ON events(block_number);"
                  : "CREATE UNIQUE INDEX events_block_number ON events(block_number, chain_id, block_hash, log_index);");
  char *err = 0;
  if (sqlite3_exec(db, schema, 0, 0, &err)) { fprintf(stderr, "%s\n", err); return 1; }
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "INSERT INTO events VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) ON CONFLICT DO NOTHING",
                         -1, &st, 0)) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
  char block_hash[67], tx_hash[67], address[43] = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";
  const char *args = "{\"from\":\"0x721Ac1Ad09E70660288844B63605c5Cdb4917fE0\",\"to\":"
                     "\"0xC4a671bcC999fc8c08f608BEa9a4A8A0616BAa2D\",\"value\":\"31324657665644176791600659827\"}";
  long block = 19000000;
  int log_index = 0;
  double t0 = now();
  sqlite3_exec(db, "BEGIN", 0, 0, 0);
  hash(block_hash, block);
  for (int i = 0; i < 1000000; i++) {
    if (i % 4 == 0 && i) { block++; log_index = 0; hash(block_hash, block); }
    hash(tx_hash, 1000000007ULL + i);
    address[5 + (i % 20) % 10] = '0' + (i % 20) % 10; /* 20 token contracts */
    sqlite3_bind_int64(st, 1, 1);
    sqlite3_bind_int64(st, 2, block);
    sqlite3_bind_text(st, 3, block_hash, 66, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, 1705000000 + block);
    sqlite3_bind_text(st, 5, tx_hash, 66, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, log_index);
    sqlite3_bind_int64(st, 7, log_index++);
    sqlite3_bind_text(st, 8, address, 42, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, "Transfer", 8, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, "Transfer(address,address,uint256)", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, args, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    sqlite3_reset(st);
    if ((i + 1) % 10000 == 0) sqlite3_exec(db, "COMMIT; BEGIN", 0, 0, 0);
  }
  sqlite3_exec(db, "COMMIT", 0, 0, 0);
  double t = now() - t0;
  printf("%s key: %.2f s, %.0f rows/s\n", legacy ? "old" : "new", t, 1e6 / t);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return 0;
}
