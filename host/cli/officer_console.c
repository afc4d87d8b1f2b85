/* SPDX-License-Identifier: Apache-2.0 */
/*
 * officer_console.c — `egate officer console --listen 127.0.0.1:PORT`: the
 * officer console for a browser on the officer's own workstation.
 *
 * One process, two sides:
 *   - the main thread holds the officer's session with egate-host
 *     (officer_link.c: mutual TLS with the officer certificate), subscribes
 *     (PROTOCOL.md, OFFICER_QUERY_SUBSCRIBE), keeps the state it is sent
 *     (kiosks, waiting referrals, their pictures) and sends the officer's
 *     actions; it reconnects when the host goes away;
 *   - libmicrohttpd serves the page (host/cli/console/, compiled in) and
 *     its data on a loopback address only, one thread per connection (at
 *     most CONSOLE_HTTP_CONNECTIONS): live updates as Server-Sent Events
 *     (GET /events), actions as form posts (POST /api/action).
 *
 * Who may use it (docs/operator-guide.md, "The console's security"):
 *   - the listening address must be loopback (127.0.0.0/8 or ::1): the
 *     console is never reachable from the network;
 *   - every request's Host header must name that address and port
 *     (127.0.0.1:PORT, localhost:PORT, [::1]:PORT): a page on another name
 *     that resolves to 127.0.0.1 (DNS rebinding) is refused;
 *   - the data and the actions need a secret made at start (32 random
 *     bytes, hex): it is in the URL the console prints, after '#', so the
 *     browser never sends it in a request line, a Referer or to another
 *     site; the page passes it as ?k= to the event stream and in the
 *     X-Egate-Token header of an action, which a page of another origin
 *     cannot set without a CORS preflight the console never allows. Other
 *     users of the workstation can connect to the port but cannot read the
 *     data or post a decision without the secret; the secret is not a
 *     cookie because cookies are not kept apart by port;
 *   - a POST whose Origin header is present must come from the console's
 *     own origin.
 *
 * The pictures of a referral are held in this process's memory only, sent
 * to the page inside the event stream (never as a URL the browser could
 * cache), never written or logged, and wiped (eg_memzero) when the host
 * says the referral is closed, when the link to the host is lost and at
 * exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <microhttpd.h>

#include "cli.h"
#include "console_assets.h"
#include "egate/error.h"
#include "egate/json.h"
#include "egate/secure.h"
#include "explain.h"
#include "frame.h"
#include "officer.h"
#include "officer_json.h"
#include "text.h"

#define CONSOLE_HTTP_CONNECTIONS 16
#define CONSOLE_RING 512		/* events kept for readers that fall behind */
#define CONSOLE_SSE_KEEPALIVE_S 15
#define CONSOLE_ACTION_WAIT_S 25	/* the host answers within its 10 s kiosk timeout */
#define CONSOLE_LINK_KEEPALIVE_MS 10000
#define CONSOLE_BACKOFF_MAX_MS 30000
#define CONSOLE_POST_MAX 4096
#define CONSOLE_KEY_MAX 96

/* ---- the model: what the host said, as JSON texts, behind one mutex ------------ */

struct item {
	char key[CONSOLE_KEY_MAX];	/* kiosk id, or "kiosk/seq" */
	char *json;
	size_t len;
	bool secret;			/* pictures: wiped when dropped */
};

struct items {
	struct item *v;
	size_t n, cap;
};

struct event {
	uint64_t id;			/* 0: empty slot */
	char key[CONSOLE_KEY_MAX];	/* the referral of an "images" event */
	char *text;			/* the whole SSE frame */
	size_t len;
	bool secret;
};

struct action {
	struct action *next;
	uint64_t request_id;		/* set when sent */
	Egate__OfficerAction act;
	char kiosk[80];
	uint64_t passage;
	char reason[PROTO_REASON_MAX + 1];
	bool done, ok, abandoned;
	uint64_t command_id;
	char detail[256];
	int status;			/* HTTP status of the answer */
};

struct console {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct items kiosks, referrals, images;
	struct event ring[CONSOLE_RING];
	uint64_t next_id;		/* id of the last event emitted */
	char link_state[16];		/* "up", "down", "connecting" */
	char link_detail[512];
	int64_t link_since_ms;
	char officer[80];
	bool stopping;
	struct action *queue;		/* waiting to be sent */
	struct action *inflight;	/* sent, waiting for the host's reply */
	int wake_fd;			/* eventfd: actions queued */
	/* set at start, read-only afterwards */
	char token[65];
	char hosts[3][80];		/* Host header values accepted */
	size_t nhosts;
	char origins[3][96];
	int port;
};

static void
item_clear(struct item *it)
{
	if (it->secret)
		eg_secret_free(&it->json, it->len);
	else
		free(it->json);
	memset(it, 0, sizeof(*it));
}

static void
items_clear(struct items *s)
{
	for (size_t i = 0; i < s->n; i++)
		item_clear(&s->v[i]);
	s->n = 0;
}

static void
items_free(struct items *s)
{
	items_clear(s);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Replace or add key (takes json). False on allocation failure (json freed). */
static bool
items_put(struct items *s, const char *key, char *json, bool secret)
{
	struct item *it = NULL;

	for (size_t i = 0; i < s->n && it == NULL; i++)
		if (strcmp(s->v[i].key, key) == 0)
			it = &s->v[i];
	if (it == NULL) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct item *v = realloc(s->v, cap * sizeof(*v));

			if (v == NULL) {
				if (secret)
					eg_secret_free(&json, strlen(json));
				else
					free(json);
				return false;
			}
			s->v = v;
			s->cap = cap;
		}
		it = &s->v[s->n++];
		memset(it, 0, sizeof(*it));
	} else {
		item_clear(it);
	}
	snprintf(it->key, sizeof(it->key), "%s", key);
	it->json = json;
	it->len = strlen(json);
	it->secret = secret;
	return true;
}

