#ifndef TPSWEEP_COPENBLAS_SHIM_H
#define TPSWEEP_COPENBLAS_SHIM_H
// cblas.h comes with OpenBLAS (there is no separate cblas pkg-config entry on Debian).
#include <cblas.h>

// LAPACK: libopenblas exports the reference Fortran routines, but Debian ships no lapack.h with
// it, so the few the engine calls are declared here (column-major, arguments by pointer; the
// hidden lengths of single-character arguments are not needed on x86-64).
void sgetrf_(const int *m, const int *n, float *a, const int *lda, int *ipiv, int *info);
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void sgetrs_(const char *trans, const int *n, const int *nrhs, const float *a, const int *lda,
             const int *ipiv, float *b, const int *ldb, int *info);
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda,
             const int *ipiv, double *b, const int *ldb, int *info);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);
#endif
