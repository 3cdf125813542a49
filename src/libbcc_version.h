/* libbcc's version: from bcc_version.h, or from pkg-config without it. */
#ifndef TCPLIFE_LIBBCC_VERSION_H
#define TCPLIFE_LIBBCC_VERSION_H

/* config.h must come first: it says whether the header exists. */
#ifdef HAVE_BCC_BCC_VERSION_H
#include <bcc/bcc_version.h>
#else
#define LIBBCC_VERSION LIBBCC_PC_VERSION
#endif

#endif
