/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.c — the network child of egate-host: one epoll loop over the
 * listening socket and every kiosk connection (TLS, frames, protobuf). It
 * holds the TLS key but no database handle and no signing or HMAC key;
 * storage goes through the monitor (privsep.h). docs/host.md.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/landlock.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit.h"
#include "confpush.h"
#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tls.h"
#include "explain.h"
#include "frame.h"
#include "host.h"
#include "net_int.h"
#include "net_seal.h"
#include "pki.h"
#include "privsep.h"

static const char *const conn_state_names[] = { "handshake", "hello", "ready", "closing" };

/* the largest answer: a batch's results, or one payload (PS_PAYLOAD) */
#define RESP_MAX (64 + PS_BATCH_MAX + AUDIT_PAYLOAD_MAX)

/* ---- connection bookkeeping ------------------------------------------------- */

static void
set_events(struct net *n, struct conn *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (ev == c->evmask)
		return;
	if (epoll_ctl(n->ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
		c->evmask = ev;
}

static void
conn_free(struct net *n, struct conn *c, const char *reason)
{
	if (c->st >= C_HELLO || reason != NULL)
		EG_LOG(&n->lg, c->st == C_CLOSING || reason == NULL ? EG_LOG_INFO : EG_LOG_WARN,
		    "conn.closed", EG_STR("peer", c->peer), EG_STR("kiosk", c->cn),
		    EG_STR("state", conn_state_names[c->st]), EG_STR("reason", reason ? reason : "done"),
		    EG_UINT("events", c->events), EG_UINT("acked", c->last_acked));
	console_conn_gone(n, c);
	if (c->st == C_HANDSHAKE)
		n->nhandshakes--;
	for (size_t i = 0; i < n->npend; i++)
		if (n->pend[i].c == c)
			n->pend[i].c = NULL;
	for (size_t i = 0; i < n->ninfl; i++)
		if (n->infl[i].c == c)
			n->infl[i].c = NULL;
	epoll_ctl(n->ep, EPOLL_CTL_DEL, c->fd, NULL);
	eg_tls_free(&c->tls);
	close(c->fd);
	frame_dec_free(&c->dec);
	eg_wbuf_free(&c->out);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		n->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	n->nconns--;
	free(c);
}

/* Write as much of c->out as the socket takes. Returns false if c was freed. */
static bool
conn_flush(struct net *n, struct conn *c)
{
	while (c->out.len > 0) {
		size_t chunk = c->wpending ? c->wpending : (c->out.len < 16384 ? c->out.len : 16384);
		size_t put = 0;
		bool ww = false;
		int rc = eg_tls_write(c->tls, c->out.data, chunk, &put, &ww);

		if (rc == EG_ERR_BUSY) {
			c->wpending = chunk;
			set_events(n, c, EPOLLIN | EPOLLOUT);
			return true;
		}
		if (rc != EG_OK) {
			conn_free(n, c, eg_tls_error(c->tls));
			return false;
		}
		c->wpending = 0;
		memmove(c->out.data, c->out.data + put, c->out.len - put);
		c->out.len -= put;
	}
	set_events(n, c, EPOLLIN);
	if (c->st == C_CLOSING) {
		eg_tls_close(c->tls);
		conn_free(n, c, NULL);
		return false;
	}
	return true;
}

int
conn_send(struct net *n, struct conn *c, const Egate__Envelope *env)
{
	int rc = proto_msg_encode(env, 0, &c->out);

	if (rc != EG_OK)
		EG_LOG(&n->lg, EG_LOG_ERROR, "conn.encode_failed", EG_STR("kiosk", c->cn), EG_ERRF(rc));
	return rc;
}

/* Queue Error{code}, and if fatal close after it is written. The reason is
 * logged with the peer. */
void
conn_error(struct net *n, struct conn *c, Egate__ErrorCode code, bool fatal, uint64_t seq,
    const char *reason)
{
	Egate__Envelope env;
	Egate__Error e;

	egate__envelope__init(&env);
	egate__error__init(&e);
	e.code = code;
	e.detail = (char *)(uintptr_t)reason;
	e.seq = seq;
	e.fatal = fatal;
	env.body_case = EGATE__ENVELOPE__BODY_ERROR;
	env.error = &e;
	EG_LOG(&n->lg, fatal ? EG_LOG_WARN : EG_LOG_ERROR, fatal ? "conn.refused" : "conn.error",
	    EG_STR("peer", c->peer), EG_STR("kiosk", c->cn), EG_INT("code", code),
	    EG_UINT("seq", seq), EG_STR("reason", reason));
	(void)conn_send(n, c, &env);
	if (fatal) {
		c->st = C_CLOSING;
		c->close_at_ms = host_now_ms() + 2000;
	}
}

/* ---- the monitor ----------------------------------------------------------------- */

static void
monitor_lost(struct net *n, int rc)
{
	/* the monitor is gone or broken: nothing can be stored any more */
	EG_LOG(&n->lg, EG_LOG_ERROR, "net.monitor_lost", EG_ERRF(rc));
	exit(2);
}

/* Wait for the monitor's next answer (it answers in request order). */
static int
ps_recv(struct net *n, uint8_t type, struct eg_rbuf *resp)
{
	size_t got = 0;
	uint8_t t;
	uint32_t rc;
	int r = ps_msg_recv(n->ps, n->resp, RESP_MAX, &got);

	if (r != EG_OK)
		return r == EG_ERR_IO ? EG_ERR_IO : EG_ERR_PROTOCOL;
	*resp = eg_rbuf_init(n->resp, got);
	if (eg_rbuf_u8(resp, &t) != EG_OK || t != type || eg_rbuf_be32(resp, &rc) != EG_OK)
		return EG_ERR_PROTOCOL;
	return (int)rc;
}

static int
ps_send(struct net *n, const void *req, size_t len)
{
	return ps_msg_send(n->ps, req, len) == EG_OK ? EG_OK : EG_ERR_IO;
}

static void
ack(struct net *n, struct conn *c, uint64_t seq, bool duplicate)
{
	Egate__Envelope env;
	Egate__Ack a;

	egate__envelope__init(&env);
	egate__ack__init(&a);
	a.seq = seq;
	a.durable = true;
	a.duplicate = duplicate;
	env.body_case = EGATE__ENVELOPE__BODY_ACK;
	env.ack = &a;
	if (conn_send(n, c, &env) == EG_OK) {
		c->acks++;
		c->last_acked = seq;
	}
}

/* Hand the collected events to the monitor; their answer comes later
 * (batch_answer). One batch is in flight at a time, so the next one is
 * collected while the monitor commits (group commit). */
static void
batch_send(struct net *n)
{
	int rc;

	if (n->busy || n->npend == 0)
		return;
	ps_batch_set_count(&n->batch, (uint16_t)n->npend);
	rc = ps_send(n, n->batch.data, n->batch.len);
	eg_memzero(n->batch.data, n->batch.len);	/* clear identifiers */
	eg_wbuf_reset(&n->batch);
	if (rc != EG_OK)
		monitor_lost(n, rc);
	memcpy(n->infl, n->pend, n->npend * sizeof(n->pend[0]));
	n->ninfl = n->npend;
	n->npend = 0;
	n->busy = true;
}

/* Wait for the answer to the batch in flight and queue the Acks (written
 * at the next safe point, flush_all: no connection is freed here). */
static void
batch_answer(struct net *n)
{
	struct eg_rbuf r;
	uint16_t cnt = 0;
	int rc;

	if (!n->busy)
		return;
	rc = ps_recv(n, PS_APPEND_BATCH, &r);
	if (rc == EG_OK && (eg_rbuf_be16(&r, &cnt) != EG_OK || cnt != n->ninfl ||
	    eg_rbuf_left(&r) != cnt))
		rc = EG_ERR_PROTOCOL;
	if (rc == EG_ERR_IO || rc == EG_ERR_PROTOCOL)
		monitor_lost(n, rc);
	n->busy = false;
	n->batches++;
	for (size_t i = 0; i < n->ninfl; i++) {
		struct conn *c = n->infl[i].c;
		uint8_t res = AUDIT_INVALID;
		uint64_t seq = n->infl[i].seq;

		if (rc == EG_OK)
			eg_rbuf_u8(&r, &res);
		if (c == NULL || c->st == C_CLOSING)
			continue;
		if (rc != EG_OK) {
			/* no Ack: the kiosk keeps the event and resends after reconnecting */
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_STORAGE, true, seq, "audit store failed");
			continue;
		}
		switch (res) {
		case AUDIT_STORED:
		case AUDIT_DUPLICATE:
			if (res == AUDIT_STORED)
				n->stored++;
			if (!c->ack_blocked)
				ack(n, c, seq, res == AUDIT_DUPLICATE);
			break;
		case AUDIT_CONFLICT:
			c->ack_blocked = true;
			EG_LOG(&n->lg, EG_LOG_ERROR, "alarm.sequence_conflict", EG_STR("kiosk", c->cn),
			    EG_UINT("seq", seq));
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_SEQUENCE, false, seq,
			    "seq already stored with different content");
			break;
		default:
			c->ack_blocked = true;
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_BAD_MESSAGE, true, seq,
			    "event rejected by the audit store");
			break;
		}
	}
	n->ninfl = 0;
}

