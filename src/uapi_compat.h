/* Opaque uapi <linux/bpf.h> structs that libbcc's own copy lacks. */
#ifndef TCPLIFE_UAPI_COMPAT_H
#define TCPLIFE_UAPI_COMPAT_H

/*
 * Definitions, on one line, of the structs in SOURCE_DIR's
 * include/uapi/linux/bpf.h that hold only __uN members and that the
 * libbcc at LIBBCC_PATH does not define; NULL when there are none or
 * either file cannot be read.  The result is malloc()ed.
 */
char *uapi_compat_defs(const char *source_dir, const char *libbcc_path);

#endif
