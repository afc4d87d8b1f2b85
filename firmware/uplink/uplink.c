/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uplink.c — the kiosk's protocol client; see uplink.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/tls.h"
#include "frame.h"
#include "spool.h"
#include "uplink.h"

#define UPLINK_IO_TIMEOUT_MS 10000	/* connect, handshake, HelloAck */
#define UPLINK_ACK_TIMEOUT_MS 30000	/* events in flight and no Ack */

struct uplink {
	char *host, *server_name, *kiosk_id, *firmware;
	uint16_t port;
	uint32_t heartbeat_ms, window;
	struct eg_log *lg;
	struct eg_tls_conf *tls;
	struct spool *spool;
	pthread_mutex_t mu;		/* spool and stats */
	struct uplink_stats st;
	struct backoff bo;
	int wake[2];			/* pipe: stop / new event */
	volatile int stop;
	/* the current connection */
	int fd;
	struct eg_tls *t;
	struct frame_dec *dec;
	struct eg_wbuf out;
	size_t wpending;
	uint64_t sent_upto, acked;
	int64_t last_tx, last_ack_progress;
	/* the kiosk's side (under mu) */
	uplink_msg_fn on_message;
	void *on_message_ctx;
	struct uplink_status status;
	bool status_changed;
	int64_t last_status_hb;
	uint8_t *live[UPLINK_LIVE_MAX];	/* packed frames, FIFO */
	size_t live_len[UPLINK_LIVE_MAX];
	size_t nlive;
};

#define UPLINK_STATUS_MIN_MS 200	/* status heartbeats at most this often */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
set_error(struct uplink *u, const char *what, const char *why)
{
	pthread_mutex_lock(&u->mu);
	snprintf(u->st.last_error, sizeof(u->st.last_error), "%s: %s", what, why);
	pthread_mutex_unlock(&u->mu);
	EG_LOG(u->lg, EG_LOG_WARN, "uplink.error", EG_STR("what", what), EG_STR("reason", why),
	    EG_STR("host", u->host), EG_INT("port", u->port));
}

int
uplink_new(const struct uplink_conf *c, struct uplink **out)
{
	struct uplink *u = NULL;
	char err[200] = "";
	int rc = EG_ERR_INVAL;
	uint64_t seed;

	if (c == NULL || out == NULL || c->host == NULL || c->ca == NULL || c->cert == NULL ||
	    c->key == NULL || c->spool_path == NULL || c->port == 0)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return EG_ERR_NOMEM;
	u->fd = u->wake[0] = u->wake[1] = -1;
	pthread_mutex_init(&u->mu, NULL);
	u->host = strdup(c->host);
	u->server_name = dup_or_null(c->server_name);
	u->kiosk_id = dup_or_null(c->kiosk_id);
	u->firmware = dup_or_null(c->firmware_version);
	u->port = c->port;
	u->lg = c->log;
	u->heartbeat_ms = c->heartbeat_ms ? c->heartbeat_ms : 10000;
	u->window = c->window ? c->window : 256;
	u->on_message = c->on_message;
	u->on_message_ctx = c->on_message_ctx;
	snprintf(u->status.state, sizeof(u->status.state), "starting");
	u->st.down_since_ms = now_ms();
	eg_wbuf_init(&u->out, FRAME_MAX_HARD * 2u, false);
	seed = c->seed;
	if (seed == 0) {
		seed = 1469598103934665603ull ^ (uint64_t)now_ms();
		for (const char *p = c->kiosk_id ? c->kiosk_id : ""; *p; p++)
			seed = (seed ^ (uint8_t)*p) * 1099511628211ull;
	}
	backoff_init(&u->bo, c->backoff_base_ms ? c->backoff_base_ms : 500,
	    c->backoff_cap_ms ? c->backoff_cap_ms : 30000, seed);
	rc = EG_ERR_NOMEM;
	if (u->host == NULL || pipe2(u->wake, O_CLOEXEC | O_NONBLOCK) != 0)
		goto out;
	if ((rc = spool_open(c->spool_path, &u->spool)) != EG_OK)
		goto out;
	if ((rc = eg_tls_conf_new(&u->tls, EG_TLS_CLIENT, c->ca, NULL, c->cert, c->key, err,
	    sizeof(err))) != EG_OK) {
		EG_LOG(u->lg, EG_LOG_ERROR, "uplink.tls_conf_failed", EG_STR("reason", err), EG_ERRF(rc));
		goto out;
	}
	*out = u;
	u = NULL;
	rc = EG_OK;
out:
	uplink_free(&u);
	return rc;
}