/* Make everything received so far durable and answered, synchronously. */
static void
batch_flush(struct net *n)
{
	batch_answer(n);
	if (n->npend > 0) {
		batch_send(n);
		batch_answer(n);
	}
}

int
net_monitor_call(struct net *n, const void *req, size_t len, uint8_t type, struct eg_rbuf *resp)
{
	int rc;

	batch_flush(n);		/* the monitor answers in request order */
	if ((rc = ps_send(n, req, len)) == EG_OK)
		rc = ps_recv(n, type, resp);
	if (rc == EG_ERR_IO || rc == EG_ERR_PROTOCOL)
		monitor_lost(n, rc);
	return rc;
}

/* Write queued output of every connection (a safe point: may free them). */
static void
flush_all(struct net *n)
{
	for (struct conn *c = n->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->out.len > 0 && c->wpending == 0)
			(void)conn_flush(n, c);
	}
}

/* ---- messages ----------------------------------------------------------------------- */

/* Queue the HelloAck; false (and c closing) if it cannot be encoded. */
static bool
hello_ack(struct net *n, struct conn *c, uint32_t ver, uint64_t config_version, uint64_t last)
{
	Egate__Envelope env;
	Egate__HelloAck ha;

	egate__envelope__init(&env);
	egate__hello_ack__init(&ha);
	ha.version = ver;
	ha.host_time_ms = host_wall_ms();
	ha.config_version = config_version;
	ha.last_durable_seq = last;
	ha.kiosk_id = c->cn;	/* the identity taken from the certificate */
	env.body_case = EGATE__ENVELOPE__BODY_HELLO_ACK;
	env.hello_ack = &ha;
	if (conn_send(n, c, &env) != EG_OK) {
		c->st = C_CLOSING;
		return false;
	}
	return true;
}

static void
on_hello(struct net *n, struct conn *c, const Egate__Hello *h)
{
	struct eg_rbuf r;
	uint8_t req[8 + AUDIT_KIOSK_ID_MAX];
	struct eg_wbuf w;
	uint64_t last = 0;
	uint32_t ver;
	int rc;

	if (strcmp(c->ou, "kiosk") != 0 && strcmp(c->ou, "officer") != 0) {
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_UNEXPECTED, true, 0,
		    "only kiosk and officer certificates speak this protocol");
		return;
	}
	if ((ver = proto_version_choose(h->version_min, h->version_max)) == 0) {
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_VERSION, true, 0, "no common protocol version");
		return;
	}
	/* the path the client means against the certificate's role, before
	 * anything happens: a kiosk certificate used by an officer's client
	 * must not replace that kiosk's session or touch its console row */
	if ((h->role == EGATE__ROLE__ROLE_OFFICER && strcmp(c->ou, "officer") != 0) ||
	    (h->role == EGATE__ROLE__ROLE_KIOSK && strcmp(c->ou, "kiosk") != 0)) {
		char why[160];

		snprintf(why, sizeof(why), "wrong certificate role: this is a %s certificate (OU=%s), "
		    "the %s path needs OU=%s", c->ou, c->ou,
		    h->role == EGATE__ROLE__ROLE_OFFICER ? "officer" : "kiosk",
		    h->role == EGATE__ROLE__ROLE_OFFICER ? "officer" : "kiosk");
		EG_LOG(&n->lg, EG_LOG_WARN, "alarm.role_mismatch", EG_STR("peer", c->peer),
		    EG_STR("cn", c->cn), EG_STR("ou", c->ou),
		    EG_STR("claimed_role", h->role == EGATE__ROLE__ROLE_OFFICER ? "officer" : "kiosk"));
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_IDENTITY, true, 0, why);
		return;
	}
	c->version = ver;
	if (strcmp(c->ou, "officer") == 0) {
		/* an officer's console: no events, no seq; identity = the CN */
		if (!hello_ack(n, c, ver, 0, 0))
			return;
		c->officer = true;
		c->st = C_READY;
		EG_LOG(&n->lg, EG_LOG_NOTICE, "officer.online", EG_STR("officer", c->cn),
		    EG_STR("peer", c->peer));
		return;
	}
	if (h->kiosk_id_claimed != NULL && h->kiosk_id_claimed[0] != '\0' &&
	    strcmp(h->kiosk_id_claimed, c->cn) != 0) {
		EG_LOG(&n->lg, EG_LOG_WARN, "alarm.identity_mismatch", EG_STR("peer", c->peer),
		    EG_STR("certificate", c->cn), EG_STR("claimed", h->kiosk_id_claimed));
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_IDENTITY, true, 0,
		    "claimed kiosk id differs from the certificate");
		return;
	}
	/* one connection per kiosk: a new one replaces a stale one */
	for (struct conn *o = n->conns, *next; o != NULL; o = next) {
		next = o->next;
		if (o != c && o->st == C_READY && strcmp(o->cn, c->cn) == 0) {
			EG_LOG(&n->lg, EG_LOG_NOTICE, "conn.replaced", EG_STR("kiosk", c->cn),
			    EG_STR("old_peer", o->peer), EG_STR("new_peer", c->peer));
			conn_free(n, o, "replaced by a new connection");
		}
	}
	/* last_durable_seq must include what is in flight: net_monitor_call
	 * flushes the batch first */
	eg_wbuf_init_fixed(&w, req, sizeof(req), false);
	eg_wbuf_u8(&w, PS_LAST_SEQ);
	ps_put_str(&w, c->cn);
	rc = net_monitor_call(n, w.data, w.len, PS_LAST_SEQ, &r);
	if (rc != EG_OK || ps_get_u64(&r, &last) != EG_OK) {
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_STORAGE, true, 0, "cannot read the last seq");
		return;
	}
	if (!hello_ack(n, c, ver, confpush_hello_version(&n->cfg, h->config_version), last))
		return;
	c->high_seq = last;
	c->st = C_READY;
	console_kiosk_online(n, c, h);
	confpush_reported(&n->cfg, c->cn, h->config_version);
	(void)confpush_offer(&n->cfg, c->cn, h->config_version, &c->out, NULL);
	EG_LOG(&n->lg, EG_LOG_INFO, "kiosk.online", EG_STR("kiosk", c->cn), EG_STR("peer", c->peer),
	    EG_STR("firmware", h->firmware_version), EG_UINT("last_durable_seq", last),
	    EG_UINT("kiosk_last_seq", h->last_seq), EG_BOOL("resumed", eg_tls_resumed(c->tls)));
}

