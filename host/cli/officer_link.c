/* SPDX-License-Identifier: Apache-2.0 */
/* officer_link.c — an officer's session with egate-host (see officer_link.h). */
#include <errno.h>
#include <pthread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "cli.h"
#include "egate/error.h"
#include "egate/tls.h"
#include "frame.h"
#include "officer_link.h"

struct officer_link {
	int fd;
	struct eg_tls_conf *conf;
	struct eg_tls *tls;
	struct frame_dec *dec;
	struct proto_msg *msg;		/* the last message returned */
	uint32_t version;
	uint8_t buf[16384];		/* bytes read, not yet fed to the decoder */
	size_t have, pos;
};

int64_t
officer_link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable (or writable); false on timeout. */
static bool
wait_io(int fd, bool write, int64_t deadline_ms)
{
	struct pollfd p = { .fd = fd, .events = write ? POLLOUT : POLLIN };
	int64_t left = deadline_ms - officer_link_now_ms();

	if (left <= 0)
		return false;
	for (;;) {
		int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));

		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		if ((left = deadline_ms - officer_link_now_ms()) <= 0)
			return false;
	}
}

static int
tcp_connect(const char *host, const char *port, int64_t deadline_ms, int *fd, char *why,
    size_t whylen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *a;
	int one = 1, gai, err = 0;

	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0) {
		eg_errbuf(why, whylen, "cannot resolve %s port %s: %s", host, port, gai_strerror(gai));
		return EG_ERR_IO;
	}
	*fd = -1;
	for (a = res; a != NULL; a = a->ai_next) {
		*fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (*fd < 0)
			continue;
		if (connect(*fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			socklen_t el = sizeof(err);

			err = ETIMEDOUT;
			if (wait_io(*fd, true, deadline_ms) &&
			    getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
				break;
		} else {
			err = errno;
		}
		close(*fd);
		*fd = -1;
	}
	freeaddrinfo(res);
	if (*fd < 0) {
		eg_errbuf(why, whylen, "cannot connect to egate-host at %s port %s: %s", host, port,
		    strerror(err != 0 ? err : ECONNREFUSED));
		return EG_ERR_IO;
	}
	setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return EG_OK;
}

const char *
officer_alert_text(int alert)
{
	switch (alert) {
	case 44: return "your certificate is revoked (it is on the deployment's revocation list): "
		    "ask your PKI operator for a new officer certificate";
	case 45: return "your certificate has expired by the host's clock: ask your PKI operator "
		    "for a new officer certificate (or check the clocks)";
	case 48: return "the host does not know the CA that issued your certificate: it is not "
		    "from this deployment";
	case 43: return "the host refused your certificate: wrong key type or extended key usage "
		    "(not an officer certificate made by 'egate pki issue --role officer')";
	case 49: return "the host refused your certificate's role: the officer console needs an "
		    "officer certificate (OU=officer)";
	case 42: return "the host refused your certificate";
	case 46: return "the host could not check your certificate (certificate_unknown)";
	case 40: return "the host and this client have no TLS parameters in common";
	default: return "the host refused the TLS handshake";
	}
}

/* Whether alert says something about our certificate. */
static bool
alert_is_cert(int alert)
{
	return alert == 42 || alert == 43 || alert == 44 || alert == 45 || alert == 46 ||
	    alert == 48 || alert == 49;
}

static void
x509_date(const mbedtls_x509_time *t, char *out, size_t cap)
{
	snprintf(out, cap, "%04d-%02d-%02d %02d:%02d UTC", t->year, t->mon, t->day, t->hour, t->min);
}

int
officer_cert_check(const char *ca, const char *cert, char *cnout, size_t cnlen, char *why,
    size_t whylen)
{
	mbedtls_x509_crt crt, cacrt;
	static const char client_auth[] = MBEDTLS_OID_CLIENT_AUTH;
	const mbedtls_x509_name *nm;
	char ou[32] = "", cn[80] = "", date[40];
	uint32_t flags = 0;
	int rc = EG_ERR_CERT;

	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crt_init(&cacrt);
	if (mbedtls_x509_crt_parse_file(&crt, cert) != 0) {
		eg_errbuf(why, whylen, "cannot read your officer certificate %s (a PEM certificate)", cert);
		rc = EG_ERR_IO;
		goto out;
	}
	if (mbedtls_x509_crt_parse_file(&cacrt, ca) != 0) {
		eg_errbuf(why, whylen, "cannot read the deployment CA certificate %s", ca);
		rc = EG_ERR_IO;
		goto out;
	}
	for (nm = &crt.subject; nm != NULL; nm = nm->next) {
		char *dst = NULL;
		size_t cap = 0;

		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_ORG_UNIT, &nm->oid) == 0) {
			dst = ou;
			cap = sizeof(ou);
		} else if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &nm->oid) == 0) {
			dst = cn;
			cap = sizeof(cn);
		}
		if (dst != NULL && dst[0] == '\0') {
			size_t n = nm->val.len < cap - 1 ? nm->val.len : cap - 1;

			memcpy(dst, nm->val.p, n);
			dst[n] = '\0';
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] >= 0x7F)
					dst[i] = '?';
		}
	}
	if (strcmp(ou, "officer") != 0) {
		eg_errbuf(why, whylen, "%s is %s%s certificate (CN=%s), not an officer certificate: "
		    "the officer console needs one made by 'egate pki issue --role officer' (OU=officer)",
		    cert, ou[0] ? "a " : "not an egate", ou[0] ? ou : "", cn);
		goto out;
	}
	if (mbedtls_x509_time_is_past(&crt.valid_to)) {
		x509_date(&crt.valid_to, date, sizeof(date));
		eg_errbuf(why, whylen, "your officer certificate (CN=%s) expired on %s: ask your PKI "
		    "operator for a new one", cn, date);
		goto out;
	}
	if (mbedtls_x509_time_is_future(&crt.valid_from)) {
		x509_date(&crt.valid_from, date, sizeof(date));
		eg_errbuf(why, whylen, "your officer certificate (CN=%s) is not valid before %s "
		    "(or this computer's clock is wrong)", cn, date);
		goto out;
	}
	if ((crt.ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) == 0 ||
	    mbedtls_x509_crt_check_extended_key_usage(&crt, client_auth, sizeof(client_auth) - 1) != 0) {
		eg_errbuf(why, whylen, "your officer certificate (CN=%s) lacks the clientAuth extended "
		    "key usage: it was not made by 'egate pki issue --role officer'", cn);
		goto out;
	}
	if (mbedtls_x509_crt_verify(&crt, &cacrt, NULL, NULL, &flags, NULL, NULL) != 0 &&
	    (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) != 0) {
		eg_errbuf(why, whylen, "your officer certificate (CN=%s) was not issued by the "
		    "deployment CA %s", cn, ca);
		goto out;
	}
	if (cnout != NULL)
		snprintf(cnout, cnlen, "%s", cn);
	rc = EG_OK;