static void
disconnect(struct uplink *u)
{
	if (u->t != NULL) {
		eg_tls_close(u->t);
		eg_tls_free(&u->t);
	}
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	frame_dec_free(&u->dec);
	eg_wbuf_reset(&u->out);
	u->wpending = 0;
	pthread_mutex_lock(&u->mu);
	if (u->st.connected || u->st.down_since_ms == 0)
		u->st.down_since_ms = now_ms();
	u->st.connected = false;
	pthread_mutex_unlock(&u->mu);
}

void
uplink_free(struct uplink **up)
{
	struct uplink *u;

	if (up == NULL || (u = *up) == NULL)
		return;
	disconnect(u);
	eg_wbuf_free(&u->out);
	eg_tls_conf_free(&u->tls);
	spool_close(&u->spool);
	if (u->wake[0] >= 0)
		close(u->wake[0]);
	if (u->wake[1] >= 0)
		close(u->wake[1]);
	for (size_t i = 0; i < u->nlive; i++)
		free(u->live[i]);
	pthread_mutex_destroy(&u->mu);
	free(u->host);
	free(u->server_name);
	free(u->kiosk_id);
	free(u->firmware);
	free(u);
	*up = NULL;
}

void
uplink_stop(struct uplink *u)
{
	u->stop = 1;
	if (write(u->wake[1], "s", 1) < 0) {
		/* pipe full: a wake-up is already pending */
	}
}

void
uplink_get_stats(struct uplink *u, struct uplink_stats *s)
{
	uint64_t pending = 0;

	pthread_mutex_lock(&u->mu);
	if (spool_pending(u->spool, &pending) == EG_OK)
		u->st.pending = pending;
	u->st.status_pending = u->status_changed;
	u->st.live_pending = (uint32_t)u->nlive;
	*s = u->st;
	pthread_mutex_unlock(&u->mu);
}

int
uplink_submit(struct uplink *u, const Egate__PassageEvent *e, uint64_t *seq)
{
	Egate__PassageEvent tmp;
	Egate__Envelope env;
	uint8_t *buf = NULL;
	size_t len;
	uint64_t s = 0;
	int rc;

	if (u == NULL || e == NULL)
		return EG_ERR_INVAL;
	tmp = *e;
	tmp.seq = 1;		/* placeholder: validation wants seq >= 1 */
	egate__envelope__init(&env);
	env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
	env.passage = &tmp;
	if ((rc = proto_msg_validate(&env)) != EG_OK)
		return rc;
	tmp.seq = 0;
	len = egate__passage_event__get_packed_size(&tmp);
	if ((buf = malloc(len ? len : 1)) == NULL)
		return EG_ERR_NOMEM;
	egate__passage_event__pack(&tmp, buf);
	pthread_mutex_lock(&u->mu);
	rc = spool_append(u->spool, buf, len, &s);
	pthread_mutex_unlock(&u->mu);
	free(buf);
	if (rc == EG_OK) {
		if (seq != NULL)
			*seq = s;
		if (write(u->wake[1], "e", 1) < 0) {
			/* a wake-up is pending already */
		}
	}
	return rc;
}

static void
wake(struct uplink *u, char why)
{
	if (write(u->wake[1], &why, 1) < 0) {
		/* a wake-up is pending already */
	}
}