/*
 * A seq at or below what the kiosk already has durable or sent on this
 * connection: acceptable only as a resend of a stored event (the store then
 * answers duplicate or conflict). A seq that was never stored is a kiosk
 * going backwards (issue 13, item 5): refused, not stored. Returns true if
 * the event may go on to the store.
 */
static bool
seq_admissible(struct net *n, struct conn *c, uint64_t seq)
{
	uint8_t req[16 + AUDIT_KIOSK_ID_MAX];
	struct eg_wbuf w;
	struct eg_rbuf r;
	uint32_t len = 0;
	int rc;

	if (seq > c->high_seq) {
		c->high_seq = seq;
		return true;
	}
	eg_wbuf_init_fixed(&w, req, sizeof(req), false);
	eg_wbuf_u8(&w, PS_PAYLOAD);
	ps_put_str(&w, c->cn);
	ps_put_u64(&w, seq);
	rc = net_monitor_call(n, w.data, w.len, PS_PAYLOAD, &r);
	if (rc == EG_OK && eg_rbuf_be32(&r, &len) == EG_OK && len != PS_STR_NULL)
		return true;	/* stored: a resend */
	c->ack_blocked = true;
	EG_LOG(&n->lg, EG_LOG_ERROR, "alarm.sequence_backwards", EG_STR("kiosk", c->cn),
	    EG_UINT("seq", seq), EG_UINT("highest", c->high_seq));
	conn_error(n, c, EGATE__ERROR_CODE__ERROR_SEQUENCE, false, seq,
	    "seq not above the last one and never stored");
	return false;
}

/*
 * Whether the officer an event names decided it: the host must have logged
 * that officer's command (command_id) for this kiosk (PS_OFFICER_CHECK asks
 * the audit store, so it holds across restarts). Otherwise the event is
 * stored without the officer, with the claim in its payload (issue 13,
 * item 5: a kiosk cannot attribute decisions to officers).
 */
static bool
officer_verified(struct net *n, struct conn *c, const Egate__PassageEvent *e)
{
	struct eg_wbuf w;
	struct eg_rbuf r;
	uint8_t found = 0;
	bool ok = false;

	if (e->command_id == 0 || strlen(e->officer_id) > AUDIT_SHORT_MAX)
		return false;
	eg_wbuf_init(&w, 64 + AUDIT_KIOSK_ID_MAX + AUDIT_SHORT_MAX, false);
	if (eg_wbuf_u8(&w, PS_OFFICER_CHECK) == EG_OK && ps_put_str(&w, c->cn) == EG_OK &&
	    ps_put_str(&w, e->officer_id) == EG_OK && ps_put_u64(&w, e->command_id) == EG_OK &&
	    net_monitor_call(n, w.data, w.len, PS_OFFICER_CHECK, &r) == EG_OK &&
	    eg_rbuf_u8(&r, &found) == EG_OK)
		ok = found == 1;
	eg_wbuf_free(&w);
	return ok;
}

/* The reason column holds at most AUDIT_SHORT_MAX bytes; the protocol
 * allows more. A longer one is cut (on a UTF-8 boundary, marked "...") and
 * kept whole in the payload: refusing it made the kiosk resend it for ever. */
static const char *
reason_column(const char *reason, char out[AUDIT_SHORT_MAX + 1], bool *cut)
{
	size_t n = strlen(reason);

	*cut = n > AUDIT_SHORT_MAX;
	if (!*cut)
		return reason;
	n = AUDIT_SHORT_MAX - 3;
	while (n > 0 && ((uint8_t)reason[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, reason, n);
	memcpy(out + n, "...", 4);
	return out;
}

static void
on_passage(struct net *n, struct conn *c, const Egate__PassageEvent *e)
{
	struct audit_record rec = { 0 };
	struct net_ids ids;
	char *json = NULL, reason[AUDIT_SHORT_MAX + 1];
	size_t jlen = 0;
	bool claimed = e->officer_id != NULL && e->officer_id[0] != '\0', officer_ok = false, cut;
	int rc;

	if (!seq_admissible(n, c, e->seq))
		return;
	if (claimed && !(officer_ok = officer_verified(n, c, e)))
		EG_LOG(&n->lg, EG_LOG_WARN, "alarm.officer_unverified", EG_STR("kiosk", c->cn),
		    EG_UINT("seq", e->seq), EG_STR("officer", e->officer_id),
		    EG_UINT("command_id", e->command_id),
		    EG_STR("effect", "stored without the officer; the claim is in the payload"));
	rec.reason = reason_column(e->reason, reason, &cut);
	net_seal_open(n->seal, n->conf.seal_key[0] != '\0', &n->lg, c->cn, e, &ids);	/* net_seal.h */
	ids.officer_unverified = claimed && !officer_ok;
	ids.reason_cut = cut;
	if ((rc = net_seal_payload(e, &ids, &json, &jlen)) != EG_OK) {
		net_ids_wipe(&ids);
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_INTERNAL, true, e->seq, "cannot build payload");
		return;
	}
	rec.kiosk_id = c->cn;		/* from the certificate, never the message */
	rec.seq = e->seq;
	rec.ts_ms = e->ts_ms;
	rec.type = "passage";
	rec.decision = proto_decision_name(e->decision);
	rec.officer = officer_ok ? e->officer_id : NULL;
	rec.document_number = ids.doc;
	rec.holder_name = ids.name;
	rec.payload = json;
	if (n->npend == 0) {
		n->batch_first_ms = host_now_ms();
		rc = ps_batch_begin(&n->batch);
	}
	if (rc == EG_OK)
		rc = ps_record_put(&n->batch, &rec);	/* the batch is wiped once sent */
	net_ids_wipe(&ids);
	if (rc == EG_OK)
		console_passage(n, c, e, json, rec.officer);
	free(json);
	if (rc != EG_OK) {
		/* cannot happen below PS_MSG_MAX / 2 per batch; be safe */
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_INTERNAL, true, e->seq, "batch encoding failed");
		return;
	}
	n->pend[n->npend].c = c;
	n->pend[n->npend].seq = e->seq;
	n->npend++;
	c->events++;
	if (n->npend >= HOST_BATCH_MAX || n->batch.len > PS_MSG_MAX / 2) {
		batch_answer(n);	/* the monitor is still on the previous batch */
		batch_send(n);
	}
}