static void
items_del(struct items *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].key, key) == 0) {
			item_clear(&s->v[i]);
			s->v[i] = s->v[--s->n];
			return;
		}
}

/* Append an event (caller holds mu). data is one line of JSON. */
static void
emit(struct console *con, const char *type, const char *data, const char *key, bool secret)
{
	struct event *ev;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return;
	con->next_id++;
	fprintf(f, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", con->next_id, type, data);
	if (fclose(f) != 0) {
		free(text);
		return;
	}
	ev = &con->ring[con->next_id % CONSOLE_RING];
	if (ev->secret)
		eg_secret_free(&ev->text, ev->len);
	else
		free(ev->text);
	ev->id = con->next_id;
	ev->text = text;
	ev->len = len;
	ev->secret = secret;
	snprintf(ev->key, sizeof(ev->key), "%s", key != NULL ? key : "");
	pthread_cond_broadcast(&con->cv);
}

/* Wipe the pictures of key from the ring (they were sent; nobody may get
 * them any more). Caller holds mu. */
static void
ring_wipe(struct console *con, const char *key)
{
	for (size_t i = 0; i < CONSOLE_RING; i++) {
		struct event *ev = &con->ring[i];

		if (ev->secret && (key == NULL || strcmp(ev->key, key) == 0)) {
			eg_secret_free(&ev->text, ev->len);
			/* readers that had not taken it get an empty comment */
			ev->text = strdup(": wiped\n\n");
			ev->len = ev->text != NULL ? strlen(ev->text) : 0;
			ev->secret = false;
		}
	}
}

/* The whole state as one JSON object (caller holds mu). Heap string. */
static char *
snapshot(struct console *con, size_t *lenp)
{
	struct eg_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fputs("{\"officer\":", f);
	eg_json_init(&j, f);
	eg_json_str(&j, con->officer);
	fputs(",\"link\":", f);
	eg_json_init(&j, f);
	eg_json_obj_begin(&j);
	eg_json_key_str(&j, "state", con->link_state);
	eg_json_key_str(&j, "detail", con->link_detail);
	eg_json_key_int(&j, "since_ms", con->link_since_ms);
	eg_json_obj_end(&j);
	fputs(",\"kiosks\":[", f);
	for (size_t i = 0; i < con->kiosks.n; i++)
		fprintf(f, "%s%s", i ? "," : "", con->kiosks.v[i].json);
	fputs("],\"referrals\":[", f);
	for (size_t i = 0; i < con->referrals.n; i++)
		fprintf(f, "%s%s", i ? "," : "", con->referrals.v[i].json);
	fputs("],\"images\":[", f);
	for (size_t i = 0; i < con->images.n; i++)
		fprintf(f, "%s%s", i ? "," : "", con->images.v[i].json);
	fputs("]}", f);
	if (fclose(f) != 0) {
		eg_secret_free(&buf, len);
		return NULL;
	}
	*lenp = len;
	return buf;
}

static void
link_set(struct console *con, const char *state, const char *detail)
{
	struct eg_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	pthread_mutex_lock(&con->mu);
	snprintf(con->link_state, sizeof(con->link_state), "%s", state);
	snprintf(con->link_detail, sizeof(con->link_detail), "%s", detail);
	con->link_since_ms = cli_wall_ms();
	if ((f = open_memstream(&buf, &len)) != NULL) {
		eg_json_init(&j, f);
		eg_json_obj_begin(&j);
		eg_json_key_str(&j, "state", state);
		eg_json_key_str(&j, "detail", detail);
		eg_json_key_int(&j, "since_ms", con->link_since_ms);
		eg_json_obj_end(&j);
		if (fclose(f) == 0)
			emit(con, "link", buf, NULL, false);
		free(buf);
	}
	pthread_mutex_unlock(&con->mu);
}

static void
referral_key(char *out, size_t cap, const char *kiosk, uint64_t seq)
{
	snprintf(out, cap, "%s/%" PRIu64, kiosk, seq);
}

/* The state the host sent in reply to SUBSCRIBE replaces ours. */
static void
model_snapshot(struct console *con, const Egate__OfficerReply *r)
{
	char *snap;
	size_t len = 0;

	pthread_mutex_lock(&con->mu);
	items_clear(&con->kiosks);
	items_clear(&con->referrals);
	items_clear(&con->images);
	ring_wipe(con, NULL);
	for (size_t i = 0; i < r->n_kiosks; i++) {
		char *js = officer_json_kiosk_str(r->kiosks[i]);

		if (js != NULL)
			(void)items_put(&con->kiosks, r->kiosks[i]->kiosk_id, js, false);
	}
	for (size_t i = 0; i < r->n_referrals; i++) {
		char *js = officer_json_referral_str(r->referrals[i]);
		char key[CONSOLE_KEY_MAX];

		referral_key(key, sizeof(key), r->referrals[i]->kiosk_id, r->referrals[i]->seq);
		if (js != NULL)
			(void)items_put(&con->referrals, key, js, false);
	}
	if ((snap = snapshot(con, &len)) != NULL) {
		emit(con, "snapshot", snap, NULL, false);
		free(snap);	/* no pictures in it: they come as their own events */
	}
	pthread_mutex_unlock(&con->mu);
}

/* data:image/jpeg;base64,... of b (heap, wiped by the caller). */
static char *
data_url(const ProtobufCBinaryData *b, size_t *cap)
{
	static const char pre[] = "data:image/jpeg;base64,";
	size_t need = 0, olen = 0;
	char *out;

	*cap = 0;
	if (b->len == 0)
		return strdup("");
	(void)mbedtls_base64_encode(NULL, 0, &need, b->data, b->len);
	if ((out = malloc(sizeof(pre) + need)) == NULL)
		return NULL;
	memcpy(out, pre, sizeof(pre) - 1);
	if (mbedtls_base64_encode((unsigned char *)out + sizeof(pre) - 1, need, &olen, b->data,
	    b->len) != 0) {
		eg_secret_free(&out, sizeof(pre) + need);
		return NULL;
	}
	out[sizeof(pre) - 1 + olen] = '\0';
	*cap = sizeof(pre) + need;
	return out;
}

static char *
images_json(const Egate__ReferralImages *im)
{
	size_t lc = 0, pc = 0, len = 0;
	char *live = data_url(&im->live_face, &lc), *portrait = data_url(&im->chip_portrait, &pc);
	char *buf = NULL;
	struct eg_json j;
	FILE *f;

	if (live == NULL || portrait == NULL || (f = open_memstream(&buf, &len)) == NULL)
		goto out;
	eg_json_init(&j, f);
	eg_json_obj_begin(&j);
	eg_json_key_str(&j, "kiosk", im->kiosk_id);
	eg_json_key(&j, "seq");
	eg_json_uint(&j, im->referral_seq);
	eg_json_key_str(&j, "live", live);
	eg_json_key_str(&j, "portrait", portrait);
	eg_json_obj_end(&j);
	if (fclose(f) != 0)
		eg_secret_free(&buf, len);
	else if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
out:
	if (live != NULL)
		eg_secret_free(&live, lc ? lc : 1);
	if (portrait != NULL)
		eg_secret_free(&portrait, pc ? pc : 1);
	return buf;
}

static void
model_event(struct console *con, const Egate__OfficerEvent *e)
{
	char key[CONSOLE_KEY_MAX], *js = NULL;

	pthread_mutex_lock(&con->mu);
	switch (e->update_case) {
	case EGATE__OFFICER_EVENT__UPDATE_KIOSK:
		if ((js = officer_json_kiosk_str(e->kiosk)) != NULL) {
			emit(con, "kiosk", js, NULL, false);
			(void)items_put(&con->kiosks, e->kiosk->kiosk_id, js, false);
		}
		break;
	case EGATE__OFFICER_EVENT__UPDATE_REFERRAL:
		referral_key(key, sizeof(key), e->referral->kiosk_id, e->referral->seq);
		if ((js = officer_json_referral_str(e->referral)) != NULL) {
			emit(con, "referral", js, NULL, false);
			(void)items_put(&con->referrals, key, js, false);
		}
		break;
	case EGATE__OFFICER_EVENT__UPDATE_CLOSED:
		referral_key(key, sizeof(key), e->closed->kiosk_id, e->closed->seq);
		items_del(&con->referrals, key);
		items_del(&con->images, key);	/* wiped */
		ring_wipe(con, key);
		if ((js = officer_json_closed_str(e->closed)) != NULL) {
			emit(con, "closed", js, NULL, false);
			free(js);
		}
		break;
	case EGATE__OFFICER_EVENT__UPDATE_IMAGES:
		referral_key(key, sizeof(key), e->images->kiosk_id, e->images->referral_seq);
		if ((js = images_json(e->images)) != NULL) {
			emit(con, "images", js, key, true);
			(void)items_put(&con->images, key, js, true);
		}
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&con->mu);
}

/* The link is gone: nothing the host said is current, and the pictures go. */
static void
model_link_lost(struct console *con)
{
	pthread_mutex_lock(&con->mu);
	items_clear(&con->images);
	ring_wipe(con, NULL);
	pthread_mutex_unlock(&con->mu);
}

/* ---- actions: HTTP threads ask, the main thread sends ------------------------------ */

/* Finish a (dequeued) action; caller holds mu. */
static void
action_finish(struct console *con, struct action *a, bool ok, int status, uint64_t command_id,
    const char *detail)
{
	a->ok = ok;
	a->status = status;
	a->command_id = command_id;
	snprintf(a->detail, sizeof(a->detail), "%s", detail != NULL ? detail : "");
	a->done = true;
	if (a->abandoned)
		free(a);
	else
		pthread_cond_broadcast(&con->cv);
}

static void
actions_fail_all(struct console *con, const char *why)
{
	pthread_mutex_lock(&con->mu);
	for (struct action *a = con->queue, *next; a != NULL; a = next) {
		next = a->next;
		action_finish(con, a, false, MHD_HTTP_SERVICE_UNAVAILABLE, 0,
		    "not sent: the console is not connected to egate-host");
	}
	for (struct action *a = con->inflight, *next; a != NULL; a = next) {
		next = a->next;
		action_finish(con, a, false, MHD_HTTP_GATEWAY_TIMEOUT, 0, why);
	}
	con->queue = con->inflight = NULL;
	pthread_mutex_unlock(&con->mu);
}

/* Main thread: send what HTTP threads queued. Returns EG_OK or the send error. */
static int
actions_send(struct console *con, struct officer_link *l, uint64_t *next_request_id)
{
	struct action *todo;
	int rc = EG_OK;

	pthread_mutex_lock(&con->mu);
	todo = con->queue;
	con->queue = NULL;
	pthread_mutex_unlock(&con->mu);
	while (todo != NULL) {
		struct action *a = todo;
		Egate__Envelope env;
		Egate__OfficerRequest q;

		todo = a->next;
		egate__officer_request__init(&q);
		q.request_id = ++*next_request_id;
		q.action = a->act;
		q.kiosk_id = a->kiosk;
		q.reason = a->reason;
		q.passage_seq = a->passage;
		egate__envelope__init(&env);
		env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REQUEST;
		env.officer_request = &q;
		pthread_mutex_lock(&con->mu);
		a->request_id = q.request_id;
		pthread_mutex_unlock(&con->mu);
		if (rc == EG_OK)
			rc = officer_link_send(l, &env, officer_link_now_ms() + 5000);
		pthread_mutex_lock(&con->mu);
		if (rc != EG_OK) {
			action_finish(con, a, false, MHD_HTTP_SERVICE_UNAVAILABLE, 0,
			    "not sent: the link to egate-host failed");
		} else {
			a->next = con->inflight;
			con->inflight = a;
		}
		pthread_mutex_unlock(&con->mu);
	}
	return rc;
}

static void
action_reply(struct console *con, const Egate__OfficerReply *r)
{
	struct action **pp, *a = NULL;

	pthread_mutex_lock(&con->mu);
	for (pp = &con->inflight; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->request_id == r->request_id) {
			a = *pp;
			*pp = a->next;
			break;
		}
	if (a != NULL) {
		if (r->error != NULL)
			action_finish(con, a, false, MHD_HTTP_CONFLICT, r->command_id,
			    r->error->detail ? r->error->detail : "refused by the host");
		else if (r->result != NULL && r->result->ok)
			action_finish(con, a, true, MHD_HTTP_OK, r->command_id,
			    r->result->detail ? r->result->detail : "done");
		else
			action_finish(con, a, false, MHD_HTTP_CONFLICT, r->command_id,
			    r->result && r->result->detail && r->result->detail[0] ?
			    r->result->detail : "refused by the kiosk");
	}
	pthread_mutex_unlock(&con->mu);
}

/* ---- HTTP --------------------------------------------------------------------------- */

static void
secure_headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; "
	    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
}