int
uplink_send(struct uplink *u, const Egate__Envelope *env)
{
	struct eg_wbuf w;
	uint8_t *copy = NULL;
	int rc;

	if (u == NULL || env == NULL)
		return EG_ERR_INVAL;
	eg_wbuf_init(&w, FRAME_MAX_HARD + FRAME_HDR_LEN, false);
	if ((rc = proto_msg_encode(env, 0, &w)) != EG_OK)
		goto out;
	rc = EG_ERR_NOMEM;
	if ((copy = malloc(w.len)) == NULL)
		goto out;
	memcpy(copy, w.data, w.len);
	pthread_mutex_lock(&u->mu);
	if (u->nlive >= UPLINK_LIVE_MAX) {
		rc = EG_ERR_OVERFLOW;
	} else {
		u->live[u->nlive] = copy;
		u->live_len[u->nlive++] = w.len;
		copy = NULL;
		rc = EG_OK;
	}
	pthread_mutex_unlock(&u->mu);
	if (rc == EG_OK)
		wake(u, 'l');
out:
	free(copy);
	eg_wbuf_free(&w);
	return rc;
}

void
uplink_set_config_version(struct uplink *u, uint64_t version)
{
	if (u == NULL)
		return;
	pthread_mutex_lock(&u->mu);
	if (u->status.config_version != version)
		u->status_changed = true;
	u->status.config_version = version;
	pthread_mutex_unlock(&u->mu);
	wake(u, 'h');
}

void
uplink_set_status(struct uplink *u, const struct uplink_status *s)
{
	if (u == NULL || s == NULL)
		return;
	pthread_mutex_lock(&u->mu);
	if (strcmp(u->status.state, s->state) != 0 || u->status.referral_seq != s->referral_seq ||
	    u->status.held != s->held || u->status.config_version != s->config_version ||
	    u->status.ndev != s->ndev)
		u->status_changed = true;
	for (size_t i = 0; i < s->ndev && i < UPLINK_DEVICES_MAX && i < u->status.ndev; i++)
		if (u->status.devices[i].health != s->devices[i].health)
			u->status_changed = true;
	u->status = *s;
	if (u->status.ndev > UPLINK_DEVICES_MAX)
		u->status.ndev = UPLINK_DEVICES_MAX;
	u->status.state[sizeof(u->status.state) - 1] = '\0';
	u->status.last_decision[sizeof(u->status.last_decision) - 1] = '\0';
	u->status.last_reason[sizeof(u->status.last_reason) - 1] = '\0';
	pthread_mutex_unlock(&u->mu);
	wake(u, 'h');
}

/* ---- waiting ---------------------------------------------------------------- */

static void
drain_wake(struct uplink *u)
{
	char b[64];

	while (read(u->wake[0], b, sizeof(b)) > 0)
		;
}

/* Wait for the socket (events) or a wake-up, up to ms. Returns the socket's
 * revents (0 on timeout or wake-up). */
static short
wait_fd(struct uplink *u, short events, int ms)
{
	struct pollfd pf[2] = { { .fd = u->wake[0], .events = POLLIN }, { .fd = u->fd, .events = events } };

	if (poll(pf, u->fd >= 0 ? 2 : 1, ms) <= 0)
		return 0;
	if (pf[0].revents & POLLIN)
		drain_wake(u);
	return u->fd >= 0 ? pf[1].revents : 0;
}

static void
sleep_backoff(struct uplink *u)
{
	int64_t end = now_ms() + backoff_next(&u->bo);

	while (!u->stop && now_ms() < end)
		(void)wait_fd(u, 0, (int)(end - now_ms()));
}

/* ---- connection set-up -------------------------------------------------------- */

static int
tcp_connect(struct uplink *u)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	char port[8];
	int one = 1, rc = EG_ERR_IO, err = 0;
	socklen_t el = sizeof(err);

	snprintf(port, sizeof(port), "%u", u->port);
	if (getaddrinfo(u->host, port, &hints, &res) != 0 || res == NULL) {
		set_error(u, "connect", "cannot resolve the host");
		return EG_ERR_IO;
	}
	u->fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0)
		goto out;
	setsockopt(u->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(u->fd, res->ai_addr, res->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			set_error(u, "connect", strerror(errno));
			goto out;
		}
		if (!(wait_fd(u, POLLOUT, UPLINK_IO_TIMEOUT_MS) & (POLLOUT | POLLERR | POLLHUP))) {
			set_error(u, "connect", u->stop ? "stopped" : "timed out");
			goto out;
		}
		if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
			set_error(u, "connect", strerror(err ? err : errno));
			goto out;
		}
	}
	rc = EG_OK;
