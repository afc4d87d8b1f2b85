/* SPDX-License-Identifier: Apache-2.0 */
/* tls.c — see egate/tls.h for the policy. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_internal.h>	/* handshake->resume: not public in 2.28 */
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "egate/error.h"
#include "egate/keyfile.h"
#include "egate/secure.h"
#include "egate/tls.h"
#include "egate/utctime.h"

#define TICKET_LIFETIME_DEFAULT 3600	/* seconds, without eg_tls_conf_set_ticket_keys */
#define TICKET_IV_LEN 12
#define TICKET_TAG_LEN 16

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
	/* server: session-ticket keys; [0] seals new tickets, all open them */
	struct tkey {
		uint8_t name[EG_TLS_TICKET_NAME_LEN];
		int64_t created_s;
		mbedtls_gcm_context gcm;
	} tkeys[EG_TLS_TICKET_KEYS_MAX];
	size_t ntkeys;
	uint32_t ticket_lifetime;
	pthread_mutex_t crl_lock;		/* the CRL and the ticket keys can be swapped */
	mbedtls_x509_crl *crl;			/* NULL: none */
	mbedtls_ssl_session saved;		/* client: last session */
	bool have_saved;
};

struct eg_tls {
	struct eg_tls_conf *conf;
	mbedtls_ssl_context ssl;
	mbedtls_net_context net;
	char why[160];
	int alert;			/* fatal alert received from the peer, -1 none */
	bool resumed;
	bool verified;
};

static const char OID_CLIENT_AUTH[] = MBEDTLS_OID_CLIENT_AUTH;
static const char OID_SERVER_AUTH[] = MBEDTLS_OID_SERVER_AUTH;

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

