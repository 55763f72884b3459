#ifndef TPSWEEP_CMPI_SHIM_H
#define TPSWEEP_CMPI_SHIM_H
// Open MPI's C API for Swift. Most MPI constants are macros (often casts of the address of a
// predefined global) that Swift cannot import; each gets a tiny `static inline` wrapper here.
#include <mpi.h>

// Communicators, datatypes, error handlers.
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Errhandler cmpi_errors_are_fatal(void) { return MPI_ERRORS_ARE_FATAL; }

// Wildcards and ignorable arguments.
static inline int cmpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int cmpi_any_tag(void) { return MPI_ANY_TAG; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int cmpi_undefined(void) { return MPI_UNDEFINED; }

// Thread support levels (an enum in Open MPI, re-exported as plain ints).
static inline int cmpi_thread_single(void) { return MPI_THREAD_SINGLE; }
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int cmpi_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }

// Sizes and return codes.
static inline int cmpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_err_other(void) { return MPI_ERR_OTHER; }
static inline int cmpi_err_count(void) { return MPI_ERR_COUNT; }
static inline int cmpi_err_rank(void) { return MPI_ERR_RANK; }

// Status fields (named by macros in some MPI implementations).
static inline int cmpi_status_source(const MPI_Status *s) { return s->MPI_SOURCE; }
static inline int cmpi_status_tag(const MPI_Status *s) { return s->MPI_TAG; }
static inline int cmpi_status_error(const MPI_Status *s) { return s->MPI_ERROR; }

#endif
