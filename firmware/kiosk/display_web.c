/* SPDX-License-Identifier: Apache-2.0 */
/* display_web.c — the traveller's display served to a browser on loopback
 * (display_web.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "display_assets.h"
#include "display_web.h"
#include "egate/error.h"

#define DW_RING 32		/* messages a slow reader may fall behind */
#define DW_KEEPALIVE_S 15	/* a comment line this often keeps the stream up */
#define DW_CONNECTIONS 16

struct dw_msg {
	uint64_t id;
	char *frame;		/* "id: N\nevent: show\ndata: {...}\n\n" */
	size_t len;
};

struct display_web {
	struct MHD_Daemon *mhd;
	struct eg_log *log;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct dw_msg ring[DW_RING];
	uint64_t next_id;	/* id of the newest message; 0 = none yet */
	bool stopping;
	uint16_t port;
	char hosts[2][48];	/* Host headers accepted (DNS rebinding) */
	char url[72];
};

/* ---- messages ---------------------------------------------------------------------- */

static const char *const prompt_names[PROMPT_COUNT] = {
	[PROMPT_PLACE_DOC] = "place_doc",
	[PROMPT_NOTICE] = "notice",
	[PROMPT_LOOK] = "look",
	[PROMPT_RETAKE] = "retake",
	[PROMPT_PROCEED] = "proceed",
	[PROMPT_SEE_OFFICER] = "see_officer",
	[PROMPT_ONE_PERSON] = "one_person",
	[PROMPT_OUT_OF_SERVICE] = "out_of_service",
};

static const char *
outcome_name(enum passage_outcome o)
{
	switch (o) {
	case PO_OPEN: return "open";
	case PO_REFER: return "refer";
	case PO_REJECT: return "reject";
	default: return "none";
	}
}

/* A JSON string: our own static texts and rule names, escaped all the same. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static int
web_show(void *ctx, const struct display_msg *m)
{
	struct display_web *d = ctx;
	const char *text = prompt_text(m->prompt, m->lang);
	struct dw_msg *slot;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	uint64_t id;

	if (d == NULL || text == NULL)
		return EG_ERR_INVAL;
	pthread_mutex_lock(&d->mu);
	id = d->next_id + 1;
	pthread_mutex_unlock(&d->mu);
	if ((f = open_memstream(&buf, &len)) == NULL)
		return EG_ERR_NOMEM;
	fprintf(f, "id: %" PRIu64 "\nevent: show\ndata: {\"prompt\":", id);
	json_str(f, prompt_names[m->prompt]);
	fputs(",\"lang\":", f);
	json_str(f, prompt_lang_tag(m->lang));
	fputs(",\"text\":", f);
	json_str(f, text);
	fputs(",\"text_en\":", f);
	json_str(f, prompt_text(m->prompt, LANG_EN));
	/* every language, for the traveller's own choice on the page */
	fputs(",\"texts\":{", f);
	for (int l = 0; l < LANG_COUNT; l++) {
		fputs(l ? "," : "", f);
		json_str(f, prompt_lang_tag((enum prompt_lang)l));
		fputc(':', f);
		json_str(f, prompt_text(m->prompt, (enum prompt_lang)l));
	}
	fputc('}', f);
	fprintf(f, ",\"progress\":%d,\"countdown\":%d,\"outcome\":", m->progress, m->countdown_s);
	json_str(f, outcome_name(m->outcome));
	fputs(",\"rule\":", f);
	json_str(f, m->rule);
	fputs("}\n\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return EG_ERR_NOMEM;
	}
	pthread_mutex_lock(&d->mu);
	d->next_id = id;	/* show() is called from the kiosk's one thread */
	slot = &d->ring[id % DW_RING];
	free(slot->frame);
	slot->id = id;
	slot->frame = buf;
	slot->len = len;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return EG_OK;
}

const struct display_ops display_web_ops = {
	.name = "web",
	.show = web_show,
};

/* ---- HTTP --------------------------------------------------------------------------- */

static void
secure_headers(struct MHD_Response *r, const char *type)
{
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
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
	return answer(c, status, "text/plain; charset=utf-8", text, strlen(text),
	    MHD_RESPMEM_PERSISTENT);
}

/* One event-stream reader (GET /events): the screen now, then every change. */
struct dw_reader {
	struct display_web *d;
	uint64_t last;		/* last id sent; 0: nothing yet */
	char *buf;
	size_t len, off;
};

/* What the reader needs next; caller holds mu. A reader that fell behind
 * the ring gets the newest message only: the screen as it is now. */
static void
reader_fill(struct dw_reader *s)
{
	struct display_web *d = s->d;
	uint64_t oldest = d->next_id >= DW_RING ? d->next_id - DW_RING + 1 : 1;
	uint64_t from = s->last + 1 < oldest || s->last == 0 ? d->next_id : s->last + 1;
	size_t cap = 0;

	free(s->buf);
	s->buf = NULL;
	s->len = s->off = 0;
	for (uint64_t id = from; id != 0 && id <= d->next_id; id++)
		cap += d->ring[id % DW_RING].len;
	if (cap == 0 || (s->buf = malloc(cap)) == NULL)
		return;
	for (uint64_t id = from; id <= d->next_id; id++) {
		const struct dw_msg *m = &d->ring[id % DW_RING];

		if (m->id == id && m->frame != NULL) {
			memcpy(s->buf + s->len, m->frame, m->len);
			s->len += m->len;
		}
	}
	s->last = d->next_id;
}

