/* A set of ports, as -L and -D give them and the program's bitmaps hold them. */
#ifndef TCPLIFE_PORT_SET_H
#define TCPLIFE_PORT_SET_H

#include <stdint.h>

#include "map_sizes.h"

/* One bit per port; the same layout as the BPF program's bitmap maps. */
struct port_set {
	uint64_t bits[PORT_BITMAP_WORDS];
	unsigned int count;
};

#endif
