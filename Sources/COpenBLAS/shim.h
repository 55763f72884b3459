#ifndef TPSWEEP_COPENBLAS_SHIM_H
#define TPSWEEP_COPENBLAS_SHIM_H
// cblas.h comes with OpenBLAS (there is no separate cblas pkg-config entry on Debian).
#include <cblas.h>
#endif