static enum MHD_Result
answer(struct MHD_Connection *c, unsigned status, const char *type, const void *body, size_t len,
    enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, mode);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	secure_headers(r, type);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return answer(c, status, "text/plain; charset=utf-8", text, strlen(text), MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result
answer_json_result(struct MHD_Connection *c, unsigned status, bool ok, uint64_t command_id,
    const char *detail)
{
	struct eg_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	enum MHD_Result rc;

	if (f == NULL)
		return MHD_NO;
	eg_json_init(&j, f);
	eg_json_obj_begin(&j);
	eg_json_key_bool(&j, "ok", ok);
	eg_json_key(&j, "command_id");
	eg_json_uint(&j, command_id);
	eg_json_key_str(&j, "detail", detail);
	eg_json_obj_end(&j);
	(void)eg_json_finish(&j);
	if (fclose(f) != 0) {
		free(buf);
		return MHD_NO;
	}
	rc = answer(c, status, "application/json", buf, len, MHD_RESPMEM_MUST_COPY);
	free(buf);
	return rc;
}

static bool
token_ok(const struct console *con, const char *t)
{
	return t != NULL && strlen(t) == 64 && eg_ct_equal(t, con->token, 64);
}

static bool
host_ok(const struct console *con, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);

	for (size_t i = 0; h != NULL && i < con->nhosts; i++)
		if (strcmp(h, con->hosts[i]) == 0)
			return true;
	return false;
}