out:
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&cacrt);
	return rc;
}

int
officer_link_send(struct officer_link *l, const Egate__Envelope *env, int64_t deadline_ms)
{
	struct eg_wbuf w;
	size_t off = 0;
	int rc;

	eg_wbuf_init(&w, FRAME_MAX_HARD + FRAME_HDR_LEN, false);
	if ((rc = proto_msg_encode(env, 0, &w)) != EG_OK)
		goto out;
	while (off < w.len) {
		size_t put = 0;
		bool ww = false;

		rc = eg_tls_write(l->tls, w.data + off, w.len - off, &put, &ww);
		if (rc == EG_ERR_BUSY) {
			if (!wait_io(l->fd, ww, deadline_ms)) {
				rc = EG_ERR_TIMEOUT;
				goto out;
			}
			continue;
		}
		if (rc != EG_OK)
			goto out;
		off += put;
	}
out:
	eg_wbuf_free(&w);
	return rc;
}

int
officer_link_recv(struct officer_link *l, const Egate__Envelope **env, int64_t deadline_ms)
{
	proto_msg_free(&l->msg);
	for (;;) {
		while (l->pos < l->have) {
			const uint8_t *f;
			size_t used = 0, flen = 0;
			int rc = frame_dec_feed(l->dec, l->buf + l->pos, l->have - l->pos, &used, &f,
			    &flen);

			l->pos += used;
			if (rc == EG_ERR_TRUNCATED)
				continue;
			if (rc != EG_OK)
				return rc;
			if ((rc = proto_msg_decode(f, flen, &l->msg)) != EG_OK)
				return rc;
			*env = proto_msg_env(l->msg);
			return EG_OK;
		}
		size_t got = 0;
		bool ww = false;
		int rc = eg_tls_read(l->tls, l->buf, sizeof(l->buf), &got, &ww);

		if (rc == EG_ERR_BUSY) {
			if (!wait_io(l->fd, ww, deadline_ms))
				return EG_ERR_TIMEOUT;
			continue;
		}
		if (rc != EG_OK)
			return rc;
		l->have = got;
		l->pos = 0;
	}
}

