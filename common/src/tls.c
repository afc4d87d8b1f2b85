/* SPDX-License-Identifier: Apache-2.0 */
/* tls.c — see egate/tls.h for the policy. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_internal.h>	/* handshake->resume: not public in 2.28 */
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "egate/error.h"
#include "egate/keyfile.h"
#include "egate/secure.h"
#include "egate/tls.h"

#define TICKET_LIFETIME 3600	/* seconds */

static const int suites[] = {
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	0
};
static const mbedtls_ecp_group_id curves[] = { MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_NONE };
static const int hashes[] = { MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384, MBEDTLS_MD_NONE };

struct eg_tls_conf {
	enum eg_tls_side side;
	mbedtls_ssl_config ssl;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt cert;
	mbedtls_pk_context key;
	mbedtls_ssl_ticket_context ticket;	/* server */
	pthread_mutex_t crl_lock;		/* the CRL can be swapped (SIGHUP) */
	mbedtls_x509_crl *crl;			/* NULL: none */
	mbedtls_ssl_session saved;		/* client: last session */
	bool have_saved;
};

struct eg_tls {
	struct eg_tls_conf *conf;
	mbedtls_ssl_context ssl;
	mbedtls_net_context net;
	char why[160];
	bool resumed;
	bool verified;
};

/* First attribute `oid` of a name, copied into out; false if absent/too long. */
static bool
name_get(const mbedtls_x509_name *n, const char *oid, size_t oidlen, char *out, size_t outlen)
{
	for (; n != NULL; n = n->next) {
		if (n->oid.len == oidlen && memcmp(n->oid.p, oid, oidlen) == 0) {
			if (n->val.len >= outlen)
				return false;
			memcpy(out, n->val.p, n->val.len);
			out[n->val.len] = '\0';
			return true;
		}
	}
	return false;
}

#define OID_ARGS(o) o, MBEDTLS_OID_SIZE(o)

/* Role check on the leaf: a server only accepts kiosks and officers, a
 * client only the host. Runs inside mbedTLS's chain verification. */
static int
verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct eg_tls_conf *c = ctx;
	char ou[32];

	if (depth != 0)
		return 0;
	if (!name_get(&crt->subject, OID_ARGS(MBEDTLS_OID_AT_ORG_UNIT), ou, sizeof(ou)))
		*flags |= MBEDTLS_X509_BADCERT_OTHER;
	else if (c->side == EG_TLS_SERVER && strcmp(ou, "kiosk") != 0 && strcmp(ou, "officer") != 0)
		*flags |= MBEDTLS_X509_BADCERT_OTHER;
	else if (c->side == EG_TLS_CLIENT && strcmp(ou, "host") != 0)
		*flags |= MBEDTLS_X509_BADCERT_OTHER;
	return 0;
}

/* Ticket parsing, wrapped: a resumed session skips certificate checks in
 * mbedTLS, so refuse tickets whose client certificate has since been revoked
 * or has expired. mbedTLS then falls back to a full handshake, which fails
 * verification for such a client. */
static int
ticket_parse(void *p, mbedtls_ssl_session *s, unsigned char *buf, size_t len)
{
	struct eg_tls_conf *c = p;
	int r;

	if ((r = mbedtls_ssl_ticket_parse(&c->ticket, s, buf, len)) != 0)
		return r;
	if (s->peer_cert == NULL || mbedtls_x509_time_is_past(&s->peer_cert->valid_to))
		return MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
	pthread_mutex_lock(&c->crl_lock);
	r = c->crl != NULL && mbedtls_x509_crt_is_revoked(s->peer_cert, c->crl);
	pthread_mutex_unlock(&c->crl_lock);
	return r ? MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED : 0;
}

static int
ticket_write(void *p, const mbedtls_ssl_session *s, unsigned char *start,
    const unsigned char *end, size_t *tlen, uint32_t *lifetime)
{
	struct eg_tls_conf *c = p;

	return mbedtls_ssl_ticket_write(&c->ticket, s, start, end, tlen, lifetime);
}

/* errbuf/errlen are eg_tls_conf_new()'s arguments */
#define SET_ERR(fmt, arg) \
	do { if (errbuf != NULL && errlen > 0) snprintf(errbuf, errlen, fmt, arg); } while (0)

