#ifndef CC_SQLITE_SHIM_H
#define CC_SQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot
// import as a constant.
static inline sqlite3_destructor_type cc_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type cc_sqlite_static(void) { return SQLITE_STATIC; }

// sqlite3_config is variadic. Memory statistics take a global mutex on every
// allocation; the sink never reads them.
static inline int cc_sqlite_disable_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
#endif
