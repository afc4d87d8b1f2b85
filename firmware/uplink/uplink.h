/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uplink.h — the kiosk's protocol client (proto/PROTOCOL.md): it delivers
 * every spooled passage event to egate-host over mutual TLS, exactly in seq
 * order, and deletes an event from the spool only when the host acknowledged
 * it as durable.
 *
 * Threading model (the simpler correct choice, docs/host.md): the uplink
 * runs in its own thread, uplink_run() blocking until uplink_stop(). Inside,
 * the socket is non-blocking and every wait is a poll() on the socket and a
 * wake-up pipe, so uplink_stop() and uplink_submit() (called from the kiosk's
 * own thread) take effect at once. The spool handle is the uplink's and is
 * guarded by a mutex.
 *
 * Cycle: connect (TCP_NODELAY) -> TLS handshake (host certificate must be
 * the deployment CA's with CN = server_name; the last session is offered for
 * resumption) -> Hello -> HelloAck: spool_ack(last_durable_seq) -> replay
 * every unacknowledged event in seq order, then new ones as they are
 * submitted (at most `window` unacknowledged on the wire) -> Ack{n}:
 * spool_ack(n). Any failure closes the connection and the next attempt
 * waits backoff_next() (backoff.h); a working session resets the backoff.
 */
#ifndef EGATE_UPLINK_H
#define EGATE_UPLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "egate.pb-c.h"
#include "egate/log.h"

struct uplink;

/*
 * Host -> kiosk messages that the kiosk itself handles (OfficerCommand,
 * ConfigPush). Called in the uplink thread with a validated envelope that
 * is freed when the call returns: copy what you keep, and hand the work to
 * the kiosk's own thread (never block here).
 */
typedef void (*uplink_msg_fn)(void *ctx, const Egate__Envelope *env);

/* One device's health as a Heartbeat carries it (DeviceStatus). */
#define UPLINK_DEVICES_MAX 8
struct uplink_device {
	char name[16];			/* "reader", "mrz", "camera", "gate", ... */
	Egate__DeviceHealth health;
	char detail[64];		/* why, when not OK; no personal data */
};

/* What the kiosk reports in every Heartbeat (PROTOCOL.md). */
struct uplink_status {
	char state[32];			/* passage machine state name */
	uint64_t referral_seq;		/* referral waiting for an officer, 0 = none */
	bool held;
	uint64_t config_version;	/* applied now */
	char last_decision[16];		/* "OPEN", "REFER", ... ; "" = none yet */
	char last_reason[48];
	int64_t last_ts_ms;
	size_t ndev;			/* devices[0..ndev) */
	struct uplink_device devices[UPLINK_DEVICES_MAX];
};

struct uplink_conf {
	const char *host;		/* address or name of egate-host */
	uint16_t port;
	const char *server_name;	/* CN the host certificate must carry */
	const char *ca, *cert, *key;	/* PEM files: deployment CA, this kiosk */
	const char *spool_path;		/* spool.h database */
	const char *kiosk_id;		/* Hello.kiosk_id_claimed (informative); may be NULL */
	const char *firmware_version;	/* may be NULL */
	uint32_t backoff_base_ms;	/* 0: 500 */
	uint32_t backoff_cap_ms;	/* 0: 30000 */
	uint32_t heartbeat_ms;		/* 0: 10000 (PROTOCOL.md) */
	uint32_t window;		/* events in flight without Ack; 0: 256 */
	uint64_t seed;			/* backoff jitter seed; 0: derived from the kiosk id */
	struct eg_log *log;		/* may be NULL */
	uplink_msg_fn on_message;	/* may be NULL: such messages are logged and dropped */
	void *on_message_ctx;
};

struct uplink_stats {
	bool connected;			/* a session (HelloAck received) is up */
	int64_t down_since_ms;		/* CLOCK_MONOTONIC ms since when no session is
					 * up (uplink_new counts as a start); 0 while
					 * connected */
	uint64_t sessions;		/* HelloAcks received */
	uint64_t resumed;		/* of which over a resumed TLS session */
	uint64_t tls_failures;		/* handshakes refused or failed */
	uint64_t sent;			/* PassageEvents written (resends included) */
	uint64_t acked_seq;		/* highest seq acknowledged as durable */
	uint64_t pending;		/* events in the spool waiting for an Ack */
	bool status_pending;		/* a status change not yet sent in a Heartbeat */
	uint32_t live_pending;		/* live messages (uplink_send) not yet written */
	uint64_t host_config_version;	/* HelloAck.config_version of the last session */
	char last_error[160];		/* why the last attempt or session ended */
};

/*
 * uplink_new — open the spool and load the TLS configuration (the strings
 * of c are copied). *out is owned by the caller (uplink_free).
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM, EG_ERR_DB (spool), EG_ERR_IO /
 * EG_ERR_CERT / EG_ERR_CRYPTO (TLS files; the reason is logged).
 */
int uplink_new(const struct uplink_conf *c, struct uplink **out);

/* uplink_free — close and free; the thread running uplink_run() must have
 * returned. Safe on NULL; sets *u to NULL. */
void uplink_free(struct uplink **u);

/*
 * uplink_run — connect, deliver, reconnect, until uplink_stop(). Returns
 * EG_OK after a stop, or EG_ERR_IO if the wake-up pipe fails.
 */
int uplink_run(struct uplink *u);

/* uplink_stop — make uplink_run() return (thread-safe, async-signal-safe). */
void uplink_stop(struct uplink *u);

/*
 * uplink_submit — check e with proto_msg_validate (seq is assigned here),
 * store it durably in the spool and wake the sender. Thread-safe. *seq
 * (may be NULL) gets the assigned sequence number. The event is packed
 * without its seq; uplink_run() sets it when sending.
 * Errors: EG_ERR_PROTOCOL (invalid event: not spooled), EG_ERR_OVERFLOW,
 * EG_ERR_DB, EG_ERR_NOMEM.
 */
int uplink_submit(struct uplink *u, const Egate__PassageEvent *e, uint64_t *seq);

/*
 * uplink_send — queue one live message for the host (CommandResult,
 * ConfigApplied): validated, packed and sent as soon as a session is up.
 * Live messages are not spooled: a message still queued when the session
 * ends is dropped (the host times the command out; the kiosk reports its
 * configuration again in the next Hello). At most UPLINK_LIVE_MAX queued.
 * Thread-safe; env is borrowed.
 * Errors: EG_ERR_PROTOCOL (invalid), EG_ERR_OVERFLOW (queue full),
 * EG_ERR_NOMEM.
 */
#define UPLINK_LIVE_MAX 32
int uplink_send(struct uplink *u, const Egate__Envelope *env);

/*
 * uplink_set_status — what the next Heartbeat says. A change of state,
 * referral_seq, held, config_version or a device's health sends a
 * Heartbeat at once (at most one per 200 ms). Thread-safe; s is copied.
 */
void uplink_set_status(struct uplink *u, const struct uplink_status *s);

/*
 * uplink_set_config_version — only the status's config_version (the
 * configuration applied now; Heartbeat and the next Hello carry it), the
 * rest of the status unchanged. A change sends a Heartbeat at once.
 * Thread-safe.
 */
void uplink_set_config_version(struct uplink *u, uint64_t version);

/* uplink_get_stats — a consistent copy of the counters (thread-safe). */
void uplink_get_stats(struct uplink *u, struct uplink_stats *s);

#endif