static bool
origin_ok(const struct console *con, struct MHD_Connection *c)
{
	const char *o = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");

	if (o == NULL)
		return true;	/* not a browser's cross-site request */
	for (size_t i = 0; i < con->nhosts; i++)
		if (strcmp(o, con->origins[i]) == 0)
			return true;
	return false;
}

/* An event-stream reader (one per GET /events). */
struct sse {
	struct console *con;
	uint64_t last;			/* last event id sent */
	bool started;
	char *buf;			/* frames being sent (may hold pictures) */
	size_t len, off;
};

static void
sse_drop(struct sse *s)
{
	if (s->buf != NULL)
		eg_secret_free(&s->buf, s->len);
	s->len = s->off = 0;
}

/* Fill s->buf with what the reader needs next; caller holds mu. */
static void
sse_fill(struct sse *s)
{
	struct console *con = s->con;
	uint64_t oldest = con->next_id >= CONSOLE_RING ? con->next_id - CONSOLE_RING + 1 : 1;
	FILE *f;
	size_t len = 0;

	if ((f = open_memstream(&s->buf, &len)) == NULL)
		return;
	if (!s->started || s->last + 1 < oldest) {
		size_t n = 0;
		char *snap = snapshot(con, &n);

		/* a new reader, or one that fell behind: the whole state */
		if (!s->started)
			fputs("retry: 1000\n\n", f);
		if (snap != NULL) {
			fprintf(f, "id: %" PRIu64 "\nevent: snapshot\ndata: %s\n\n", con->next_id, snap);
			eg_secret_free(&snap, n);
		}
		s->started = true;
		s->last = con->next_id;
	} else {
		for (uint64_t id = s->last + 1; id <= con->next_id; id++) {
			const struct event *ev = &con->ring[id % CONSOLE_RING];

			if (ev->id == id && ev->text != NULL)
				fwrite(ev->text, 1, ev->len, f);
		}
		s->last = con->next_id;
	}
	if (fclose(f) != 0) {
		free(s->buf);
		s->buf = NULL;
		len = 0;
	}
	s->len = len;
	s->off = 0;
}