static int
load_crl(const char *path, mbedtls_x509_crl **out)
{
	mbedtls_x509_crl *crl;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return EG_OK;
	if ((crl = malloc(sizeof(*crl))) == NULL)
		return EG_ERR_NOMEM;
	mbedtls_x509_crl_init(crl);
	if (mbedtls_x509_crl_parse_file(crl, path) != 0) {
		mbedtls_x509_crl_free(crl);
		free(crl);
		return access(path, R_OK) == 0 ? EG_ERR_CERT : EG_ERR_IO;
	}
	*out = crl;
	return EG_OK;
}

static void
free_crl(mbedtls_x509_crl **crl)
{
	if (*crl == NULL)
		return;
	mbedtls_x509_crl_free(*crl);
	free(*crl);
	*crl = NULL;
}

int
eg_tls_conf_new(struct eg_tls_conf **out, enum eg_tls_side side,
    const char *ca, const char *crl, const char *cert, const char *key,
    char *errbuf, size_t errlen)
{
	static const char pers[] = "egate-tls";
	struct eg_tls_conf *c;
	int ret = EG_ERR_NOMEM;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return EG_ERR_NOMEM;
	c->side = side;
	mbedtls_ssl_config_init(&c->ssl);
	mbedtls_entropy_init(&c->entropy);
	mbedtls_ctr_drbg_init(&c->drbg);
	mbedtls_x509_crt_init(&c->ca);
	mbedtls_x509_crt_init(&c->cert);
	mbedtls_pk_init(&c->key);
	mbedtls_ssl_ticket_init(&c->ticket);
	mbedtls_ssl_session_init(&c->saved);
	pthread_mutex_init(&c->crl_lock, NULL);

	ret = EG_ERR_CRYPTO;
	if (mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy,
	    (const unsigned char *)pers, sizeof(pers) - 1) != 0)
		goto fail;
	ret = EG_ERR_IO;
	if (access(ca, R_OK) != 0) {
		SET_ERR("cannot read CA certificate %s", ca);
		goto fail;
	}
	if (access(cert, R_OK) != 0) {
		SET_ERR("cannot read certificate %s", cert);
		goto fail;
	}
	if (access(key, R_OK) != 0) {
		SET_ERR("cannot read key %s", key);
		goto fail;
	}
	if ((ret = eg_key_file_check(key, errbuf, errlen)) != EG_OK)
		goto fail;	/* group/other access, or another owner: refused */
	ret = EG_ERR_CERT;
	if (mbedtls_x509_crt_parse_file(&c->ca, ca) != 0) {
		SET_ERR("%s is not a PEM/DER certificate", ca);
		goto fail;
	}
	if (mbedtls_x509_crt_parse_file(&c->cert, cert) != 0) {
		SET_ERR("%s is not a PEM/DER certificate", cert);
		goto fail;
	}
	if (mbedtls_pk_parse_keyfile(&c->key, key, NULL) != 0 ||
	    mbedtls_pk_check_pair(&c->cert.pk, &c->key) != 0) {
		SET_ERR("%s is not the private key of the certificate", key);
		goto fail;
	}
	if (!mbedtls_pk_can_do(&c->key, MBEDTLS_PK_ECKEY) ||
	    mbedtls_pk_ec(c->key)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
		SET_ERR("%s: only ECDSA P-256 keys are allowed", key);
		goto fail;
	}
	if ((ret = load_crl(crl, &c->crl)) != EG_OK) {
		SET_ERR("cannot load CRL %s", crl);
		goto fail;
	}

	ret = EG_ERR_TLS;
	if (mbedtls_ssl_config_defaults(&c->ssl, side == EG_TLS_SERVER ?
	    MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
	    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
		goto fail;
	mbedtls_ssl_conf_min_version(&c->ssl, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(&c->ssl, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(&c->ssl, suites);
	mbedtls_ssl_conf_curves(&c->ssl, curves);
	mbedtls_ssl_conf_sig_hashes(&c->ssl, hashes);
	mbedtls_ssl_conf_rng(&c->ssl, mbedtls_ctr_drbg_random, &c->drbg);
	mbedtls_ssl_conf_authmode(&c->ssl, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&c->ssl, &c->ca, c->crl);
	mbedtls_ssl_conf_verify(&c->ssl, verify_cb, c);
	mbedtls_ssl_conf_renegotiation(&c->ssl, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	if (mbedtls_ssl_conf_own_cert(&c->ssl, &c->cert, &c->key) != 0)
		goto fail;
	if (side == EG_TLS_SERVER) {
		if (mbedtls_ssl_ticket_setup(&c->ticket, mbedtls_ctr_drbg_random, &c->drbg,
		    MBEDTLS_CIPHER_AES_256_GCM, TICKET_LIFETIME) != 0)
			goto fail;
		mbedtls_ssl_conf_session_tickets_cb(&c->ssl, ticket_write, ticket_parse, c);
	} else {
		mbedtls_ssl_conf_session_tickets(&c->ssl, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
	}
	*out = c;
	return EG_OK;
fail:
	eg_tls_conf_free(&c);
	return ret;
}

int
eg_tls_conf_reload_crl(struct eg_tls_conf *c, const char *path)
{
	mbedtls_x509_crl *n, *old;
	int r;

	if ((r = load_crl(path, &n)) != EG_OK)
		return r;
	pthread_mutex_lock(&c->crl_lock);
	old = c->crl;
	c->crl = n;
	mbedtls_ssl_conf_ca_chain(&c->ssl, &c->ca, c->crl);
	pthread_mutex_unlock(&c->crl_lock);
	/* connections in progress hold a pointer to the config, not the CRL:
	 * mbedTLS reads conf->ca_crl during verification, so only swap while
	 * no handshake runs (the host reloads between event-loop turns). */
	free_crl(&old);
	return EG_OK;
}

void
eg_tls_conf_free(struct eg_tls_conf **cp)
{
	struct eg_tls_conf *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	mbedtls_ssl_config_free(&c->ssl);
	mbedtls_ssl_ticket_free(&c->ticket);
	mbedtls_ssl_session_free(&c->saved);
	mbedtls_pk_free(&c->key);
	mbedtls_x509_crt_free(&c->cert);
	mbedtls_x509_crt_free(&c->ca);
	free_crl(&c->crl);
	mbedtls_ctr_drbg_free(&c->drbg);
	mbedtls_entropy_free(&c->entropy);
	pthread_mutex_destroy(&c->crl_lock);
	eg_memzero(c, sizeof(*c));
	free(c);
	*cp = NULL;
}

/*
 * The send callback: mbedtls_net_send() uses write(), so a peer that went
 * away raises SIGPIPE and kills the process (found when the host was killed
 * under a kiosk: tests/e2e/test_host_outage.sh). send(MSG_NOSIGNAL) turns it
 * into an error for this connection only, whatever the process's signal
 * disposition.
 */
static int
send_nosignal(void *ctx, const unsigned char *buf, size_t len)
{
	int fd = ((mbedtls_net_context *)ctx)->fd;
	ssize_t r;

	if (fd < 0)
		return MBEDTLS_ERR_NET_INVALID_CONTEXT;
	r = send(fd, buf, len, MSG_NOSIGNAL);
	if (r >= 0)
		return (int)r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (errno == EPIPE || errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

int
eg_tls_new(struct eg_tls **out, struct eg_tls_conf *c, int fd, const char *server_name)
{
	struct eg_tls *t;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return EG_ERR_NOMEM;
	t->conf = c;
	mbedtls_ssl_init(&t->ssl);
	mbedtls_net_init(&t->net);
	t->net.fd = fd;
	if (mbedtls_ssl_setup(&t->ssl, &c->ssl) != 0 ||
	    (server_name != NULL && mbedtls_ssl_set_hostname(&t->ssl, server_name) != 0) ||
	    (c->side == EG_TLS_CLIENT && c->have_saved &&
	    mbedtls_ssl_set_session(&t->ssl, &c->saved) != 0)) {
		t->net.fd = -1;
		eg_tls_free(&t);
		return EG_ERR_TLS;
	}
	mbedtls_ssl_set_bio(&t->ssl, &t->net, send_nosignal, mbedtls_net_recv, NULL);
	*out = t;
	return EG_OK;
}

static int
map_io(struct eg_tls *t, int r, bool *want_write)
{
	if (want_write != NULL)
		*want_write = r == MBEDTLS_ERR_SSL_WANT_WRITE;
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
		return EG_ERR_BUSY;
	if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_NET_CONN_RESET || r == 0) {
		snprintf(t->why, sizeof(t->why), "connection closed by the peer");
		return EG_ERR_CLOSED;
	}
	mbedtls_strerror(r, t->why, sizeof(t->why));
	return EG_ERR_TLS;
}

int
eg_tls_handshake(struct eg_tls *t, bool *want_write)
{
	uint32_t flags;
	int r = 0;

	if (want_write != NULL)
		*want_write = false;
	while (t->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
		if (t->ssl.handshake != NULL && t->ssl.handshake->resume)
			t->resumed = true;
		if ((r = mbedtls_ssl_handshake_step(&t->ssl)) != 0)
			break;
	}
	if (r == 0) {
		t->verified = true;
		return EG_OK;
	}
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
		return map_io(t, r, want_write);
	flags = mbedtls_ssl_get_verify_result(&t->ssl);
	if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || (flags != 0 && flags != (uint32_t)-1)) {
		const char *what = "certificate not accepted";
		if (flags & MBEDTLS_X509_BADCERT_MISSING)
			what = "peer sent no certificate";
		else if (flags & MBEDTLS_X509_BADCERT_REVOKED)
			what = "peer certificate revoked";
		else if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
			what = "peer certificate expired";
		else if (flags & MBEDTLS_X509_BADCERT_FUTURE)
			what = "peer certificate not yet valid";
		else if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
			what = "peer certificate not issued by the deployment CA";
		else if (flags & MBEDTLS_X509_BADCERT_OTHER)
			what = "peer certificate has the wrong role (OU)";
		else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
			what = "peer certificate is for another host name";
		else if (flags & MBEDTLS_X509_BADCRL_EXPIRED)
			what = "CRL expired";
		snprintf(t->why, sizeof(t->why), "%s", what);
		return EG_ERR_CERT;
	}
	if (r == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE ||
	    r == MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED) {
		snprintf(t->why, sizeof(t->why), "peer sent no certificate");
		return EG_ERR_CERT;
	}
	if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
		snprintf(t->why, sizeof(t->why), "peer refused the handshake (alert %u)",
		    (unsigned)t->ssl.in_msg[1]);
		return EG_ERR_TLS;
	}
	return map_io(t, r, want_write);
}

int
eg_tls_read(struct eg_tls *t, void *buf, size_t len, size_t *got, bool *want_write)
{
	int r = mbedtls_ssl_read(&t->ssl, buf, len);

	*got = 0;
	if (want_write != NULL)
		*want_write = false;
	if (r > 0) {
		*got = (size_t)r;
		return EG_OK;
	}
	return map_io(t, r, want_write);
}

int
eg_tls_write(struct eg_tls *t, const void *buf, size_t len, size_t *put, bool *want_write)
{
	int r = mbedtls_ssl_write(&t->ssl, buf, len);

	*put = 0;
	if (want_write != NULL)
		*want_write = false;
	if (r > 0) {
		*put = (size_t)r;
		return EG_OK;
	}
	if (r == 0)
		return EG_ERR_BUSY;
	return map_io(t, r, want_write);
}

void
eg_tls_close(struct eg_tls *t)
{
	if (t != NULL)
		(void)mbedtls_ssl_close_notify(&t->ssl);
}

int
eg_tls_peer(const struct eg_tls *t, char *cn, size_t cnlen, char *ou, size_t oulen)
{
	const mbedtls_x509_crt *p;

	if (!t->verified || (p = mbedtls_ssl_get_peer_cert(&t->ssl)) == NULL)
		return EG_ERR_STATE;
	if (!name_get(&p->subject, OID_ARGS(MBEDTLS_OID_AT_CN), cn, cnlen) ||
	    !name_get(&p->subject, OID_ARGS(MBEDTLS_OID_AT_ORG_UNIT), ou, oulen))
		return EG_ERR_OVERFLOW;
	return EG_OK;
}

bool
eg_tls_resumed(const struct eg_tls *t)
{
	return t->resumed;
}

int
eg_tls_save_session(struct eg_tls *t)
{
	struct eg_tls_conf *c = t->conf;

	if (c->side != EG_TLS_CLIENT || !t->verified)
		return EG_ERR_STATE;
	mbedtls_ssl_session_free(&c->saved);
	mbedtls_ssl_session_init(&c->saved);
	if (mbedtls_ssl_get_session(&t->ssl, &c->saved) != 0) {
		c->have_saved = false;
		return EG_ERR_TLS;
	}
	c->have_saved = true;
	return EG_OK;
}

const char *
eg_tls_error(const struct eg_tls *t)
{
	return t->why[0] != '\0' ? t->why : "no error";
}

const char *
eg_tls_ciphersuite(const struct eg_tls *t)
{
	const char *s = t->verified ? mbedtls_ssl_get_ciphersuite(&t->ssl) : NULL;

	return s != NULL ? s : "";
}

void
eg_tls_free(struct eg_tls **tp)
{
	struct eg_tls *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	mbedtls_ssl_free(&t->ssl);	/* wipes session keys */
	free(t);
	*tp = NULL;
}