static ssize_t
reader_read(void *cls, uint64_t pos, char *out, size_t max)
{
	static const char hello[] = "retry: 1000\n\n", ka[] = ": keepalive\n\n";
	struct dw_reader *s = cls;
	struct display_web *d = s->d;
	size_t n;

	if (pos == 0) {		/* the first bytes: how soon to come back */
		n = sizeof(hello) - 1 < max ? sizeof(hello) - 1 : max;
		memcpy(out, hello, n);
		return (ssize_t)n;
	}
	if (s->off >= s->len) {
		struct timespec until;
		bool timeout = false;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += DW_KEEPALIVE_S;
		pthread_mutex_lock(&d->mu);
		/* a thread per connection: waiting here blocks only this reader */
		while (!d->stopping && s->last == d->next_id && !timeout)
			timeout = pthread_cond_timedwait(&d->cv, &d->mu, &until) == ETIMEDOUT;
		if (d->stopping) {
			pthread_mutex_unlock(&d->mu);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (s->last != d->next_id)
			reader_fill(s);
		pthread_mutex_unlock(&d->mu);
		if (s->len == 0) {
			n = sizeof(ka) - 1 < max ? sizeof(ka) - 1 : max;
			memcpy(out, ka, n);
			return (ssize_t)n;
		}
	}
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void
reader_free(void *cls)
{
	struct dw_reader *s = cls;

	free(s->buf);
	free(s);
}

static bool
host_ok(const struct display_web *d, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);

	return h != NULL && (strcmp(h, d->hosts[0]) == 0 || strcmp(h, d->hosts[1]) == 0);
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **ctx)
{
	struct display_web *d = cls;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)ctx;
	/* DNS rebinding: only a page loaded from our own address */
	if (!host_ok(d, c))
		return answer_text(c, MHD_HTTP_MISDIRECTED_REQUEST,
		    "wrong Host: open the display at the address egate-kiosk printed\n");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (strcmp(url, "/events") == 0) {
		struct dw_reader *s = calloc(1, sizeof(*s));
		struct MHD_Response *r;
		enum MHD_Result rc;

		if (s == NULL)
			return MHD_NO;
		s->d = d;
		if ((r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, reader_read,
		    s, reader_free)) == NULL) {
			free(s);
			return MHD_NO;
		}
		secure_headers(r, "text/event-stream; charset=utf-8");
		rc = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return rc;
	}
	for (size_t i = 0; i < display_assets_n; i++) {
		const struct display_asset *as = &display_assets[i];

		if (strcmp(url, as->path) == 0 || (strcmp(url, "/") == 0 &&
		    strcmp(as->path, "/index.html") == 0))
			return answer(c, MHD_HTTP_OK, as->type, as->data, as->len, MHD_RESPMEM_PERSISTENT);
	}
	return answer_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void
http_log(void *cls, const char *fmt, va_list ap)
{
	struct display_web *d = cls;
	char msg[200];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	EG_LOG(d->log, EG_LOG_WARN, "display.http", EG_STR("detail", msg));
}

/* ADDRESS:PORT on loopback only: the display is for the board's own browser. */
static int
listen_loopback(struct display_web *d, const char *spec, int *fdp, char *err, size_t errlen)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	char host[40], *colon, *end;
	long port;
	int fd, one = 1;

	memset(&a, 0, sizeof(a));
	if (spec == NULL || (colon = strrchr(spec, ':')) == NULL ||
	    (size_t)(colon - spec) >= sizeof(host)) {
		eg_errbuf(err, errlen, "display web: ADDRESS:PORT, e.g. 127.0.0.1:8471");
		return EG_ERR_INVAL;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || colon[1] == '\0' || port < 0 || port > 65535) {
		eg_errbuf(err, errlen, "display web: the port must be 0 to 65535");
		return EG_ERR_INVAL;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1 || (ntohl(a.sin_addr.s_addr) >> 24) != 127) {
		eg_errbuf(err, errlen, "display web: %.40s is not a loopback address: the display "
		    "is served to this board's own browser only (127.0.0.1)", host);
		return EG_ERR_INVAL;
	}
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &sl) != 0) {
		eg_errbuf(err, errlen, "display web: cannot listen on %.60s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EG_ERR_IO;
	}
	d->port = ntohs(a.sin_port);
	snprintf(d->hosts[0], sizeof(d->hosts[0]), "%s:%u", host, d->port);
	snprintf(d->hosts[1], sizeof(d->hosts[1]), "localhost:%u", d->port);
	snprintf(d->url, sizeof(d->url), "http://%s:%u/", host, d->port);
	*fdp = fd;
	return EG_OK;
}

int
display_web_new(const char *spec, struct eg_log *log, struct display_web **out, char *err,
    size_t errlen)
{
	struct display_web *d;
	int fd = -1, ret;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return EG_ERR_NOMEM;
	d->log = log;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	if ((ret = listen_loopback(d, spec, &fd, err, errlen)) != EG_OK)
		goto out;
	d->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_POLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, http_handler, d,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, d,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)DW_CONNECTIONS,
	    MHD_OPTION_END);
	if (d->mhd == NULL) {
		eg_errbuf(err, errlen, "display web: cannot start the HTTP server on %.60s", spec);
		ret = EG_ERR_IO;
		goto out;
	}
	fd = -1;	/* MHD's now */
	EG_LOG(log, EG_LOG_NOTICE, "display.web", EG_STR("url", d->url));
	*out = d;
	d = NULL;
	ret = EG_OK;
out:
	if (fd >= 0)
		close(fd);
	display_web_free(&d);
	return ret;
}

void
display_web_free(struct display_web **dp)
{
	struct display_web *d;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->stopping = true;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	if (d->mhd != NULL)
		MHD_stop_daemon(d->mhd);
	for (size_t i = 0; i < DW_RING; i++)
		free(d->ring[i].frame);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
	*dp = NULL;
}

const char *
display_web_url(const struct display_web *d)
{
	return d != NULL ? d->url : "";
}