static ssize_t
sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct sse *s = cls;
	struct console *con = s->con;
	size_t n;

	(void)pos;
	if (s->off >= s->len) {
		struct timespec until;
		bool keepalive = false;

		sse_drop(s);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CONSOLE_SSE_KEEPALIVE_S;
		pthread_mutex_lock(&con->mu);
		/* thread per connection: waiting here blocks only this reader */
		while (!con->stopping && s->started && s->last == con->next_id && !keepalive)
			keepalive = pthread_cond_timedwait(&con->cv, &con->mu, &until) == ETIMEDOUT;
		if (con->stopping) {
			pthread_mutex_unlock(&con->mu);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (!keepalive || s->last != con->next_id || !s->started)
			sse_fill(s);
		pthread_mutex_unlock(&con->mu);
		if (s->len == 0) {
			static const char ka[] = ": keepalive\n\n";

			memcpy(out, ka, sizeof(ka) - 1 < max ? sizeof(ka) - 1 : max);
			return (ssize_t)(sizeof(ka) - 1 < max ? sizeof(ka) - 1 : max);
		}
	}
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void
sse_free(void *cls)
{
	struct sse *s = cls;

	sse_drop(s);
	free(s);
}

/* Per-request state of a POST /api/action. */
struct post {
	struct MHD_PostProcessor *pp;
	char kiosk[80], action[32], passage[24];
	char reason[PROTO_REASON_MAX * 4 + 1];	/* longer is refused, not cut */
	bool too_long;
	size_t total;
};

static void
field_append(char *dst, size_t cap, const char *data, size_t size, uint64_t off, bool *too_long)
{
	if (off + size >= cap) {
		*too_long = true;
		return;
	}
	memcpy(dst + off, data, size);
	dst[off + size] = '\0';
}

static enum MHD_Result
post_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct post *p = cls;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (strcmp(key, "kiosk") == 0)
		field_append(p->kiosk, sizeof(p->kiosk), data, size, off, &p->too_long);
	else if (strcmp(key, "action") == 0)
		field_append(p->action, sizeof(p->action), data, size, off, &p->too_long);
	else if (strcmp(key, "passage") == 0)
		field_append(p->passage, sizeof(p->passage), data, size, off, &p->too_long);
	else if (strcmp(key, "reason") == 0)
		field_append(p->reason, sizeof(p->reason), data, size, off, &p->too_long);
	return MHD_YES;
}