void
officer_link_close(struct officer_link **lp)
{
	struct officer_link *l;

	if (lp == NULL || (l = *lp) == NULL)
		return;
	proto_msg_free(&l->msg);
	if (l->tls != NULL)
		eg_tls_close(l->tls);
	eg_tls_free(&l->tls);
	eg_tls_conf_free(&l->conf);
	frame_dec_free(&l->dec);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
	*lp = NULL;
}

uint32_t
officer_link_version(const struct officer_link *l)
{
	return l->version;
}

int
officer_link_fd(const struct officer_link *l)
{
	return l->fd;
}

/* The host refused the handshake or closed it: say why for an officer. */
static int
handshake_failed(struct officer_link *l, int rc, const char *host, char *why, size_t whylen)
{
	int alert = eg_tls_alert(l->tls);

	if (alert >= 0) {
		eg_errbuf(why, whylen, "%s (TLS alert %d from %s)", officer_alert_text(alert), alert, host);
		return alert_is_cert(alert) ? OFFICER_EXIT_CERT : EGATE_EXIT_ERROR;
	}
	if (rc == EG_ERR_CERT) {
		/* the host's certificate, checked by us */
		eg_errbuf(why, whylen, "the host's certificate is not acceptable: %s (is %s the "
		    "deployment's egate-host?)", eg_tls_error(l->tls), host);
		return EGATE_EXIT_ERROR;
	}
	if (rc == EG_ERR_CLOSED) {
		eg_errbuf(why, whylen, "egate-host at %s closed the connection during the TLS handshake "
		    "without saying why: your certificate may be revoked or not from this deployment "
		    "(the host's log says which)", host);
		return OFFICER_EXIT_CERT;
	}
	eg_errbuf(why, whylen, "TLS handshake with %s failed: %s", host, eg_tls_error(l->tls));
	return EGATE_EXIT_ERROR;
}