static void
on_message(struct net *n, struct conn *c, const Egate__Envelope *env)
{
	Egate__Envelope__BodyCase bc = env->body_case;

	if (c->st == C_HELLO) {
		if (bc != EGATE__ENVELOPE__BODY_HELLO)
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_UNEXPECTED, true, 0, "first message must be Hello");
		else
			on_hello(n, c, env->hello);
		return;
	}
	if (c->officer) {
		/* an officer's console sends requests, and heartbeats to keep a
		 * subscribed session open (their content is ignored) */
		if (bc == EGATE__ENVELOPE__BODY_OFFICER_REQUEST)
			console_officer_request(n, c, env->officer_request);
		else if (bc == EGATE__ENVELOPE__BODY_HEARTBEAT)
			;
		else
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_UNEXPECTED, true, 0,
			    "message not valid from an officer");
		return;
	}
	switch (bc) {
	case EGATE__ENVELOPE__BODY_PASSAGE:
		on_passage(n, c, env->passage);
		break;
	case EGATE__ENVELOPE__BODY_HEARTBEAT:
		snprintf(c->hb_state, sizeof(c->hb_state), "%s",
		    env->heartbeat->state ? env->heartbeat->state : "");
		c->hb_pending = env->heartbeat->pending_events;
		confpush_reported(&n->cfg, c->cn, env->heartbeat->config_version);
		EG_LOG(&n->lg, EG_LOG_DEBUG, "kiosk.heartbeat", EG_STR("kiosk", c->cn),
		    EG_STR("state", c->hb_state), EG_UINT("pending", c->hb_pending));
		console_heartbeat(n, c, env->heartbeat);
		break;
	case EGATE__ENVELOPE__BODY_CONFIG_APPLIED:
		confpush_applied(&n->cfg, c->cn, env->config_applied);
		console_config_applied(n, c, env->config_applied);
		break;
	case EGATE__ENVELOPE__BODY_REFERRAL_IMAGES:
		if (c->version < EGATE_PROTO_VERSION_LIVE)
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_UNEXPECTED, true, 0,
			    "ReferralImages needs protocol version 2");
		else
			console_images(n, c, env->referral_images);
		break;
	case EGATE__ENVELOPE__BODY_COMMAND_RESULT:
		EG_LOG(&n->lg, EG_LOG_INFO, "kiosk.command_result", EG_STR("kiosk", c->cn),
		    EG_UINT("command_id", env->command_result->command_id),
		    EG_BOOL("ok", env->command_result->ok));
		console_command_result(n, c, env->command_result);
		break;
	case EGATE__ENVELOPE__BODY_ERROR:
		EG_LOG(&n->lg, EG_LOG_WARN, "kiosk.error", EG_STR("kiosk", c->cn),
		    EG_INT("code", env->error->code), EG_STR("detail", env->error->detail),
		    EG_BOOL("fatal", env->error->fatal));
		if (env->error->fatal) {
			c->st = C_CLOSING;
			c->close_at_ms = host_now_ms();
		}
		break;
	default:
		conn_error(n, c, EGATE__ERROR_CODE__ERROR_UNEXPECTED, true, 0, "message not valid from a kiosk");
		break;
	}
}

/* A certificate CN usable as a kiosk or officer id: 1..AUDIT_KIOSK_ID_MAX
 * characters of [A-Za-z0-9._-], and not the host's own id. */
