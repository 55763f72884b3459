#ifndef TPSWEEP_CZLIB_SHIM_H
#define TPSWEEP_CZLIB_SHIM_H
#include <zlib.h>
#endif
