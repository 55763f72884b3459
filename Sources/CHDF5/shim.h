#ifndef TPSWEEP_CHDF5_SHIM_H
#define TPSWEEP_CHDF5_SHIM_H
// HDF5 (serial, 1.10 API) for Swift. The library is found through pkg-config `hdf5`.
//
// Swift imports HDF5's functions but not its function-like macros: the predefined type ids
// (H5T_NATIVE_*, H5T_STD_*, H5T_C_S1), the property-list classes, the file access flags and the
// "default"/"all" sentinels are macros that call H5open() and read a global. Each wrapper below
// returns what the macro of the same name (without the `tp_` prefix) yields in C.
#include <hdf5.h>

// Sentinels. H5P_DEFAULT imports as Int32 in Swift; hid_t is Int64.
static inline hid_t tp_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t tp_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t tp_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline size_t tp_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline hsize_t tp_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }

// File access flags.
static inline unsigned tp_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned tp_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned tp_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned tp_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

// Property-list classes.
static inline hid_t tp_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t tp_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t tp_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }
static inline hid_t tp_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t tp_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t tp_H5P_ATTRIBUTE_CREATE(void) { return H5P_ATTRIBUTE_CREATE; }

// Native (in-memory) types.
static inline hid_t tp_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t tp_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t tp_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t tp_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t tp_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t tp_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }

// Standard (in-file) types: little-endian, what h5py and numpy write on x86 and ARM.
static inline hid_t tp_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t tp_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t tp_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t tp_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t tp_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t tp_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }

// The C string base type (copy it, then set size H5T_VARIABLE and cset UTF-8).
static inline hid_t tp_H5T_C_S1(void) { return H5T_C_S1; }

// Calls whose public name is a version-switched macro in HDF5 1.12+ (H5Lget_info → H5Lget_info2,
// H5Dvlen_reclaim → H5Treclaim): wrapped here so the Swift side compiles against 1.10 and later.

/// The type of the link `name` in `loc` (H5L_TYPE_HARD, _SOFT, _EXTERNAL) and, for soft and
/// external links, the size of its value; -1 with the error stack set on failure.
static inline int tp_link_info(hid_t loc, const char *name, size_t *val_size) {
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    if (val_size) *val_size = info.type == H5L_TYPE_HARD ? 0 : info.u.val_size;
    return (int)info.type;
}

/// Frees the variable-length data (strings) that a read into `buf` allocated.
static inline herr_t tp_vlen_reclaim(hid_t type, hid_t space, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

#endif
