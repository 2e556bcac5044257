#ifndef CC_SQLITE_SHIM_H
#define CC_SQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot
// import as a constant.
static inline sqlite3_destructor_type cc_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type cc_sqlite_static(void) { return SQLITE_STATIC; }
#endif
