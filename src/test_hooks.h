/* Environment hooks the test suite steers the tool with, in its build only. */
#ifndef TCPLIFE_TEST_HOOKS_H
#define TCPLIFE_TEST_HOOKS_H

#include <stdlib.h>

/*
 * test_hook("NAME") is $TCPLIFE_TEST_NAME in tests/tcplife-bcc-test, built
 * with -DTCPLIFE_TEST_HOOKS for `make check`, and NULL in the installed
 * tool: there the names are not even in the binary, so `sudo -E` or an
 * env_keep rule cannot steer what root loads.
 */
#ifdef TCPLIFE_TEST_HOOKS
#define test_hook(name) ((const char *)getenv("TCPLIFE_TEST_" name))
#else
#define test_hook(name) ((const char *)NULL)
#endif

#endif