static bool
host_id_valid(const char *cn)
{
	size_t n = strlen(cn);

	if (n == 0 || n > AUDIT_KIOSK_ID_MAX || strcmp(cn, AUDIT_HOST_ID) == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = cn[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

static bool sessions_room(struct net *n, const struct conn *c);

/* Feed bytes from the wire to the frame decoder; false if c was freed. */
static bool
conn_input(struct net *n, struct conn *c, const uint8_t *p, size_t len)
{
	while (len > 0 && c->st != C_CLOSING) {
		const uint8_t *f;
		size_t used = 0, flen;
		struct proto_msg *m = NULL;
		int rc = frame_dec_feed(c->dec, p, len, &used, &f, &flen);

		p += used;
		len -= used;
		if (rc == EG_ERR_TRUNCATED)
			break;
		if (rc == EG_ERR_OVERFLOW) {
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_TOO_LARGE, true, 0, "frame above the maximum");
			break;
		}
		if (rc != EG_OK) {
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_BAD_MESSAGE, true, 0, "frame of length 0");
			break;
		}
		if ((rc = proto_msg_decode(f, flen, &m)) != EG_OK) {
			char why[80];
			snprintf(why, sizeof(why), "undecodable message (%s)", eg_err_name(rc));
			conn_error(n, c, EGATE__ERROR_CODE__ERROR_BAD_MESSAGE, true, 0, why);
			break;
		}
		on_message(n, c, proto_msg_env(m));
		proto_msg_free(&m);
	}
	return conn_flush(n, c);
}

/*
 * A refused handshake: mbedTLS has written its alert (certificate expired,
 * revoked, unknown CA, ...). The connection stays, refused, until the peer
 * closes or HOST_REFUSED_LINGER_MS pass: our side is shut for writing (the
 * peer reads the alert, then the end), and what the peer still sends (the
 * rest of its flight, which may be on its way) is read and dropped, so that
 * the close is a FIN and not a reset. A reset makes the peer's next write
 * fail before it reads the alert: it then sees only "connection closed"
 * instead of why (issue 14; console-officer-cli's revoked certificate
 * through tls_hold_proxy.py). It keeps its handshake slot, and is the first
 * to give it up (evict_handshake).
 */
static void
conn_refuse(struct net *n, struct conn *c)
{
	c->refused = true;
	c->close_at_ms = host_now_ms() + HOST_REFUSED_LINGER_MS;
	(void)shutdown(c->fd, SHUT_WR);
	set_events(n, c, EPOLLIN);
}

/* Read and drop a refused connection's input; frees c once the peer closed. */
static void
refused_drain(struct net *n, struct conn *c)
{
	char junk[4096];

	for (int i = 0; i < 64; i++) {
		ssize_t r = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		conn_free(n, c, NULL);	/* the peer closed (or reset): done */
		return;
	}
}

/*
 * The peer certificate's end, kept for the officer's status (a kiosk's
 * certificate expiring) and logged when it is near: a certificate that
 * expires locks its kiosk or officer out (docs/security.md "Renewal and
 * expiry"). Once per connection, at the handshake.
 */
static void
peer_expiry(struct net *n, struct conn *c)
{
	int64_t now = host_wall_ms() / 1000, left;

	c->not_after_s = 0;
	if (eg_tls_peer_not_after(c->tls, &c->not_after_s) != EG_OK)
		return;
	left = c->not_after_s - now;
	if (left < (int64_t)PKI_WARN_DAYS * 86400)
		EG_LOG(&n->lg, EG_LOG_WARN, "pki.peer_expiring", EG_STR("cn", c->cn),
		    EG_STR("ou", c->ou), EG_INT("days_left", left / 86400),
		    EG_STR("action", "renew: egate pki renew on the CA machine"));
}

static void
conn_readable(struct net *n, struct conn *c)
{
	uint8_t buf[16384 + 64];

	c->last_rx_ms = host_now_ms();
	if (c->refused) {
		refused_drain(n, c);
		return;
	}
	if (c->st == C_HANDSHAKE) {
		bool ww = false;
		int rc = eg_tls_handshake(c->tls, &ww);

		if (rc == EG_ERR_BUSY) {
			set_events(n, c, ww ? EPOLLOUT : EPOLLIN);
			return;
		}
		if (rc != EG_OK) {
			EG_LOG(&n->lg, EG_LOG_WARN, "tls.refused", EG_STR("peer", c->peer),
			    EG_STR("reason", eg_tls_error(c->tls)), EG_ERRF(rc));
			conn_refuse(n, c);
			refused_drain(n, c);
			return;
		}
		if (eg_tls_peer(c->tls, c->cn, sizeof(c->cn), c->ou, sizeof(c->ou)) != EG_OK ||
		    !host_id_valid(c->cn)) {
			/* the CN becomes a kiosk id in the audit store: it must be a
			 * plain id and never the host's own ("host" killed the child
			 * before: the monitor refused it as a forgery) */
			EG_LOG(&n->lg, EG_LOG_WARN, "tls.refused", EG_STR("peer", c->peer),
			    EG_STR("reason", "certificate CN is not a usable id"));
			c->cn[0] = '\0';
			conn_free(n, c, NULL);
			return;
		}
		peer_expiry(n, c);
		n->nhandshakes--;
		c->st = C_HELLO;
		if (!sessions_room(n, c)) {
			EG_LOG(&n->lg, EG_LOG_WARN, "conn.refused", EG_STR("peer", c->peer),
			    EG_STR("kiosk", c->cn), EG_STR("reason", "max_kiosks sessions open"));
			c->st = C_CLOSING;
			conn_free(n, c, NULL);
			return;
		}
		EG_LOG(&n->lg, EG_LOG_INFO, "tls.accepted", EG_STR("peer", c->peer), EG_STR("cn", c->cn),
		    EG_STR("ou", c->ou), EG_BOOL("resumed", eg_tls_resumed(c->tls)));
		set_events(n, c, EPOLLIN);
	}
	for (int i = 0; i < 8; i++) {
		size_t got = 0;
		bool ww = false;
		int rc = eg_tls_read(c->tls, buf, sizeof(buf), &got, &ww);

		if (rc == EG_ERR_BUSY)
			break;
		if (rc == EG_ERR_CLOSED) {
			conn_free(n, c, frame_dec_finish(c->dec) == EG_ERR_TRUNCATED ?
			    "peer closed inside a frame" : (c->st == C_CLOSING ? NULL : "peer closed"));
			return;
		}
		if (rc != EG_OK) {
			conn_free(n, c, eg_tls_error(c->tls));
			return;
		}
		if (c->st == C_CLOSING)
			continue;	/* discard input after a fatal error */
		if (!conn_input(n, c, buf, got))
			return;
	}
}

/* Sessions (past the handshake) are limited by max_kiosks; a kiosk whose
 * stale session is still open may always replace it. */
static bool
sessions_room(struct net *n, const struct conn *c)
{
	size_t sessions = n->nconns - n->nhandshakes - 1;	/* c itself excluded */

	if ((long long)sessions < n->conf.max_kiosks)
		return true;
	for (const struct conn *o = n->conns; o != NULL; o = o->next)
		if (o != c && o->st != C_HANDSHAKE && strcmp(o->cn, c->cn) == 0)
			return true;
	return false;
}

/* Make room for one more handshake: evict the one that made progress least
 * recently. False if there is none to evict. */
static bool
evict_handshake(struct net *n)
{
	struct conn *victim = NULL;

	for (struct conn *c = n->conns; c != NULL; c = c->next)
		if (c->st == C_HANDSHAKE && (victim == NULL || (c->refused && !victim->refused) ||
		    (c->refused == victim->refused && c->last_rx_ms < victim->last_rx_ms)))
			victim = c;
	if (victim == NULL || (!victim->refused &&
	    host_now_ms() - victim->last_rx_ms < HOST_HANDSHAKE_STALL_MS))
		return false;	/* every handshake is progressing: the newcomer waits */
	n->evicted++;
	if (host_now_ms() - n->evict_logged_ms >= 1000) {
		n->evict_logged_ms = host_now_ms();
		EG_LOG(&n->lg, EG_LOG_WARN, "conn.handshake_evicted", EG_STR("peer", victim->peer),
		    EG_UINT("handshakes", n->nhandshakes), EG_UINT("evicted_total", n->evicted),
		    EG_STR("reason", "handshake slots full; the least active one gives way"));
	}
	conn_free(n, victim, NULL);
	return true;
}

/* accept() failed for want of descriptors or memory: stop polling the
 * listener for a moment (level-triggered epoll would spin), and say so. */
static void
accept_pause(struct net *n, int err)
{
	struct epoll_event e = { .events = 0, .data.ptr = NULL };

	n->accept_errors++;
	n->accept_paused_until = host_now_ms() + HOST_ACCEPT_PAUSE_MS;
	epoll_ctl(n->ep, EPOLL_CTL_MOD, n->lfd, &e);
	if (host_now_ms() - n->accept_err_logged_ms >= 1000) {
		n->accept_err_logged_ms = host_now_ms();
		EG_LOG(&n->lg, EG_LOG_ERROR, "conn.accept_failed", EG_STR("reason", strerror(err)),
		    EG_UINT("connections", n->nconns), EG_UINT("failures_total", n->accept_errors),
		    EG_INT("pause_ms", HOST_ACCEPT_PAUSE_MS));
	}
}

static void
accept_resume(struct net *n)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };

	if (n->accept_paused_until == 0 || host_now_ms() < n->accept_paused_until || n->lfd < 0)
		return;
	n->accept_paused_until = 0;
	epoll_ctl(n->ep, EPOLL_CTL_MOD, n->lfd, &e);
}