out:
	freeaddrinfo(res);
	return rc;
}

static int
handshake(struct uplink *u)
{
	int64_t end = now_ms() + UPLINK_IO_TIMEOUT_MS;
	int rc;

	if ((rc = eg_tls_new(&u->t, u->tls, u->fd, u->server_name)) != EG_OK)
		return rc;
	for (;;) {
		bool ww = false;

		rc = eg_tls_handshake(u->t, &ww);
		if (rc != EG_ERR_BUSY)
			break;
		if (u->stop || now_ms() >= end) {
			rc = EG_ERR_TIMEOUT;
			break;
		}
		(void)wait_fd(u, ww ? POLLOUT : POLLIN, (int)(end - now_ms()));
	}
	if (rc != EG_OK) {
		set_error(u, "tls", rc == EG_ERR_TIMEOUT ? "handshake timed out" : eg_tls_error(u->t));
		pthread_mutex_lock(&u->mu);
		u->st.tls_failures++;
		pthread_mutex_unlock(&u->mu);
		return rc;
	}
	eg_tls_save_session(u->t);
	EG_LOG(u->lg, EG_LOG_INFO, "uplink.tls_up", EG_STR("host", u->host),
	    EG_BOOL("resumed", eg_tls_resumed(u->t)));
	return EG_OK;
}

/* ---- I/O on an established connection ------------------------------------------- */

static int
flush_out(struct uplink *u, bool *blocked)
{
	*blocked = false;
	while (u->out.len > 0) {
		size_t chunk = u->wpending ? u->wpending : (u->out.len < 16384 ? u->out.len : 16384);
		size_t put = 0;
		bool ww = false;
		int rc = eg_tls_write(u->t, u->out.data, chunk, &put, &ww);

		if (rc == EG_ERR_BUSY) {
			u->wpending = chunk;
			*blocked = true;
			return EG_OK;
		}
		if (rc != EG_OK) {
			set_error(u, "write", eg_tls_error(u->t));
			return rc;
		}
		u->wpending = 0;
		memmove(u->out.data, u->out.data + put, u->out.len - put);
		u->out.len -= put;
		u->last_tx = now_ms();
	}
	return EG_OK;
}

static int
send_env(struct uplink *u, const Egate__Envelope *env)
{
	int rc = proto_msg_encode(env, 0, &u->out);

	if (rc != EG_OK)
		set_error(u, "encode", eg_err_name(rc));
	return rc;
}

/* Read whatever is there; each complete message goes to *handle. A message
 * that is not for us ends the session. *msg (if set) is the first message
 * decoded, for the HelloAck wait. */
typedef int (*msg_fn)(struct uplink *u, const Egate__Envelope *env);

static int on_session_msg(struct uplink *u, const Egate__Envelope *env);

/* When fn returns EG_ERR_CANCELLED (HelloAck: the session is up), the rest
 * of what was read (a ConfigPush right behind the HelloAck, often in the
 * same TLS record) goes to on_session_msg, and EG_ERR_CANCELLED is
 * returned at the end. */
static int
read_some(struct uplink *u, msg_fn fn)
{
	uint8_t buf[16384 + 64];
	bool up = false;

	for (int i = 0; i < 8; i++) {
		size_t got = 0;
		bool ww = false;
		const uint8_t *p = buf;
		int rc = eg_tls_read(u->t, buf, sizeof(buf), &got, &ww);

		if (rc == EG_ERR_BUSY)
			return up ? EG_ERR_CANCELLED : EG_OK;
		if (rc != EG_OK) {
			set_error(u, "read", rc == EG_ERR_CLOSED ? "host closed the connection" : eg_tls_error(u->t));
			return rc;
		}
		while (got > 0) {
			const uint8_t *f;
			size_t used = 0, flen;
			struct proto_msg *m = NULL;

			rc = frame_dec_feed(u->dec, p, got, &used, &f, &flen);
			p += used;
			got -= used;
			if (rc == EG_ERR_TRUNCATED)
				break;
			if (rc != EG_OK || (rc = proto_msg_decode(f, flen, &m)) != EG_OK) {
				set_error(u, "read", "undecodable frame from the host");
				return EG_ERR_PROTOCOL;
			}
			rc = fn(u, proto_msg_env(m));
			proto_msg_free(&m);
			if (rc == EG_ERR_CANCELLED && !up) {
				up = true;
				fn = on_session_msg;
				continue;
			}
			if (rc != EG_OK)
				return rc;
		}
		if (up)
			return EG_ERR_CANCELLED;
	}
	return up ? EG_ERR_CANCELLED : EG_OK;
}

