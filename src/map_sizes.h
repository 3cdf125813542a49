/*
 * Sizes of the BPF program's maps, defined here only: user space sizes its
 * own arrays from them and passes them to the BPF text with -D, so the two
 * cannot disagree and --ebpf shows what was compiled.
 */
#ifndef TCPLIFE_MAP_SIZES_H
#define TCPLIFE_MAP_SIZES_H

/* Sessions tracked at once by default (--map-entries). */
#define DEFAULT_MAP_ENTRIES 10240

/* The port filters' bitmaps: one bit per port, in 64-bit words. */
#define PORT_BITMAP_WORDS (65536 / 64)

/*
 * The map that remembers untracked sessions (see the BPF text): as large
 * as the session map, but at least 4096 entries so that a tiny
 * --map-entries still counts exactly, and at most 65536.
 */
#define UNTRACKED_MIN_ENTRIES 4096UL
#define UNTRACKED_MAX_ENTRIES 65536UL
#define UNTRACKED_ENTRIES(n) ((n) < UNTRACKED_MIN_ENTRIES ? \
			      UNTRACKED_MIN_ENTRIES : \
			      (n) > UNTRACKED_MAX_ENTRIES ? \
			      UNTRACKED_MAX_ENTRIES : (n))

#endif
