/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.h — internals of egate-host shared by its two processes: the monitor
 * (monitor.c: audit database, signing and HMAC keys) and the network child
 * (net.c: TLS, frames, protobuf). Architecture: docs/host.md.
 */
#ifndef EGATE_HOST_H
#define EGATE_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "egate/conf.h"
#include "egate/log.h"

/* Batching of PassageEvents from all connections into one APPEND_BATCH. */
#define HOST_BATCH_MAX 256		/* events */
#define HOST_BATCH_WINDOW_MS 1		/* oldest event waits at most this long */
/* Connections. */
#define HOST_HANDSHAKE_TIMEOUT_MS 10000
/* Connections still in the TLS handshake, apart from max_kiosks sessions:
 * when full, a new connection evicts the handshake that made progress least
 * recently if that was at least HOST_HANDSHAKE_STALL_MS ago (an idle TCP
 * connection, not a kiosk mid-handshake); otherwise the new one is closed
 * at once and the kiosk retries after its backoff. */
#define HOST_HANDSHAKES_MAX 1024
#define HOST_HANDSHAKE_STALL_MS 500
/* A refused handshake: after its fatal alert the host shuts its side for
 * writing and reads (and drops) what the peer still sends, until the peer
 * closes or this long has passed, so that the peer reads the alert (a close
 * with input unread or still arriving answers with a reset, and the peer's
 * next write fails before it reads the alert). */
#define HOST_REFUSED_LINGER_MS 2000
#define HOST_FD_RESERVE 32		/* descriptors kept for everything but connections */
#define HOST_ACCEPT_PAUSE_MS 100	/* accept failed for want of descriptors: wait */
/* Session-ticket keys ("<db>.tickets", sealed; docs/host.md "Restarts"). */
#define HOST_TICKET_ROTATE_S (12 * 3600)	/* a new sealing key this often */
#define HOST_TICKET_LIFETIME_S (24 * 3600)	/* a ticket opens this long after issue */
#define HOST_TICKET_FETCH_MS (5 * 60 * 1000)	/* the child asks for new keys this often */
#define HOST_CRL_WARN_DAYS 7		/* warn this many days before the CRL expires */
#define HOST_IDLE_TIMEOUT_MS 30000	/* PROTOCOL.md: three missed heartbeats */
#define HOST_FRAME_MAX (256u * 1024u)	/* largest frame a kiosk may send */
#define HOST_SHUTDOWN_DRAIN_MS 3000	/* SIGTERM: time to flush the last acks */
/* Monitor. */
#define HOST_CHILD_RESTART_MAX 5	/* deaths within the window before giving up */
#define HOST_CHILD_RESTART_WINDOW_S 60
#define HOST_PURGE_INTERVAL_S 3600	/* retention purge: at start, then hourly */

/* The argument that starts the network child (re-exec of /proc/self/exe). */
#define HOST_CHILD_ARG "--net-child"
/* The child's exit status when it cannot start with the configured files
 * (TLS certificate, key, CA, CRL): restarting it would fail the same way, so
 * the monitor stops with status 1 instead (sysexits' EX_CONFIG). */
#define HOST_CHILD_EXIT_CONFIG 78

/* host_log_setup — logger for one of the two processes from the config. */
void host_log_setup(struct eg_log *lg, const char *component, const struct eg_host_conf *c);

/* host_now_ms — CLOCK_MONOTONIC in ms (timeouts); host_wall_ms — Unix ms. */
int64_t host_now_ms(void);
int64_t host_wall_ms(void);

/*
 * monitor_run — the privileged side: opens the audit store, binds the
 * listening socket, starts the network child and answers its requests until
 * SIGTERM/SIGINT. Returns the process exit status (0 after a clean stop).
 */
int monitor_run(const char *conf_path, const struct eg_host_conf *c, struct eg_log *lg);

/*
 * net_child_run — the network child after re-exec: ps_fd is its end of the
 * request socket, listen_fd the listening socket. Returns the exit status.
 */
int net_child_run(const char *conf_path, int ps_fd, int listen_fd);

#endif