/* Whether crt's key is ECDSA P-256 (the only key the policy allows). */
static bool
key_is_p256(const mbedtls_pk_context *pk)
{
	return mbedtls_pk_get_type(pk) == MBEDTLS_PK_ECKEY &&
	    mbedtls_pk_ec(*pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

/* Whether crt carries an extended key usage extension naming purpose
 * (a certificate without the extension is refused: every certificate of
 * `egate pki` has one, clientAuth or serverAuth). */
static bool
eku_has(const mbedtls_x509_crt *crt, const char *oid, size_t oidlen)
{
	return (crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) != 0 &&
	    mbedtls_x509_crt_check_extended_key_usage(crt, oid, oidlen) == 0;
}

/* Role check on the leaf: a server only accepts kiosks and officers, a
 * client only the host; the leaf's key must be ECDSA P-256 and its extended
 * key usage must be clientAuth (for a server's peer) or serverAuth (for a
 * client's). Runs inside mbedTLS's chain verification. */
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
	if (!key_is_p256(&crt->pk))
		*flags |= MBEDTLS_X509_BADCERT_BAD_KEY;
	if (c->side == EG_TLS_SERVER ? !eku_has(crt, OID_CLIENT_AUTH, sizeof(OID_CLIENT_AUTH) - 1) :
	    !eku_has(crt, OID_SERVER_AUTH, sizeof(OID_SERVER_AUTH) - 1))
		*flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
	return 0;
}

/* Whether the CRL's nextUpdate has passed (an expired CRL refuses every
 * client, on full handshakes and resumptions alike). */
static bool
crl_expired(const mbedtls_x509_crl *crl)
{
	return crl != NULL && crl->next_update.year != 0 && mbedtls_x509_time_is_past(&crl->next_update);
}

/* The checks a resumed session skips in mbedTLS, against the current CRL and
 * clock: 0, or the MBEDTLS_X509_BAD* flags that refuse peer. */
static uint32_t
peer_recheck(struct eg_tls_conf *c, const mbedtls_x509_crt *peer)
{
	uint32_t flags = 0;

	if (peer == NULL)
		return MBEDTLS_X509_BADCERT_MISSING;
	if (mbedtls_x509_time_is_past(&peer->valid_to))
		flags |= MBEDTLS_X509_BADCERT_EXPIRED;
	pthread_mutex_lock(&c->crl_lock);
	if (c->crl != NULL && mbedtls_x509_crt_is_revoked(peer, c->crl))
		flags |= MBEDTLS_X509_BADCERT_REVOKED;
	if (crl_expired(c->crl))
		flags |= MBEDTLS_X509_BADCRL_EXPIRED;
	pthread_mutex_unlock(&c->crl_lock);
	return flags;
}

/*
 * Session tickets (server). Our own format, so that the keys can come from
 * outside the process (eg_tls_conf_set_ticket_keys: egate-host keeps them
 * across restarts) — mbedTLS 2.28's ticket module only makes its own:
 *
 *   ticket = name (16) ‖ iv (12) ‖ u16 len ‖ ciphertext (len) ‖ tag (16)
 *   plaintext = u64 issued (Unix s) ‖ mbedtls_ssl_session_save() bytes
 *
 * AES-256-GCM under the key called name, with name ‖ iv ‖ len as associated
 * data. A ticket opens while its key is held and for ticket_lifetime
 * seconds after it was issued.
 */
static void
tkeys_clear(struct eg_tls_conf *c)
{
	for (size_t i = 0; i < c->ntkeys; i++) {
		mbedtls_gcm_free(&c->tkeys[i].gcm);
		eg_memzero(&c->tkeys[i], sizeof(c->tkeys[i]));
	}
	c->ntkeys = 0;
}

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static int
ticket_write(void *p, const mbedtls_ssl_session *s, unsigned char *start,
    const unsigned char *end, size_t *tlen, uint32_t *lifetime)
{
	struct eg_tls_conf *c = p;
	const size_t head = EG_TLS_TICKET_NAME_LEN + TICKET_IV_LEN + 2;
	size_t room = (size_t)(end - start), slen = 0;
	uint8_t *iv = start + EG_TLS_TICKET_NAME_LEN, *pt = start + head;
	int r = MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;

	*tlen = 0;
	if (room < head + 8 + TICKET_TAG_LEN)
		return r;
	pthread_mutex_lock(&c->crl_lock);
	if (c->ntkeys == 0) {
		r = MBEDTLS_ERR_SSL_INTERNAL_ERROR;
		goto out;
	}
	put_be(pt, (uint64_t)time(NULL), 8);
	if ((r = mbedtls_ssl_session_save(s, pt + 8, room - head - 8 - TICKET_TAG_LEN, &slen)) != 0)
		goto out;
	if (8 + slen > 0xffff) {
		r = MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
		goto out;
	}
	memcpy(start, c->tkeys[0].name, EG_TLS_TICKET_NAME_LEN);
	if ((r = mbedtls_ctr_drbg_random(&c->drbg, iv, TICKET_IV_LEN)) != 0)
		goto out;
	put_be(iv + TICKET_IV_LEN, 8 + slen, 2);
	r = mbedtls_gcm_crypt_and_tag(&c->tkeys[0].gcm, MBEDTLS_GCM_ENCRYPT, 8 + slen, iv,
	    TICKET_IV_LEN, start, head, pt, pt, TICKET_TAG_LEN, pt + 8 + slen);
	if (r == 0) {
		*tlen = head + 8 + slen + TICKET_TAG_LEN;
		*lifetime = c->ticket_lifetime;
	}
out:
	pthread_mutex_unlock(&c->crl_lock);
	return r;
}

/* A resumed session skips certificate checks in mbedTLS, so refuse tickets
 * whose client certificate has since been revoked or has expired, or when
 * the CRL itself has expired (a full handshake would be refused too).
 * mbedTLS then falls back to a full handshake, which fails verification for
 * such a client. */
static int
ticket_parse(void *p, mbedtls_ssl_session *s, unsigned char *buf, size_t len)
{
	struct eg_tls_conf *c = p;
	const size_t head = EG_TLS_TICKET_NAME_LEN + TICKET_IV_LEN + 2;
	const uint8_t *iv = buf + EG_TLS_TICKET_NAME_LEN;
	struct tkey *k = NULL;
	size_t clen;
	uint64_t issued;
	int r = MBEDTLS_ERR_SSL_INVALID_MAC;

	if (len < head + 8 + TICKET_TAG_LEN)
		return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	clen = (size_t)get_be(iv + TICKET_IV_LEN, 2);
	if (clen < 8 || len != head + clen + TICKET_TAG_LEN)
		return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
	pthread_mutex_lock(&c->crl_lock);
	for (size_t i = 0; i < c->ntkeys; i++)
		if (memcmp(c->tkeys[i].name, buf, EG_TLS_TICKET_NAME_LEN) == 0)
			k = &c->tkeys[i];
	if (k == NULL)
		r = MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;	/* a retired or foreign key */
	else
		r = mbedtls_gcm_auth_decrypt(&k->gcm, clen, iv, TICKET_IV_LEN, buf, head,
		    buf + head + clen, TICKET_TAG_LEN, buf + head, buf + head) == 0 ? 0 :
		    MBEDTLS_ERR_SSL_INVALID_MAC;
	pthread_mutex_unlock(&c->crl_lock);
	if (r != 0)
		return r;
	issued = get_be(buf + head, 8);
	if (issued > (uint64_t)time(NULL) + 60 || (uint64_t)time(NULL) - issued > c->ticket_lifetime)
		r = MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
	else if (mbedtls_ssl_session_load(s, buf + head + 8, clen - 8) != 0)
		r = MBEDTLS_ERR_SSL_INVALID_MAC;
	else if (peer_recheck(c, s->peer_cert) != 0)
		r = MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
	eg_memzero(buf + head, clen);
	return r;
}

int
eg_tls_conf_set_ticket_keys(struct eg_tls_conf *c, const struct eg_tls_ticket_key *keys, size_t n,
    uint32_t lifetime_s)
{
	struct tkey fresh[EG_TLS_TICKET_KEYS_MAX];
	int rc = EG_ERR_CRYPTO;

	if (c == NULL || c->side != EG_TLS_SERVER || keys == NULL || n == 0 ||
	    n > EG_TLS_TICKET_KEYS_MAX || lifetime_s == 0)
		return EG_ERR_INVAL;
	memset(fresh, 0, sizeof(fresh));
	for (size_t i = 0; i < n; i++) {
		mbedtls_gcm_init(&fresh[i].gcm);
		memcpy(fresh[i].name, keys[i].name, EG_TLS_TICKET_NAME_LEN);
		fresh[i].created_s = keys[i].created_s;
		if (mbedtls_gcm_setkey(&fresh[i].gcm, MBEDTLS_CIPHER_ID_AES, keys[i].key, 256) != 0) {
			for (size_t j = 0; j <= i; j++)
				mbedtls_gcm_free(&fresh[j].gcm);
			goto out;
		}
	}
	pthread_mutex_lock(&c->crl_lock);
	tkeys_clear(c);
	memcpy(c->tkeys, fresh, sizeof(fresh[0]) * n);
	c->ntkeys = n;
	c->ticket_lifetime = lifetime_s;
	pthread_mutex_unlock(&c->crl_lock);
	rc = EG_OK;
out:
	eg_memzero(fresh, sizeof(fresh));
	return rc;
}

/* A server without eg_tls_conf_set_ticket_keys: one random key for the life
 * of the process. */
static int
tkeys_random(struct eg_tls_conf *c)
{
	struct eg_tls_ticket_key k;
	int rc = EG_ERR_CRYPTO;

	if (mbedtls_ctr_drbg_random(&c->drbg, k.name, sizeof(k.name)) == 0 &&
	    mbedtls_ctr_drbg_random(&c->drbg, k.key, sizeof(k.key)) == 0) {
		k.created_s = (int64_t)time(NULL);
		rc = eg_tls_conf_set_ticket_keys(c, &k, 1, TICKET_LIFETIME_DEFAULT);
	}
	eg_memzero(&k, sizeof(k));
	return rc;
}

/* errbuf/errlen are eg_tls_conf_new()'s arguments */
#define SET_ERR(fmt, arg) \
	do { if (errbuf != NULL && errlen > 0) snprintf(errbuf, errlen, fmt, arg); } while (0)

/*
 * The CRL must be issued by the deployment CA and signed with its key: a
 * CRL from another issuer is silently ignored by mbedTLS's chain check,
 * which would turn revocation off. An expired CRL is refused too (the host
 * keeps the one it has).
 */
static int
crl_check(const mbedtls_x509_crl *crl, const mbedtls_x509_crt *ca, char *why, size_t whylen)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(crl->sig_md);
	uint8_t hash[MBEDTLS_MD_MAX_SIZE];

	if (crl->next != NULL) {
		snprintf(why, whylen, "holds more than one CRL");
		return EG_ERR_CERT;
	}
	if (crl->issuer_raw.len != ca->subject_raw.len ||
	    memcmp(crl->issuer_raw.p, ca->subject_raw.p, crl->issuer_raw.len) != 0) {
		snprintf(why, whylen, "is not issued by the deployment CA");
		return EG_ERR_CERT;
	}
	if (md == NULL || mbedtls_md(md, crl->tbs.p, crl->tbs.len, hash) != 0 ||
	    mbedtls_pk_verify_ext(crl->sig_pk, crl->sig_opts, (mbedtls_pk_context *)(uintptr_t)&ca->pk,
	    crl->sig_md, hash, mbedtls_md_get_size(md), crl->sig.p, crl->sig.len) != 0) {
		snprintf(why, whylen, "has no valid signature of the deployment CA");
		return EG_ERR_CERT;
	}
	if (crl_expired(crl)) {
		snprintf(why, whylen, "has expired (nextUpdate passed)");
		return EG_ERR_CERT;
	}
	return EG_OK;
}

