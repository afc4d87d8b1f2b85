/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_int.h — internals of egate-host's network child shared by net.c (the
 * event loop, TLS, frames, kiosk events) and console.c (kiosk status and the
 * officer console). Not a public interface.
 */
#ifndef EGATE_HOST_NET_INT_H
#define EGATE_HOST_NET_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "audit.h"
#include "confpush.h"
#include "egate/buf.h"
#include "egate/conf.h"
#include "egate/log.h"
#include "egate/tls.h"
#include "frame.h"
#include "host.h"
#include "seal.h"

struct console;
struct seal_key;

enum conn_state { C_HANDSHAKE, C_HELLO, C_READY, C_CLOSING };

struct conn {
	int fd;
	struct eg_tls *tls;
	struct frame_dec *dec;
	enum conn_state st;
	bool refused;			/* C_HANDSHAKE: refused, alert sent, lingering */
	char peer[64];			/* address:port */
	char cn[AUDIT_KIOSK_ID_MAX + 1];
	char ou[16];
	int64_t not_after_s;		/* the peer certificate's notAfter (Unix s); 0 unknown */
	struct eg_wbuf out;		/* framed messages not yet written */
	size_t wpending;		/* length of a TLS write that returned BUSY */
	uint32_t evmask;		/* registered epoll events */
	int64_t created_ms, last_rx_ms, close_at_ms;
	bool ack_blocked;		/* an event got no Ack: later ones must not be acked */
	uint64_t high_seq;		/* highest seq durable at Hello or received since */
	uint64_t events, acks, last_acked;
	char hb_state[32];
	uint32_t hb_pending;
	bool officer;			/* an officer's console (OU=officer), not a kiosk */
	uint32_t version;		/* protocol version chosen at Hello */
	uint64_t subscription;		/* officer: request_id of its SUBSCRIBE, 0 = none */
	struct conn *prev, *next;
};

struct pending {
	struct conn *c;			/* NULL once the connection closed */
	uint64_t seq;
};

struct net {
	struct eg_host_conf conf;
	struct eg_log lg;
	struct eg_tls_conf *tls;
	struct seal_key *seal;		/* the TLS key, to open sealed identifiers */
	struct seal_stats seal_logged;	/* its counters as last logged */
	int64_t seal_log_ms;
	int ep, lfd, sfd, ps;
	struct conn *conns;
	size_t nconns;
	size_t nhandshakes;		/* of nconns, still in the TLS handshake */
	size_t conn_budget;		/* most connections the fd limit allows */
	size_t handshake_max;		/* most handshakes at once */
	int64_t accept_paused_until;	/* the listener is off until then (fd shortage) */
	int64_t evict_logged_ms, refuse_logged_ms, accept_err_logged_ms;
	uint64_t evicted, accept_errors, refused_full;
	int64_t tickets_fetched_ms;	/* last PS_TICKET_KEYS */
	int64_t crl_checked_ms;	/* last CRL expiry check */
	bool stopping;
	/* the batch being collected */
	struct eg_wbuf batch;
	struct pending pend[HOST_BATCH_MAX];
	size_t npend;
	struct pending infl[HOST_BATCH_MAX];	/* the batch the monitor is committing */
	size_t ninfl;
	bool busy;
	int64_t batch_first_ms;
	uint8_t *resp;
	uint64_t batches, stored;
	struct console *con;		/* kiosk status and officer commands (console.c) */
	struct confpush cfg;		/* the pushed policy (confpush.h) */
};

/* net.c: queue a message on c (written at the next safe point). */
int conn_send(struct net *n, struct conn *c, const Egate__Envelope *env);
/* net.c: queue Error{code}; fatal closes c after it is written. */
void conn_error(struct net *n, struct conn *c, Egate__ErrorCode code, bool fatal, uint64_t seq,
    const char *reason);
/* net.c: one synchronous request to the monitor after everything in flight
 * was answered; resp gets the answer body. Returns the monitor's rc; exits
 * the child if the monitor is gone. */
int net_monitor_call(struct net *n, const void *req, size_t len, uint8_t type, struct eg_rbuf *resp);

/* ---- console.c ---------------------------------------------------------------- */

/* console_new — empty registry; NULL on allocation failure. */
struct console *console_new(void);
void console_free(struct console **con);
/* A kiosk completed Hello on c (firmware and config versions reported). */
void console_kiosk_online(struct net *n, struct conn *c, const Egate__Hello *h);
/* c is about to be freed: forget it everywhere. */
void console_conn_gone(struct net *n, struct conn *c);
/* Messages from a kiosk. */
void console_heartbeat(struct net *n, struct conn *c, const Egate__Heartbeat *hb);
/* officer: the officer the audit record names (verified), NULL if none. */
void console_passage(struct net *n, struct conn *c, const Egate__PassageEvent *e, const char *json,
    const char *officer);
/* The pictures of a referral (version 2): memory only, never stored or logged. */
void console_images(struct net *n, struct conn *c, const Egate__ReferralImages *m);
void console_command_result(struct net *n, struct conn *c, const Egate__CommandResult *r);
void console_config_applied(struct net *n, struct conn *c, const Egate__ConfigApplied *a);
/* A request from an officer's console (c->officer). */
void console_officer_request(struct net *n, struct conn *c, const Egate__OfficerRequest *q);
/* Once a second: commands the kiosk did not answer in time. */
void console_tick(struct net *n);

#endif