static void
accept_all(struct net *n)
{
	for (int i = 0; i < 256; i++) {
		struct sockaddr_storage a;
		socklen_t al = sizeof(a);
		int fd, one = 1;
		struct conn *c;
		char ip[INET6_ADDRSTRLEN + 2] = "?", port[8] = "?";

		bool full = n->nconns >= n->conn_budget || n->nhandshakes >= n->handshake_max;

		/* room first: never hold more descriptors than the budget */
		if (full && evict_handshake(n))
			full = false;
		if (full && n->nconns >= n->conn_budget + 1) {
			accept_pause(n, EMFILE);	/* not even room to refuse */
			return;
		}
		fd = accept4(n->lfd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0 && full) {
			/* every slot busy with a live handshake: refuse this one now
			 * (it retries) rather than let it wait for the timeout */
			n->refused_full++;
			if (host_now_ms() - n->refuse_logged_ms >= 1000) {
				n->refuse_logged_ms = host_now_ms();
				EG_LOG(&n->lg, EG_LOG_WARN, "conn.refused", EG_STR("reason",
				    "handshake slots full"), EG_UINT("handshakes", n->nhandshakes),
				    EG_UINT("refused_total", n->refused_full));
			}
			close(fd);
			continue;
		}
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_pause(n, errno);
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO || errno == EPERM)
				continue;
			return;
		}
		if (getnameinfo((struct sockaddr *)&a, al, ip, sizeof(ip), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			snprintf(ip, sizeof(ip), "?");
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		snprintf(c->peer, sizeof(c->peer), a.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", ip, port);
		eg_wbuf_init(&c->out, 4u * 1024u * 1024u, false);
		c->created_ms = c->last_rx_ms = host_now_ms();
		if (eg_tls_new(&c->tls, n->tls, fd, NULL) != EG_OK ||
		    frame_dec_new(HOST_FRAME_MAX, &c->dec) != EG_OK) {
			eg_tls_free(&c->tls);
			frame_dec_free(&c->dec);
			close(fd);
			free(c);
			continue;
		}
		struct epoll_event e = { .events = EPOLLIN, .data.ptr = c };
		c->evmask = EPOLLIN;
		epoll_ctl(n->ep, EPOLL_CTL_ADD, fd, &e);
		c->next = n->conns;
		if (n->conns != NULL)
			n->conns->prev = c;
		n->conns = c;
		n->nconns++;
		n->nhandshakes++;
		EG_LOG(&n->lg, EG_LOG_DEBUG, "conn.accepted", EG_STR("peer", c->peer));
	}
}

/*
 * The descriptor budget: the soft RLIMIT_NOFILE is raised to the hard one,
 * and connections (sessions + handshakes) are kept below it with a reserve,
 * so accept() does not fail for want of descriptors in normal operation.
 */
static void
fd_budget(struct net *n)
{
	struct rlimit rl;
	size_t want = (size_t)n->conf.max_kiosks + HOST_HANDSHAKES_MAX, have;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 1u << 20;
	have = rl.rlim_cur > HOST_FD_RESERVE * 2 ? (size_t)rl.rlim_cur - HOST_FD_RESERVE : HOST_FD_RESERVE;
	n->conn_budget = want < have ? want : have;
	n->handshake_max = HOST_HANDSHAKES_MAX < n->conn_budget ? HOST_HANDSHAKES_MAX : n->conn_budget;
	if (n->handshake_max > n->conn_budget / 2 && n->conn_budget < want)
		n->handshake_max = n->conn_budget / 2 > 0 ? n->conn_budget / 2 : 1;
	EG_LOG(&n->lg, n->conn_budget < want ? EG_LOG_WARN : EG_LOG_INFO, "net.fd_limit",
	    EG_UINT("nofile", (uint64_t)rl.rlim_cur), EG_UINT("connections", n->conn_budget),
	    EG_UINT("handshakes", n->handshake_max), EG_INT("max_kiosks", n->conf.max_kiosks),
	    EG_STR("hint", n->conn_budget < want ? "raise LimitNOFILE: max_kiosks + 256 handshakes "
	    "+ 32 do not fit" : "ok"));
}

static void
timeouts(struct net *n)
{
	int64_t now = host_now_ms();

	for (struct conn *c = n->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->refused && now >= c->close_at_ms)
			conn_free(n, c, NULL);
		else if (c->st == C_HANDSHAKE && now - c->created_ms > HOST_HANDSHAKE_TIMEOUT_MS)
			conn_free(n, c, "handshake timeout");
		else if (c->st == C_CLOSING && now >= c->close_at_ms)
			conn_free(n, c, NULL);
		else if (c->st != C_HANDSHAKE && now - c->last_rx_ms > HOST_IDLE_TIMEOUT_MS)
			conn_free(n, c, "idle timeout (no heartbeat)");
	}
}

/* Get the configuration the monitor serves; on a new version, push it to
 * every kiosk online (after the monitor logged it: it did before it
 * signalled us). */
static void
config_reload(struct net *n)
{
	bool changed = false;
	int rc;

	batch_flush(n);		/* the monitor's next answer must be ours */
	if ((rc = confpush_fetch(&n->cfg, n->ps, &changed)) == EG_ERR_IO || rc == EG_ERR_PROTOCOL)
		monitor_lost(n, rc);
	if (rc != EG_OK) {
		EG_LOG(&n->lg, EG_LOG_ERROR, "config.fetch_failed", EG_ERRF(rc));
		return;
	}
	if (!changed)
		return;
	for (struct conn *c = n->conns; c != NULL; c = c->next) {
		const struct confpush_kiosk *k = confpush_kiosk_get(&n->cfg, c->cn);

		if (c->st == C_READY && strcmp(c->ou, "kiosk") == 0)
			(void)confpush_offer(&n->cfg, c->cn, k != NULL ? k->applied : 0, &c->out, NULL);
	}
}

/* After a CRL reload: a session whose certificate is now revoked (or
 * expired) ends at once; what it sent before is stored (issue 13, item 4:
 * it kept storing events on its open session). */
static void
sessions_recheck(struct net *n)
{
	batch_flush(n);		/* events received before the reload are stored */
	for (struct conn *c = n->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->st == C_HANDSHAKE || eg_tls_peer_check(c->tls) == EG_OK)
			continue;
		EG_LOG(&n->lg, EG_LOG_WARN, "tls.session_revoked", EG_STR("peer", c->peer),
		    EG_STR("kiosk", c->cn), EG_STR("reason", eg_tls_error(c->tls)));
		eg_tls_close(c->tls);
		conn_free(n, c, "certificate no longer valid (CRL reloaded)");
	}
}

/* Warn before the CRL expires: then every kiosk is refused (docs/host.md). */
static void
crl_expiry_check(struct net *n)
{
	int days = 0;

	if (host_now_ms() - n->crl_checked_ms < 3600 * 1000 && n->crl_checked_ms != 0)
		return;
	n->crl_checked_ms = host_now_ms();
	if (eg_tls_conf_crl_days_left(n->tls, &days) != EG_OK)
		return;
	if (days < 0)
		EG_LOG(&n->lg, EG_LOG_ERROR, "alarm.crl_expired", EG_STR("path", n->conf.crl),
		    EG_STR("effect", "every kiosk is refused until a fresh CRL is loaded (SIGHUP)"));
	else if (days < HOST_CRL_WARN_DAYS)
		EG_LOG(&n->lg, EG_LOG_WARN, "tls.crl_expiring", EG_STR("path", n->conf.crl),
		    EG_INT("days_left", days));
}

/* The session-ticket keys the monitor keeps across restarts (PS_TICKET_KEYS):
 * at start and every HOST_TICKET_FETCH_MS (the monitor rotates them). */