static int
load_crl(const char *path, const mbedtls_x509_crt *ca, mbedtls_x509_crl **out, char *why,
    size_t whylen)
{
	mbedtls_x509_crl *crl;
	int rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return EG_OK;
	if ((crl = malloc(sizeof(*crl))) == NULL)
		return EG_ERR_NOMEM;
	mbedtls_x509_crl_init(crl);
	if (mbedtls_x509_crl_parse_file(crl, path) != 0) {
		mbedtls_x509_crl_free(crl);
		free(crl);
		rc = access(path, R_OK) == 0 ? EG_ERR_CERT : EG_ERR_IO;
		snprintf(why, whylen, "%s", rc == EG_ERR_IO ? "cannot be read" : "is not a CRL");
		return rc;
	}
	if ((rc = crl_check(crl, ca, why, whylen)) != EG_OK) {
		mbedtls_x509_crl_free(crl);
		free(crl);
		return rc;
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
	if (!eku_has(&c->cert, side == EG_TLS_SERVER ? OID_SERVER_AUTH : OID_CLIENT_AUTH,
	    side == EG_TLS_SERVER ? sizeof(OID_SERVER_AUTH) - 1 : sizeof(OID_CLIENT_AUTH) - 1)) {
		SET_ERR("%s: extended key usage is not the one of its role (serverAuth for the "
		    "host, clientAuth for kiosks and officers)", cert);
		goto fail;
	}
	{
		char why[96] = "";
		if ((ret = load_crl(crl, &c->ca, &c->crl, why, sizeof(why))) != EG_OK) {
			if (errbuf != NULL && errlen > 0)
				snprintf(errbuf, errlen, "CRL %s %s", crl, why);
			goto fail;
		}
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
		if ((ret = tkeys_random(c)) != EG_OK)
			goto fail;
		ret = EG_ERR_TLS;
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
eg_tls_conf_reload_crl(struct eg_tls_conf *c, const char *path, char *errbuf, size_t errlen)
{
	mbedtls_x509_crl *n, *old;
	char why[96] = "";
	int r;

	if ((r = load_crl(path, &c->ca, &n, why, sizeof(why))) != EG_OK) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "CRL %s %s", path != NULL ? path : "", why);
		return r;
	}
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

/* an mbedTLS time (UTC) in Unix seconds (utctime.h) */
static int
x509_time_unix(const mbedtls_x509_time *v, int64_t *unix_s)
{
	return eg_utc_unix(v->year, v->mon, v->day, v->hour, v->min, v->sec, unix_s);
}

int
eg_tls_conf_crl_days_left(struct eg_tls_conf *c, int *days)
{
	int rc = EG_ERR_NOT_FOUND;

	*days = 0;
	pthread_mutex_lock(&c->crl_lock);
	if (c->crl != NULL && c->crl->next_update.year != 0) {
		int64_t nu = 0;

		if ((rc = x509_time_unix(&c->crl->next_update, &nu)) == EG_OK) {
			int64_t left = nu - (int64_t)time(NULL);

			*days = left < 0 ? -1 : (int)(left / 86400);
		}
	}
	pthread_mutex_unlock(&c->crl_lock);
	return rc;
}

void
eg_tls_conf_free(struct eg_tls_conf **cp)
{
	struct eg_tls_conf *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	mbedtls_ssl_config_free(&c->ssl);
	tkeys_clear(c);
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
	t->alert = -1;
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
	/* handshake->resume is what the handshake has settled so far: a client
	 * that offers a session starts with 1, and the ServerHello sets it back
	 * to 0 when the host refused the ticket (a full handshake follows). Take
	 * the value of the last step before the handshake state is freed. */
	while (t->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
		if ((r = mbedtls_ssl_handshake_step(&t->ssl)) != 0)
			break;
		if (t->ssl.handshake != NULL)
			t->resumed = t->ssl.handshake->resume != 0;
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
		else if (flags & MBEDTLS_X509_BADCERT_BAD_KEY)
			what = "peer key is not ECDSA P-256";
		else if (flags & MBEDTLS_X509_BADCERT_EXT_KEY_USAGE)
			what = "peer certificate lacks the extended key usage of its role";
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
		t->alert = t->ssl.in_msg[1];
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

int
eg_tls_peer_not_after(const struct eg_tls *t, int64_t *unix_s)
{
	const mbedtls_x509_crt *p;

	if (!t->verified || (p = mbedtls_ssl_get_peer_cert(&t->ssl)) == NULL)
		return EG_ERR_STATE;
	return x509_time_unix(&p->valid_to, unix_s);
}

int
eg_tls_peer_check(struct eg_tls *t)
{
	uint32_t flags;

	if (!t->verified)
		return EG_ERR_STATE;
	flags = peer_recheck(t->conf, mbedtls_ssl_get_peer_cert(&t->ssl));
	if (flags == 0)
		return EG_OK;
	snprintf(t->why, sizeof(t->why), "%s", (flags & MBEDTLS_X509_BADCERT_REVOKED) ?
	    "peer certificate revoked" : (flags & MBEDTLS_X509_BADCERT_EXPIRED) ?
	    "peer certificate expired" : (flags & MBEDTLS_X509_BADCRL_EXPIRED) ? "CRL expired" :
	    "certificate not accepted");
	return EG_ERR_CERT;
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

int
eg_tls_alert(const struct eg_tls *t)
{
	return t != NULL ? t->alert : -1;
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
