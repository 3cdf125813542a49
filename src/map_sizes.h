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

#endif