int
officer_link_open(struct officer_link **out, const struct officer_link_opts *o, char *why,
    size_t whylen)
{
	struct officer_link *l;
	Egate__Envelope env;
	Egate__Hello h;
	const Egate__Envelope *in = NULL;
	int64_t deadline = officer_link_now_ms() + (int64_t)o->timeout_s * 1000;
	char err[200] = "";
	int rc, ex = EGATE_EXIT_ERROR;

	*out = NULL;
	if (o->ca == NULL || o->cert == NULL || o->key == NULL) {
		eg_errbuf(why, whylen, "--ca, --cert and --key (or EGATE_CA, EGATE_OFFICER_CERT, "
		    "EGATE_OFFICER_KEY) are required");
		return EGATE_EXIT_USAGE;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		eg_errbuf(why, whylen, "out of memory");
		return EGATE_EXIT_ERROR;
	}
	l->fd = -1;
	/* our own certificate first: an expired or wrong one is told as such,
	 * not as a TLS failure */
	if ((rc = officer_cert_check(o->ca, o->cert, NULL, 0, why, whylen)) != EG_OK) {
		ex = rc == EG_ERR_CERT ? OFFICER_EXIT_CERT : EGATE_EXIT_ERROR;
		goto fail;
	}
	if ((rc = eg_tls_conf_new(&l->conf, EG_TLS_CLIENT, o->ca, NULL, o->cert, o->key, err,
	    sizeof(err))) != EG_OK) {
		eg_errbuf(why, whylen, "%s", err[0] ? err : eg_strerror(rc));
		goto fail;
	}
	if (tcp_connect(o->host, o->port, deadline, &l->fd, why, whylen) != EG_OK)
		goto fail;
	if (eg_tls_new(&l->tls, l->conf, l->fd, o->server_name) != EG_OK ||
	    frame_dec_new(0, &l->dec) != EG_OK) {
		eg_errbuf(why, whylen, "out of memory");
		goto fail;
	}
	for (;;) {
		bool ww = false;

		rc = eg_tls_handshake(l->tls, &ww);
		if (rc != EG_ERR_BUSY)
			break;
		if (!wait_io(l->fd, ww, deadline)) {
			eg_errbuf(why, whylen, "TLS handshake with %s timed out", o->host);
			goto fail;
		}
	}
	if (rc != EG_OK) {
		ex = handshake_failed(l, rc, o->host, why, whylen);
		goto fail;
	}
	egate__envelope__init(&env);
	egate__hello__init(&h);
	h.version_min = EGATE_PROTO_VERSION_MIN;
	h.version_max = EGATE_PROTO_VERSION_MAX;
	h.role = EGATE__ROLE__ROLE_OFFICER;
	env.body_case = EGATE__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	if ((rc = officer_link_send(l, &env, deadline)) != EG_OK ||
	    (rc = officer_link_recv(l, &in, deadline)) != EG_OK) {
		/* TLS 1.2: a refused client certificate may show only now */
		if (eg_tls_alert(l->tls) >= 0) {
			ex = handshake_failed(l, rc, o->host, why, whylen);
			goto fail;
		}
		eg_errbuf(why, whylen, "no answer to Hello from %s: %s", o->host,
		    rc == EG_ERR_CLOSED ? "the host closed the connection" : eg_strerror(rc));
		goto fail;
	}
	if (in->body_case == EGATE__ENVELOPE__BODY_ERROR) {
		const char *d = in->error->detail != NULL ? in->error->detail : "";

		eg_errbuf(why, whylen, "the host refused the session: %s", d);
		ex = in->error->code == EGATE__ERROR_CODE__ERROR_IDENTITY ? OFFICER_EXIT_CERT :
		    EGATE_EXIT_FAIL;
		goto fail;
	}
	if (in->body_case != EGATE__ENVELOPE__BODY_HELLO_ACK) {
		eg_errbuf(why, whylen, "unexpected answer to Hello from %s", o->host);
		goto fail;
	}
	l->version = in->hello_ack->version;
	*out = l;
	return EGATE_EXIT_OK;
fail:
	officer_link_close(&l);
	return ex;
}

int
officer_link_request(struct officer_link *l, Egate__OfficerRequest *q,
    const Egate__OfficerReply **out, int64_t deadline_ms,
    void (*on_other)(const Egate__Envelope *env, void *arg), void *arg, char *why, size_t whylen)
{
	Egate__Envelope env;
	const Egate__Envelope *in = NULL;
	int rc;

	egate__envelope__init(&env);
	env.body_case = EGATE__ENVELOPE__BODY_OFFICER_REQUEST;
	env.officer_request = q;
	if ((rc = officer_link_send(l, &env, deadline_ms)) != EG_OK) {
		eg_errbuf(why, whylen, "cannot send the request: %s", eg_strerror(rc));
		return rc;
	}
	for (;;) {
		if ((rc = officer_link_recv(l, &in, deadline_ms)) != EG_OK) {
			eg_errbuf(why, whylen, "no answer: %s", eg_strerror(rc));
			return rc;
		}
		if (in->body_case == EGATE__ENVELOPE__BODY_ERROR) {
			eg_errbuf(why, whylen, "host: %s", in->error->detail ? in->error->detail : "");
			return EG_ERR_PROTOCOL;
		}
		if (in->body_case == EGATE__ENVELOPE__BODY_OFFICER_REPLY &&
		    in->officer_reply->request_id == q->request_id) {
			*out = in->officer_reply;
			return EG_OK;
		}
		if (on_other != NULL)
			on_other(in, arg);
	}
}

/* Runs in a thread that did not block the signal: hand it to the main
 * thread (tid = pid), where it is blocked and read from the signalfd.
 * Async-signal-safe: two system calls. */
static void
signal_forward(int sig)
{
	(void)syscall(SYS_tgkill, getpid(), getpid(), sig);
}

int
officer_signals_fd(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signal_forward;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}