static int
on_error_msg(struct uplink *u, const Egate__Error *e)
{
	char why[200];

	snprintf(why, sizeof(why), "host error %d seq %llu: %s", (int)e->code,
	    (unsigned long long)e->seq, e->detail ? e->detail : "");
	set_error(u, "host", why);
	return e->fatal ? EG_ERR_PROTOCOL : EG_OK;
}

static int
on_session_msg(struct uplink *u, const Egate__Envelope *env)
{
	int rc;

	switch (env->body_case) {
	case EGATE__ENVELOPE__BODY_ACK:
		if (!env->ack->durable)
			return EG_OK;
		if (env->ack->seq > u->sent_upto || env->ack->seq < u->acked) {
			set_error(u, "ack", "acknowledgement for an event not in flight");
			return EG_ERR_PROTOCOL;
		}
		pthread_mutex_lock(&u->mu);
		rc = spool_ack(u->spool, env->ack->seq);
		if (rc == EG_OK && env->ack->seq > u->st.acked_seq)
			u->st.acked_seq = env->ack->seq;
		pthread_mutex_unlock(&u->mu);
		if (rc != EG_OK) {
			set_error(u, "spool", eg_err_name(rc));
			return rc;
		}
		u->acked = env->ack->seq;
		u->last_ack_progress = now_ms();
		return EG_OK;
	case EGATE__ENVELOPE__BODY_ERROR:
		return on_error_msg(u, env->error);
	case EGATE__ENVELOPE__BODY_CONFIG_PUSH:
	case EGATE__ENVELOPE__BODY_OFFICER_COMMAND:
		/* configuration and officer commands belong to the kiosk */
		if (u->on_message != NULL)
			u->on_message(u->on_message_ctx, env);
		else
			EG_LOG(u->lg, EG_LOG_NOTICE, "uplink.ignored",
			    EG_STR("message", proto_body_name(env->body_case)));
		return EG_OK;
	default:
		set_error(u, "protocol", "unexpected message from the host");
		return EG_ERR_PROTOCOL;
	}
}

static int
on_hello_msg(struct uplink *u, const Egate__Envelope *env)
{
	uint64_t last_issued = 0, durable;
	int rc = EG_OK;

	if (env->body_case == EGATE__ENVELOPE__BODY_ERROR) {
		on_error_msg(u, env->error);
		return EG_ERR_PROTOCOL;
	}
	if (env->body_case != EGATE__ENVELOPE__BODY_HELLO_ACK) {
		set_error(u, "protocol", "first message from the host is not HelloAck");
		return EG_ERR_PROTOCOL;
	}
	durable = env->hello_ack->last_durable_seq;
	pthread_mutex_lock(&u->mu);
	spool_last_seq(u->spool, &last_issued);
	if (durable > last_issued) {
		/* the host holds seqs this spool never issued (restored spool?) */
		rc = EG_ERR_PROTOCOL;
	} else if (durable > 0) {
		rc = spool_ack(u->spool, durable);
		if (durable > u->st.acked_seq)
			u->st.acked_seq = durable;
	}
	if (rc == EG_OK) {
		u->st.host_config_version = env->hello_ack->config_version;
		u->st.sessions++;
		u->st.resumed += eg_tls_resumed(u->t);
		u->st.connected = true;
		u->st.down_since_ms = 0;
	}
	pthread_mutex_unlock(&u->mu);
	if (rc != EG_OK) {
		set_error(u, "hello", "host's last durable seq is ahead of this spool");
		return rc;
	}
	u->sent_upto = u->acked = durable;
	EG_LOG(u->lg, EG_LOG_INFO, "uplink.session", EG_UINT("last_durable_seq", durable),
	    EG_STR("kiosk", env->hello_ack->kiosk_id));
	return EG_ERR_CANCELLED;	/* stop reading: the session is up */
}