static void
tickets_fetch(struct net *n)
{
	struct eg_tls_ticket_key keys[EG_TLS_TICKET_KEYS_MAX];
	uint8_t req[1] = { PS_TICKET_KEYS }, cnt = 0;
	struct eg_rbuf r;
	size_t k = 0;
	int rc;

	n->tickets_fetched_ms = host_now_ms();
	rc = net_monitor_call(n, req, sizeof(req), PS_TICKET_KEYS, &r);
	if (rc == EG_OK && (eg_rbuf_u8(&r, &cnt) != EG_OK || cnt == 0 || cnt > EG_TLS_TICKET_KEYS_MAX))
		rc = EG_ERR_PROTOCOL;
	for (; rc == EG_OK && k < cnt; k++) {
		const uint8_t *p;
		uint64_t created;

		if (eg_rbuf_ptr(&r, EG_TLS_TICKET_NAME_LEN + 32, &p) != EG_OK ||
		    ps_get_u64(&r, &created) != EG_OK) {
			rc = EG_ERR_PROTOCOL;
			break;
		}
		memcpy(keys[k].name, p, EG_TLS_TICKET_NAME_LEN);
		memcpy(keys[k].key, p + EG_TLS_TICKET_NAME_LEN, 32);
		keys[k].created_s = (int64_t)created;
	}
	if (rc == EG_OK)
		rc = eg_tls_conf_set_ticket_keys(n->tls, keys, cnt, HOST_TICKET_LIFETIME_S);
	eg_memzero(keys, sizeof(keys));
	eg_memzero(n->resp, 1 + 4 + 1 + (size_t)EG_TLS_TICKET_KEYS_MAX * (EG_TLS_TICKET_NAME_LEN + 40));
	if (rc != EG_OK)
		EG_LOG(&n->lg, EG_LOG_ERROR, "net.ticket_keys", EG_ERRF(rc),
		    EG_STR("effect", "keeping the keys in use; resumption after a restart may fail"));
	else
		EG_LOG(&n->lg, EG_LOG_DEBUG, "net.ticket_keys", EG_UINT("keys", cnt));
}

static void
on_signal(struct net *n)
{
	struct signalfd_siginfo si;

	while (read(n->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			char err[256] = "";
			int rc = eg_tls_conf_reload_crl(n->tls, n->conf.crl[0] ? n->conf.crl : NULL,
			    err, sizeof(err));
			EG_LOG(&n->lg, rc == EG_OK ? EG_LOG_NOTICE : EG_LOG_ERROR, "tls.crl_reloaded",
			    EG_STR("path", n->conf.crl), EG_ERRF(rc),
			    EG_STR("reason", rc == EG_OK ? "ok" : err),
			    EG_STR("effect", rc == EG_OK ? "new CRL in force" : "the previous CRL stays in force"));
			if (rc == EG_OK)
				sessions_recheck(n);
			config_reload(n);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			n->stopping = true;
		}
	}
}

/*
 * The opening key's counters (seal.h), once a minute when they changed and
 * at shutdown: ECDHs per sealed event show whether the epoch-key cache
 * works (a rising eviction count means more kiosk epochs interleave than it
 * holds, e.g. while many spools drain at once).
 */
static void
seal_stats_log(struct net *n, bool force)
{
	struct seal_stats st;

	if (n->seal == NULL || (!force && host_now_ms() - n->seal_log_ms < 60000))
		return;
	n->seal_log_ms = host_now_ms();
	seal_key_stats(n->seal, &st);
	if (!force && st.ecdh == n->seal_logged.ecdh && st.cache_hits == n->seal_logged.cache_hits)
		return;
	n->seal_logged = st;
	EG_LOG(&n->lg, EG_LOG_INFO, "net.seal_stats", EG_UINT("ecdh", st.ecdh),
	    EG_UINT("cache_hits", st.cache_hits), EG_UINT("cache_evictions", st.cache_evictions));
}

/* SIGTERM: stop accepting, store what was received, write the last acks. */
static void
drain(struct net *n)
{
	int64_t end = host_now_ms() + HOST_SHUTDOWN_DRAIN_MS;

	epoll_ctl(n->ep, EPOLL_CTL_DEL, n->lfd, NULL);
	epoll_ctl(n->ep, EPOLL_CTL_DEL, n->sfd, NULL);
	epoll_ctl(n->ep, EPOLL_CTL_DEL, n->ps, NULL);
	close(n->lfd);
	n->lfd = -1;
	batch_flush(n);
	flush_all(n);
	while (host_now_ms() < end) {
		struct epoll_event ev[64];
		bool busy = false;
		int k;

		/* input is no longer read: wait only for writability */
		for (struct conn *c = n->conns; c != NULL; c = c->next) {
			busy |= c->out.len > 0;
			set_events(n, c, c->out.len > 0 ? EPOLLOUT : 0);
		}
		if (!busy)
			break;
		k = epoll_wait(n->ep, ev, 64, 50);
		for (int i = 0; i < k; i++) {
			void *p = ev[i].data.ptr;
			struct conn *c = n->conns;

			while (c != NULL && (void *)c != p)
				c = c->next;
			if (c != NULL && (ev[i].events & EPOLLOUT))
				(void)conn_flush(n, c);
		}
	}
	while (n->conns != NULL) {
		eg_tls_close(n->conns->tls);
		n->conns->st = C_CLOSING;
		conn_free(n, n->conns, "host shutting down");
	}
	seal_stats_log(n, true);
	EG_LOG(&n->lg, EG_LOG_NOTICE, "net.stopped", EG_UINT("batches", n->batches),
	    EG_UINT("stored", n->stored));
}

/* Can this process open path for reading? (sandbox self-check) */
static bool
readable(const char *path)
{
	int fd = path[0] != '\0' ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void
allow_read_beneath(int ruleset, const char *dir)
{
	struct landlock_path_beneath_attr pb = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
	};

	pb.parent_fd = open(dir, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return;
	(void)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
}

/*
 * Landlock: after the TLS key is loaded the child may only read beneath the
 * CRL's folder (SIGHUP reload) and /proc (sanitizer runtimes); it cannot
 * open the audit keys or the database, nor write anywhere, even though it
 * runs under the monitor's uid. Then a self-check tries to open the keys
 * and the database and logs the verdict. Without Landlock (kernel < 5.13)
 * the child runs unconfined and says so.
 */
static void
sandbox_fs(struct net *n)
{
	struct landlock_ruleset_attr ra = { .handled_access_fs = (1ULL << 13) - 1 };	/* ABI 1 */
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	char crldir[EG_CONF_PATH];
	bool keys;
	int rs;

	if (abi < 1) {
		EG_LOG(&n->lg, EG_LOG_WARN, "net.sandbox", EG_STR("fs", "none"),
		    EG_STR("reason", "Landlock not available"));
		return;
	}
	if (abi >= 2)
		ra.handled_access_fs |= 1ULL << 13;	/* REFER */
	if (abi >= 3)
		ra.handled_access_fs |= 1ULL << 14;	/* TRUNCATE */
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0)) < 0) {
		EG_LOG(&n->lg, EG_LOG_WARN, "net.sandbox", EG_STR("fs", "none"), EG_STR("reason", strerror(errno)));
		return;
	}
	if (n->conf.crl[0] != '\0') {
		char *slash;
		snprintf(crldir, sizeof(crldir), "%s", n->conf.crl);
		slash = strrchr(crldir, '/');
		if (slash == NULL)
			snprintf(crldir, sizeof(crldir), ".");
		else if (slash == crldir)
			slash[1] = '\0';
		else
			*slash = '\0';
		allow_read_beneath(rs, crldir);
	}
	allow_read_beneath(rs, "/proc");
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
		EG_LOG(&n->lg, EG_LOG_WARN, "net.sandbox", EG_STR("fs", "none"), EG_STR("reason", strerror(errno)));
		close(rs);
		return;
	}
	close(rs);
	keys = readable(n->conf.signing_key) || readable(n->conf.hmac_key) || readable(n->conf.db);
	if (keys)
		EG_LOG(&n->lg, EG_LOG_WARN, "net.sandbox", EG_STR("fs", "landlock"), EG_INT("abi", abi),
		    EG_BOOL("keys_readable", true),
		    EG_STR("hint", "keep the audit keys and database outside the CRL's folder"));
	else
		EG_LOG(&n->lg, EG_LOG_NOTICE, "net.sandbox", EG_STR("fs", "landlock"), EG_INT("abi", abi),
		    EG_BOOL("keys_readable", false));
}

