/* The BPF program text, embedded at build time by bpf_text/embed.sh. */
#ifndef TCPLIFE_BPF_TEXT_H
#define TCPLIFE_BPF_TEXT_H

extern const char tcplife_bpf_text[];

#endif