static int
send_hello(struct uplink *u)
{
	Egate__Envelope env;
	Egate__Hello h;
	uint64_t last = 0;
	char empty[1] = "";

	pthread_mutex_lock(&u->mu);
	spool_last_seq(u->spool, &last);
	pthread_mutex_unlock(&u->mu);
	egate__envelope__init(&env);
	egate__hello__init(&h);
	h.version_min = EGATE_PROTO_VERSION_MIN;
	h.version_max = EGATE_PROTO_VERSION_MAX;
	h.kiosk_id_claimed = u->kiosk_id ? u->kiosk_id : empty;
	h.firmware_version = u->firmware ? u->firmware : empty;
	h.last_seq = last;
	pthread_mutex_lock(&u->mu);
	h.config_version = u->status.config_version;
	pthread_mutex_unlock(&u->mu);
	env.body_case = EGATE__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	return send_env(u, &env);
}

/* Queue spooled events after sent_upto while the window allows. */
static int
fill(struct uplink *u)
{
	while (u->sent_upto - u->acked < u->window && u->out.len < FRAME_MAX_HARD) {
		Egate__Envelope env;
		Egate__PassageEvent *e;
		uint8_t *payload = NULL;
		size_t len = 0;
		uint64_t seq = 0;
		int rc;

		pthread_mutex_lock(&u->mu);
		rc = spool_next(u->spool, u->sent_upto, &seq, &payload, &len);
		pthread_mutex_unlock(&u->mu);
		if (rc == EG_ERR_NOT_FOUND)
			return EG_OK;
		if (rc != EG_OK) {
			set_error(u, "spool", eg_err_name(rc));
			return rc;
		}
		e = egate__passage_event__unpack(NULL, len, payload);
		free(payload);
		if (e == NULL) {
			set_error(u, "spool", "record is not a PassageEvent");
			return EG_ERR_FORMAT;
		}
		e->seq = seq;
		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_PASSAGE;
		env.passage = e;
		rc = send_env(u, &env);
		egate__passage_event__free_unpacked(e, NULL);
		if (rc != EG_OK)
			return rc;
		u->sent_upto = seq;
		pthread_mutex_lock(&u->mu);
		u->st.sent++;
		pthread_mutex_unlock(&u->mu);
	}
	return EG_OK;
}

static int
heartbeat(struct uplink *u)
{
	Egate__Envelope env;
	Egate__Heartbeat hb;
	Egate__DeviceStatus ds[UPLINK_DEVICES_MAX], *dsp[UPLINK_DEVICES_MAX];
	uint64_t pending = 0;
	struct uplink_status st;

	pthread_mutex_lock(&u->mu);
	spool_pending(u->spool, &pending);
	st = u->status;
	u->status_changed = false;
	u->last_status_hb = now_ms();
	pthread_mutex_unlock(&u->mu);
	egate__envelope__init(&env);
	egate__heartbeat__init(&hb);
	hb.ts_ms = (int64_t)time(NULL) * 1000;
	hb.state = st.state;
	hb.pending_events = pending > UINT32_MAX ? UINT32_MAX : (uint32_t)pending;
	hb.referral_seq = st.referral_seq;
	hb.held = st.held;
	hb.config_version = st.config_version;
	hb.last_decision = st.last_decision;
	hb.last_reason = st.last_reason;
	hb.last_ts_ms = st.last_ts_ms;
	for (size_t i = 0; i < st.ndev; i++) {
		st.devices[i].name[sizeof(st.devices[i].name) - 1] = '\0';
		st.devices[i].detail[sizeof(st.devices[i].detail) - 1] = '\0';
		egate__device_status__init(&ds[i]);
		ds[i].name = st.devices[i].name;
		ds[i].health = st.devices[i].health;
		ds[i].detail = st.devices[i].detail;
		dsp[i] = &ds[i];
	}
	hb.n_devices = st.ndev;
	hb.devices = dsp;
	env.body_case = EGATE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	return send_env(u, &env);
}