static bool
action_parse(const char *s, Egate__OfficerAction *a)
{
	static const struct { const char *name; Egate__OfficerAction act; } t[] = {
		{ "open", EGATE__OFFICER_ACTION__OFFICER_OPEN },
		{ "hold", EGATE__OFFICER_ACTION__OFFICER_HOLD },
		{ "release", EGATE__OFFICER_ACTION__OFFICER_RELEASE },
		{ "override_open", EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN },
		{ "override_reject", EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0) {
			*a = t[i].act;
			return true;
		}
	return false;
}

/* The form is complete: check it, hand it to the main thread, wait. */
static enum MHD_Result
action_run(struct console *con, struct MHD_Connection *c, struct post *p)
{
	struct action *a;
	struct timespec until;
	char why[sizeof(a->detail)], *end;
	enum MHD_Result rc;
	bool ok;
	int status;
	uint64_t command_id;

	if (p->too_long)
		return answer_json_result(c, MHD_HTTP_BAD_REQUEST, false, 0, "a field is too long");
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return MHD_NO;
	if (!action_parse(p->action, &a->act)) {
		free(a);
		return answer_json_result(c, MHD_HTTP_BAD_REQUEST, false, 0, "unknown action");
	}
	if (p->kiosk[0] == '\0') {
		free(a);
		return answer_json_result(c, MHD_HTTP_BAD_REQUEST, false, 0, "no kiosk");
	}
	/* the same rule as the host's: blank, control characters, too long */
	if (proto_reason_check(p->reason, why, sizeof(why)) != EG_OK) {
		free(a);
		return answer_json_result(c, MHD_HTTP_BAD_REQUEST, false, 0, why);
	}
	errno = 0;
	a->passage = p->passage[0] ? strtoull(p->passage, &end, 10) : 0;
	if (errno != 0 || (p->passage[0] && *end != '\0') ||
	    ((a->act == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_OPEN ||
	    a->act == EGATE__OFFICER_ACTION__OFFICER_OVERRIDE_REJECT) && a->passage == 0)) {
		free(a);
		return answer_json_result(c, MHD_HTTP_BAD_REQUEST, false, 0, "a decision needs its passage");
	}
	snprintf(a->kiosk, sizeof(a->kiosk), "%s", p->kiosk);
	memcpy(a->reason, p->reason, strlen(p->reason) + 1);	/* checked: at most 200 bytes */
	pthread_mutex_lock(&con->mu);
	if (strcmp(con->link_state, "up") != 0) {
		pthread_mutex_unlock(&con->mu);
		free(a);
		return answer_json_result(c, MHD_HTTP_SERVICE_UNAVAILABLE, false, 0,
		    "not sent: the console is not connected to egate-host");
	}
	a->next = con->queue;
	con->queue = a;
	pthread_mutex_unlock(&con->mu);
	{
		uint64_t one = 1;

		if (write(con->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
			(void)0;	/* the counter is saturated: the loop is awake anyway */
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CONSOLE_ACTION_WAIT_S;
	pthread_mutex_lock(&con->mu);
	while (!a->done && !con->stopping)
		if (pthread_cond_timedwait(&con->cv, &con->mu, &until) == ETIMEDOUT)
			break;
	if (!a->done) {
		/* the main thread frees it when the answer comes */
		a->abandoned = true;
		pthread_mutex_unlock(&con->mu);
		return answer_json_result(c, MHD_HTTP_GATEWAY_TIMEOUT, false, 0,
		    "no answer from egate-host yet: check the kiosk's tile before acting again");
	}
	ok = a->ok;
	status = a->status;
	command_id = a->command_id;
	snprintf(why, sizeof(why), "%s", a->detail);
	free(a);
	pthread_mutex_unlock(&con->mu);
	rc = answer_json_result(c, (unsigned)status, ok, command_id, why);
	return rc;
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **ctx)
{
	struct console *con = cls;

	(void)version;
	/* DNS rebinding: the page must have been loaded by our own address */
	if (!host_ok(con, c))
		return answer_text(c, MHD_HTTP_MISDIRECTED_REQUEST,
		    "wrong Host: open the console at the address egate officer console printed\n");
	if (strcmp(method, "POST") == 0) {
		struct post *p = *ctx;

		if (strcmp(url, "/api/action") != 0)
			return answer_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
		if (p == NULL) {
			const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Egate-Token");

			if (!origin_ok(con, c) || !token_ok(con, tok))
				return answer_text(c, MHD_HTTP_FORBIDDEN,
				    "forbidden: this needs the console's own page\n");
			if ((p = calloc(1, sizeof(*p))) == NULL)
				return MHD_NO;
			p->pp = MHD_create_post_processor(c, 1024, post_field, p);
			if (p->pp == NULL) {
				free(p);
				return answer_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				    "a form (application/x-www-form-urlencoded) is expected\n");
			}
			*ctx = p;
			return MHD_YES;
		}
		if (*upload_data_size > 0) {
			p->total += *upload_data_size;
			if (p->total > CONSOLE_POST_MAX)
				p->too_long = true;
			else if (MHD_post_process(p->pp, upload_data, *upload_data_size) != MHD_YES)
				p->too_long = true;
			*upload_data_size = 0;
			return MHD_YES;
		}
		return action_run(con, c, p);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (strcmp(url, "/events") == 0 || strcmp(url, "/api/state") == 0) {
		const char *tok = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "k");
		struct MHD_Response *r;
		enum MHD_Result rc;

		if (!token_ok(con, tok))
			return answer_text(c, MHD_HTTP_FORBIDDEN,
			    "forbidden: open the console with the address it printed (with #k=...)\n");
		if (strcmp(url, "/api/state") == 0) {
			size_t len = 0;
			char *snap;

			pthread_mutex_lock(&con->mu);
			snap = snapshot(con, &len);
			pthread_mutex_unlock(&con->mu);
			if (snap == NULL)
				return MHD_NO;
			rc = answer(c, MHD_HTTP_OK, "application/json", snap, len, MHD_RESPMEM_MUST_COPY);
			eg_secret_free(&snap, len);
			return rc;
		}
		{
			struct sse *s = calloc(1, sizeof(*s));

			if (s == NULL)
				return MHD_NO;
			s->con = con;
			r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, sse_read, s,
			    sse_free);
			if (r == NULL) {
				free(s);
				return MHD_NO;
			}
		}
		secure_headers(r, "text/event-stream; charset=utf-8");
		rc = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return rc;
	}
	for (size_t i = 0; i < console_assets_n; i++) {
		const struct console_asset *as = &console_assets[i];

		if (strcmp(url, as->path) == 0 || (strcmp(url, "/") == 0 &&
		    strcmp(as->path, "/index.html") == 0))
			return answer(c, MHD_HTTP_OK, as->type, as->data, as->len, MHD_RESPMEM_PERSISTENT);
	}
	return answer_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void
http_done(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_RequestTerminationCode toe)
{
	struct post *p = *ctx;

	(void)cls;
	(void)c;
	(void)toe;
	if (p != NULL) {
		if (p->pp != NULL)
			MHD_destroy_post_processor(p->pp);
		free(p);
		*ctx = NULL;
	}
}

static void
http_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("egate officer: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- the listening address ------------------------------------------------------- */

/*
 * Parse ADDR:PORT (ADDR: 127.x.y.z, [::1] or localhost) and bind a socket
 * to it. Only loopback: a console on a network address would let anyone on
 * the network at the officer's decisions. Returns the fd or -1 with why.
 */
static int
listen_loopback(const char *spec, struct console *con, char *why, size_t whylen)
{
	char host[80], *colon, *end;
	struct sockaddr_storage ss;
	socklen_t sl;
	long port;
	int fd = -1, one = 1;
	bool v6 = false;

	memset(&ss, 0, sizeof(ss));
	if (strlen(spec) >= sizeof(host) || (colon = strrchr(spec, ':')) == NULL) {
		eg_errbuf(why, whylen, "--listen: ADDRESS:PORT, e.g. 127.0.0.1:8470");
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || colon[1] == '\0' || port < 0 || port > 65535) {
		eg_errbuf(why, whylen, "--listen: the port must be 0 to 65535");
		return -1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1 ||
		    !IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr)) {
			eg_errbuf(why, whylen, "--listen: %s is not a loopback address: the console "
			    "listens on this computer only (127.0.0.1 or [::1])", spec);
			return -1;
		}
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*a6);
		v6 = true;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1 ||
		    (ntohl(a4->sin_addr.s_addr) >> 24) != 127) {
			eg_errbuf(why, whylen, "--listen: %s is not a loopback address: the console "
			    "listens on this computer only (127.0.0.1 or [::1])", spec);
			return -1;
		}
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		sl = sizeof(*a4);
	}
	if ((fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 32) != 0) {
		eg_errbuf(why, whylen, "cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		eg_errbuf(why, whylen, "getsockname: %s", strerror(errno));
		close(fd);
		return -1;
	}
	con->port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	if (v6) {
		snprintf(con->hosts[0], sizeof(con->hosts[0]), "[::1]:%d", con->port);
		snprintf(con->hosts[1], sizeof(con->hosts[1]), "localhost:%d", con->port);
		con->nhosts = 2;
	} else {
		snprintf(con->hosts[0], sizeof(con->hosts[0]), "%s:%d", host, con->port);
		snprintf(con->hosts[1], sizeof(con->hosts[1]), "localhost:%d", con->port);
		con->nhosts = 2;
	}
	for (size_t i = 0; i < con->nhosts; i++)
		snprintf(con->origins[i], sizeof(con->origins[i]), "http://%s", con->hosts[i]);
	return fd;
}

/* ---- the main loop ---------------------------------------------------------------- */

static bool
signalled(int sfd)
{
	struct signalfd_siginfo si;

	return read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si);
}