int
net_child_run(const char *conf_path, int ps_fd, int listen_fd)
{
	struct net *n = calloc(1, sizeof(*n));
	struct eg_cfg_error cerr;
	char err[256] = "";
	sigset_t set;
	int status = 1, rc;

	if (n == NULL)
		return 1;
	n->ps = ps_fd;
	n->lfd = listen_fd;
	n->ep = n->sfd = -1;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fcntl(ps_fd, F_SETFD, FD_CLOEXEC);
	fcntl(listen_fd, F_SETFD, FD_CLOEXEC);
	if (eg_host_conf_load(conf_path, &n->conf, &cerr) != EG_OK) {
		fprintf(stderr, "egate-host: %s\n", eg_cfg_error_str(&cerr, err, sizeof(err)));
		goto out;
	}
	host_log_setup(&n->lg, "egate-host/net", &n->conf);
	eg_wbuf_init(&n->batch, PS_MSG_MAX, true);
	n->resp = malloc(RESP_MAX);
	n->con = console_new();
	if ((rc = eg_tls_conf_new(&n->tls, EG_TLS_SERVER, n->conf.ca, n->conf.crl[0] ? n->conf.crl : NULL,
	    n->conf.cert, n->conf.key, err, sizeof(err))) != EG_OK) {
		/* restarting would fail the same way: tell the monitor to stop */
		EG_LOG(&n->lg, EG_LOG_ERROR, "net.tls_conf_failed", EG_STR("reason", err), EG_ERRF(rc));
		status = HOST_CHILD_EXIT_CONFIG;
		goto out;
	}
	if (n->conf.seal_key[0] != '\0') {
		/* a key of its own (issue 13, item 8): the TLS key does not double
		 * as the sealing key, and only event-bound seals are accepted */
		if ((rc = seal_key_from_private(n->conf.seal_key, &n->seal, err, sizeof(err))) != EG_OK) {
			EG_LOG(&n->lg, EG_LOG_ERROR, "net.tls_conf_failed", EG_STR("reason", err),
			    EG_STR("key", "[seal] key"), EG_ERRF(rc));
			status = HOST_CHILD_EXIT_CONFIG;
			goto out;
		}
		EG_LOG(&n->lg, EG_LOG_INFO, "net.seal_key", EG_STR("source", "[seal] key"),
		    EG_STR("accepts", "version 3 (event-bound) only; clear identifiers refused"));
	} else if ((rc = seal_key_from_private(n->conf.key, &n->seal, err, sizeof(err))) != EG_OK) {
		EG_LOG(&n->lg, EG_LOG_WARN, "net.seal_key", EG_STR("reason", err), EG_ERRF(rc),
		    EG_STR("effect", "sealed identifiers cannot be opened"));
	} else {
		EG_LOG(&n->lg, EG_LOG_NOTICE, "net.seal_key", EG_STR("source", "[tls] key"),
		    EG_STR("accepts", "versions 1-3 and clear identifiers"),
		    EG_STR("hint", "set [seal] key: a sealing key apart from the TLS key"));
	}
	if (n->resp == NULL || n->con == NULL)
		goto out;
	n->cfg.lg = &n->lg;
	config_reload(n);
	tickets_fetch(n);
	fd_budget(n);
	crl_expiry_check(n);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	sandbox_fs(n);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	n->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	n->ep = epoll_create1(EPOLL_CLOEXEC);
	if (n->sfd < 0 || n->ep < 0)
		goto out;
	{
		struct epoll_event e1 = { .events = EPOLLIN, .data.ptr = NULL };
		struct epoll_event e2 = { .events = EPOLLIN, .data.ptr = &n->sfd };
		struct epoll_event e3 = { .events = EPOLLIN, .data.ptr = &n->ps };
		epoll_ctl(n->ep, EPOLL_CTL_ADD, n->lfd, &e1);
		epoll_ctl(n->ep, EPOLL_CTL_ADD, n->sfd, &e2);
		epoll_ctl(n->ep, EPOLL_CTL_ADD, n->ps, &e3);
	}
	EG_LOG(&n->lg, EG_LOG_NOTICE, "net.ready", EG_INT("pid", getpid()));
	int64_t last_tick = host_now_ms();
	while (!n->stopping) {
		struct epoll_event ev[64];
		int timeout = 1000, k;

		if (n->npend > 0 && !n->busy) {
			int64_t left = n->batch_first_ms + HOST_BATCH_WINDOW_MS - host_now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		if (n->accept_paused_until != 0 && timeout > HOST_ACCEPT_PAUSE_MS)
			timeout = HOST_ACCEPT_PAUSE_MS;
		k = epoll_wait(n->ep, ev, 64, timeout);
		if (k < 0 && errno != EINTR)
			goto out;
		for (int i = 0; i < k; i++) {
			void *p = ev[i].data.ptr;

			if (p == NULL) {
				accept_all(n);
			} else if (p == &n->sfd) {
				on_signal(n);
			} else if (p == &n->ps) {
				/* the monitor answered: ack, and hand over what
				 * was collected meanwhile at once */
				batch_answer(n);
				batch_send(n);
			} else {
				struct conn *c = p;
				/* a connection freed earlier in this round cannot be here:
				 * conn_free removes it from epoll, and ready lists are only
				 * returned for registered fds — but a pointer in ev[] may
				 * be stale; guard by looking it up */
				struct conn *q = n->conns;
				while (q != NULL && q != c)
					q = q->next;
				if (q == NULL)
					continue;
				if ((ev[i].events & EPOLLOUT) && c->st != C_HANDSHAKE) {
					if (!conn_flush(n, c))
						continue;
				}
				if (ev[i].events & (EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLERR))
					conn_readable(n, c);
			}
		}
		if (n->npend > 0 && !n->busy &&
		    host_now_ms() - n->batch_first_ms >= HOST_BATCH_WINDOW_MS)
			batch_send(n);
		flush_all(n);
		accept_resume(n);
		if (host_now_ms() - last_tick >= 1000) {
			timeouts(n);
			crl_expiry_check(n);
			if (host_now_ms() - n->tickets_fetched_ms >= HOST_TICKET_FETCH_MS)
				tickets_fetch(n);
			console_tick(n);
			seal_stats_log(n, false);
			last_tick = host_now_ms();
		}
	}
	drain(n);
	status = 0;
out:
	while (n->conns != NULL)
		conn_free(n, n->conns, "stopping");
	eg_tls_conf_free(&n->tls);
	seal_key_free(&n->seal);
	eg_wbuf_free(&n->batch);
	console_free(&n->con);
	confpush_clear(&n->cfg);
	free(n->resp);
	if (n->ep >= 0)
		close(n->ep);
	if (n->sfd >= 0)
		close(n->sfd);
	if (n->lfd >= 0)
		close(n->lfd);
	close(n->ps);
	free(n);
	return status;
}
