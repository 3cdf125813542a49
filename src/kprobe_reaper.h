/* The privileged remainder that removes a legacy kprobe once the tool ends. */
#ifndef TCPLIFE_KPROBE_REAPER_H
#define TCPLIFE_KPROBE_REAPER_H

/*
 * Forks a child that keeps uid 0 (with no capability) and, once this
 * process has exited in any way, removes EVENT from kprobe_events.
 * Returns 0, or -errno when no child could be started.
 */
int kprobe_reaper_start(const char *event);

#endif