static int
link_keepalive(struct officer_link *l)
{
	Egate__Envelope env;
	Egate__Heartbeat hb;

	egate__envelope__init(&env);
	egate__heartbeat__init(&hb);
	hb.ts_ms = cli_wall_ms();
	env.body_case = EGATE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	return officer_link_send(l, &env, officer_link_now_ms() + 5000);
}

static void
early_event(const Egate__Envelope *env, void *arg)
{
	if (env->body_case == EGATE__ENVELOPE__BODY_OFFICER_EVENT)
		model_event(arg, env->officer_event);
}

/* One session with the host; returns when it ends (why) or on a signal
 * (*stop). */
static void
session(struct console *con, struct officer_link *l, int sfd, bool *stop, char *why, size_t whylen)
{
	Egate__OfficerRequest q;
	const Egate__OfficerReply *rep = NULL;
	uint64_t next_request_id = 1, sub;
	int64_t next_ka;
	int rc;

	egate__officer_request__init(&q);
	q.request_id = sub = next_request_id++;
	q.query = EGATE__OFFICER_QUERY__OFFICER_QUERY_SUBSCRIBE;
	if (officer_link_request(l, &q, &rep, officer_link_now_ms() + 15000, early_event, con, why,
	    whylen) != EG_OK)
		return;
	if (rep->error != NULL) {
		snprintf(why, whylen, "the host refused the subscription: %s",
		    rep->error->detail ? rep->error->detail : "");
		return;
	}
	model_snapshot(con, rep);
	link_set(con, "up", "");
	next_ka = officer_link_now_ms() + CONSOLE_LINK_KEEPALIVE_MS;
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = officer_link_fd(l), .events = POLLIN },
			{ .fd = con->wake_fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		int64_t left = next_ka - officer_link_now_ms();
		const Egate__Envelope *env = NULL;

		if (left <= 0) {
			if ((rc = link_keepalive(l)) != EG_OK) {
				snprintf(why, whylen, "%s", eg_strerror(rc));
				return;
			}
			next_ka = officer_link_now_ms() + CONSOLE_LINK_KEEPALIVE_MS;
			continue;
		}
		if (poll(p, 3, (int)left) < 0 && errno != EINTR) {
			snprintf(why, whylen, "poll: %s", strerror(errno));
			return;
		}
		if (p[2].revents != 0 && signalled(sfd)) {
			*stop = true;
			return;
		}
		if (p[1].revents != 0) {
			uint64_t cnt;

			/* the eventfd's count is cleared; nothing to read (EAGAIN) is
			 * a spurious wake-up */
			if (read(con->wake_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN &&
			    errno != EINTR) {
				snprintf(why, whylen, "wake-up eventfd: %s", strerror(errno));
				return;
			}
			if ((rc = actions_send(con, l, &next_request_id)) != EG_OK) {
				snprintf(why, whylen, "%s", eg_strerror(rc));
				return;
			}
		}
		if (p[0].revents == 0)
			continue;
		while ((rc = officer_link_recv(l, &env, 0)) == EG_OK) {
			if (env->body_case == EGATE__ENVELOPE__BODY_OFFICER_EVENT &&
			    env->officer_event->subscription_id == sub)
				model_event(con, env->officer_event);
			else if (env->body_case == EGATE__ENVELOPE__BODY_OFFICER_REPLY)
				action_reply(con, env->officer_reply);
			else if (env->body_case == EGATE__ENVELOPE__BODY_ERROR) {
				snprintf(why, whylen, "host: %s", env->error->detail ? env->error->detail : "");
				return;
			}
		}
		if (rc != EG_ERR_TIMEOUT) {
			snprintf(why, whylen, "%s", rc == EG_ERR_CLOSED ? "the host closed the connection" :
			    eg_strerror(rc));
			return;
		}
	}
}