/* Move the kiosk's live messages into the output buffer. */
static int
take_live(struct uplink *u)
{
	int rc = EG_OK;
	size_t i;

	pthread_mutex_lock(&u->mu);
	for (i = 0; i < u->nlive; i++) {
		if ((rc = eg_wbuf_put(&u->out, u->live[i], u->live_len[i])) != EG_OK)
			break;
		free(u->live[i]);
	}
	memmove(u->live, u->live + i, (u->nlive - i) * sizeof(u->live[0]));
	memmove(u->live_len, u->live_len + i, (u->nlive - i) * sizeof(u->live_len[0]));
	u->nlive -= i;
	pthread_mutex_unlock(&u->mu);
	if (rc != EG_OK)
		set_error(u, "live", eg_err_name(rc));
	return rc;
}

static bool
status_due(struct uplink *u, int64_t now)
{
	bool due;

	pthread_mutex_lock(&u->mu);
	due = u->status_changed && now - u->last_status_hb >= UPLINK_STATUS_MIN_MS;
	pthread_mutex_unlock(&u->mu);
	return due;
}

/* One session: from connect to the first failure (or stop). */
static void
session(struct uplink *u)
{
	bool blocked = false;
	int64_t end;
	int rc;

	if (tcp_connect(u) != EG_OK || handshake(u) != EG_OK)
		return;
	if (frame_dec_new(0, &u->dec) != EG_OK || send_hello(u) != EG_OK ||
	    flush_out(u, &blocked) != EG_OK)
		return;
	/* HelloAck */
	end = now_ms() + UPLINK_IO_TIMEOUT_MS;
	for (;;) {
		if (u->stop)
			return;
		if (now_ms() >= end) {
			set_error(u, "hello", "no HelloAck in time");
			return;
		}
		rc = read_some(u, on_hello_msg);
		if (rc == EG_ERR_CANCELLED)
			break;
		if (rc != EG_OK)
			return;
		if (blocked && flush_out(u, &blocked) != EG_OK)
			return;
		(void)wait_fd(u, (short)(POLLIN | (blocked ? POLLOUT : 0)), (int)(end - now_ms()));
	}
	backoff_reset(&u->bo);
	/* a new session: tell the host at once where the kiosk stands (a
	 * restarted host knows nothing of a referral waiting for an officer) */
	pthread_mutex_lock(&u->mu);
	u->status_changed = true;
	u->last_status_hb = 0;
	pthread_mutex_unlock(&u->mu);
	u->last_tx = u->last_ack_progress = now_ms();
	while (!u->stop) {
		int64_t now;
		int wait;

		if (take_live(u) != EG_OK || fill(u) != EG_OK || flush_out(u, &blocked) != EG_OK)
			return;
		now = now_ms();
		if (u->sent_upto > u->acked && now - u->last_ack_progress > UPLINK_ACK_TIMEOUT_MS) {
			set_error(u, "ack", "no acknowledgement in time");
			return;
		}
		if (!blocked && u->out.len == 0 &&
		    (now - u->last_tx >= u->heartbeat_ms || status_due(u, now))) {
			if (heartbeat(u) != EG_OK)
				return;
			continue;
		}
		wait = (int)(u->heartbeat_ms - (now - u->last_tx));
		if (wait < 1)
			wait = 1;
		if (wait > 1000)
			wait = 1000;
		if (wait > UPLINK_STATUS_MIN_MS && status_due(u, now + UPLINK_STATUS_MIN_MS))
			wait = UPLINK_STATUS_MIN_MS;
		short re = wait_fd(u, (short)(POLLIN | (blocked ? POLLOUT : 0)), wait);
		if ((re & (POLLIN | POLLHUP | POLLERR)) && read_some(u, on_session_msg) != EG_OK)
			return;
	}
}

int
uplink_run(struct uplink *u)
{
	if (u == NULL)
		return EG_ERR_INVAL;
	while (!u->stop) {
		session(u);
		disconnect(u);
		if (!u->stop)
			sleep_backoff(u);
	}
	return EG_OK;
}
