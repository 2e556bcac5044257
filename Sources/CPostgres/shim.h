#ifndef CC_POSTGRES_SHIM_H
#define CC_POSTGRES_SHIM_H
// Debian's libpq-dev puts the header under postgresql/ (pkg-config adds the directory).
#include <libpq-fe.h>
#endif