static int
write_url_file(const char *path, const char *url, char *why, size_t whylen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t n = strlen(url);
	bool ok;

	if (fd < 0) {
		eg_errbuf(why, whylen, "--url-file %s: %s", path, strerror(errno));
		return -1;
	}
	ok = fchmod(fd, 0600) == 0 && write(fd, url, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
	if (close(fd) != 0 || !ok) {
		eg_errbuf(why, whylen, "--url-file %s: cannot write", path);
		return -1;
	}
	return 0;
}

static void
console_destroy(struct console *con)
{
	items_free(&con->kiosks);
	items_free(&con->referrals);
	items_free(&con->images);
	for (size_t i = 0; i < CONSOLE_RING; i++) {
		if (con->ring[i].secret)
			eg_secret_free(&con->ring[i].text, con->ring[i].len);
		else
			free(con->ring[i].text);
	}
	if (con->wake_fd >= 0)
		close(con->wake_fd);
	pthread_cond_destroy(&con->cv);
	pthread_mutex_destroy(&con->mu);
	eg_memzero(con->token, sizeof(con->token));
	free(con);
}

int
officer_console_run(const struct officer_link_opts *o, const char *listen_spec, const char *url_file)
{
	struct console *con = calloc(1, sizeof(*con));
	struct MHD_Daemon *d = NULL;
	struct officer_link *l = NULL;
	pthread_condattr_t ca;
	uint8_t rnd[32];
	char why[512], url[256];
	int lfd = -1, sfd = -1, ex = EGATE_EXIT_ERROR;
	int64_t backoff = 1000;
	bool stop = false, ever = false;
	int rc;

	if (con == NULL)
		return EGATE_EXIT_ERROR;
	con->wake_fd = -1;
	pthread_mutex_init(&con->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_cond_init(&con->cv, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(con->link_state, sizeof(con->link_state), "connecting");
	if ((lfd = listen_loopback(listen_spec, con, why, sizeof(why))) < 0) {
		cli_err("officer", "%s", why);
		ex = EGATE_EXIT_USAGE;
		goto out;
	}
	/* the officer's certificate is checked before anything is served */
	if ((rc = officer_cert_check(o->ca ? o->ca : "", o->cert ? o->cert : "", con->officer,
	    sizeof(con->officer), why, sizeof(why))) != EG_OK) {
		cli_err("officer", "%s", o->ca == NULL || o->cert == NULL ?
		    "--ca, --cert and --key (or EGATE_CA, EGATE_OFFICER_CERT, EGATE_OFFICER_KEY) are "
		    "required" : why);
		ex = o->ca == NULL || o->cert == NULL ? EGATE_EXIT_USAGE : rc == EG_ERR_CERT ?
		    OFFICER_EXIT_CERT : EGATE_EXIT_ERROR;
		goto out;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		cli_err("officer", "no randomness for the console's secret");
		goto out;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(con->token + 2 * i, 3, "%02x", rnd[i]);
	eg_memzero(rnd, sizeof(rnd));
	if ((con->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		goto out;
	/* before MHD starts its threads, so they inherit the mask */
	if ((sfd = officer_signals_fd()) < 0)
		goto out;
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_POLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, http_handler, con,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, con,
	    MHD_OPTION_LISTEN_SOCKET, lfd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONSOLE_HTTP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    MHD_OPTION_NOTIFY_COMPLETED, http_done, con,
	    MHD_OPTION_END);
	if (d == NULL) {
		cli_err("officer", "cannot start the HTTP server on %s", listen_spec);
		goto out;
	}
	lfd = -1;	/* MHD's now */
	snprintf(url, sizeof(url), "http://%s/#k=%s", con->hosts[0], con->token);
	if (url_file != NULL && write_url_file(url_file, url, why, sizeof(why)) != 0) {
		cli_err("officer", "%s", why);
		goto out;
	}
	printf("egate officer console: open %s\n"
	    "(this computer only; the part after # is the console's secret for this run)\n", url);
	fflush(stdout);
	while (!stop) {
		link_set(con, "connecting", o->host);
		rc = officer_link_open(&l, o, why, sizeof(why));
		if (rc == EGATE_EXIT_OK && officer_link_version(l) < EGATE_PROTO_VERSION_LIVE) {
			snprintf(why, sizeof(why), "egate-host speaks protocol version %u; the console needs "
			    "version 2", officer_link_version(l));
			rc = EGATE_EXIT_FAIL;
		}
		if (rc == EGATE_EXIT_OK) {
			ever = true;
			backoff = 1000;
			session(con, l, sfd, &stop, why, sizeof(why));
			if (stop)
				break;
		} else if (rc == EGATE_EXIT_USAGE) {
			cli_err("officer", "%s", why);
			ex = rc;
			goto out;
		}
		officer_link_close(&l);
		actions_fail_all(con, "the link to egate-host was lost before the answer: check the "
		    "kiosk's tile before acting again");
		model_link_lost(con);
		link_set(con, "down", why);
		fprintf(stderr, "egate officer: %s%s; retrying in %lld s\n", ever ? "link lost: " : "",
		    why, (long long)(backoff / 1000));
		{
			struct pollfd p = { .fd = sfd, .events = POLLIN };

			if (poll(&p, 1, (int)backoff) > 0 && signalled(sfd))
				stop = true;
		}
		backoff = backoff * 2 > CONSOLE_BACKOFF_MAX_MS ? CONSOLE_BACKOFF_MAX_MS : backoff * 2;
	}
	ex = EGATE_EXIT_OK;
out:
	officer_link_close(&l);
	if (con->wake_fd >= 0)
		actions_fail_all(con, "the console is stopping");
	pthread_mutex_lock(&con->mu);
	con->stopping = true;
	pthread_cond_broadcast(&con->cv);
	pthread_mutex_unlock(&con->mu);
	if (d != NULL)
		MHD_stop_daemon(d);
	/* no HTTP thread is left: what they gave up on is ours to free */
	for (struct action *a = con->queue, *next; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	for (struct action *a = con->inflight, *next; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	if (lfd >= 0)
		close(lfd);
	if (sfd >= 0)
		close(sfd);
	console_destroy(con);
	return ex;
}
