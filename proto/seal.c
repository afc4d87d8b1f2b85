/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seal.c — sealed identifiers (seal.h, PROTOCOL.md "Sealed identifiers"):
 * ECIES on P-256 with mbedTLS (ecdh, hkdf, gcm). Version 1: one ephemeral
 * key per seal. Version 2: one per kiosk epoch (struct seal_epoch), and the
 * host's key pair caches the epoch keys it derived (struct seal_cache).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "egate.pb-c.h"
#include "egate/buf.h"
#include "egate/error.h"
#include "egate/keyfile.h"
#include "egate/secure.h"
#include "frame.h"
#include "seal.h"

#define LABEL_LEN (sizeof(SEAL_LABEL) - 1)
#define INFO_LEN (LABEL_LEN + 2 * SEAL_POINT_LEN)
/* v3 adds u64 seq ‖ u8 kind (all labels have the same length) */
#define AAD_MAX (LABEL_LEN + 1 + SEAL_KIOSK_ID_MAX + 1 + 8 + 1)
#define PLAIN_MAX (SEAL_BLOB_MAX - SEAL_OVERHEAD)
#define CACHE_MAX (1u << 20)

_Static_assert(SEAL_BLOB_MAX == PROTO_SEALED_MAX, "the blob limit is the protocol's");
_Static_assert(sizeof(SEAL_LABEL_2) == sizeof(SEAL_LABEL), "both labels are 13 bytes");
_Static_assert(SEAL_OVERHEAD_2 > SEAL_OVERHEAD, "v2 carries the nonce");

/* One cached v2 epoch key: (kiosk id, E) -> K. */
struct cache_entry {
	uint64_t used;			/* last use (key's tick); 0: empty */
	uint8_t id_len;
	char id[SEAL_KIOSK_ID_MAX];
	uint8_t e[SEAL_POINT_LEN];
	uint8_t k[SEAL_KEY_LEN];
};

struct seal_key {
	mbedtls_ecp_keypair kp;		/* grp = P-256, Q always, d if has_private */
	bool has_private;
	/* blinding of the scalar multiplication with d (opening) */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	/* the v2 key cache: cache_n entries in sets of SEAL_CACHE_WAYS,
	 * allocated at the first v2 open (NULL before, or when cache_n = 0) */
	struct cache_entry *cache;
	size_t cache_n;
	uint64_t tick;
	struct seal_stats stats;
};

struct seal_epoch {
	bool live;			/* e, k hold the current epoch */
	uint8_t e[SEAL_POINT_LEN];	/* E */
	uint8_t h[SEAL_POINT_LEN];	/* the host key it was made for */
	uint8_t k[SEAL_KEY_LEN];	/* K: secret */
	uint32_t seals, max_seals, max_seconds;
	uint64_t start;			/* now_s at the epoch's start */
	uint8_t version;		/* 2 or 3: K is derived with that version's label */
};

static struct seal_key *
key_alloc(void)
{
	struct seal_key *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	mbedtls_ecp_keypair_init(&k->kp);
	mbedtls_entropy_init(&k->entropy);
	mbedtls_ctr_drbg_init(&k->drbg);
	return k;
}

void
seal_key_free(struct seal_key **kp)
{
	struct seal_key *k;

	if (kp == NULL || (k = *kp) == NULL)
		return;
	mbedtls_ecp_keypair_free(&k->kp);	/* zeroizes d */
	if (k->cache != NULL)
		eg_secret_free(&k->cache, k->cache_n * sizeof(*k->cache));
	mbedtls_ctr_drbg_free(&k->drbg);
	mbedtls_entropy_free(&k->entropy);
	eg_memzero(k, sizeof(*k));
	free(k);
	*kp = NULL;
}

/* Copy the P-256 public key (and the private one if want_d) of pk into k. */
static int
key_take(struct seal_key *k, const mbedtls_pk_context *pk, bool want_d)
{
	const mbedtls_ecp_keypair *src;

	if (!mbedtls_pk_can_do(pk, MBEDTLS_PK_ECKEY))
		return EG_ERR_UNSUPPORTED;
	src = mbedtls_pk_ec(*pk);
	if (src == NULL || src->grp.id != MBEDTLS_ECP_DP_SECP256R1)
		return EG_ERR_UNSUPPORTED;
	if (mbedtls_ecp_group_load(&k->kp.grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    mbedtls_ecp_copy(&k->kp.Q, &src->Q) != 0 ||
	    (want_d && mbedtls_mpi_copy(&k->kp.d, &src->d) != 0))
		return EG_ERR_NOMEM;
	if (mbedtls_ecp_check_pubkey(&k->kp.grp, &k->kp.Q) != 0)
		return EG_ERR_UNSUPPORTED;
	k->has_private = want_d;
	return EG_OK;
}

/* Subject CN of crt equals cn exactly. */
static bool
cn_is(const mbedtls_x509_crt *crt, const char *cn)
{
	size_t n = strlen(cn);

	for (const mbedtls_x509_name *a = &crt->subject; a != NULL; a = a->next) {
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &a->oid) == 0)
			return a->val.len == n && memcmp(a->val.p, cn, n) == 0;
	}
	return false;
}

int
seal_key_from_cert(const char *cert_path, const char *ca_path, const char *cn,
    struct seal_key **out, char *err, size_t errlen)
{
	mbedtls_x509_crt ca, crt;
	struct seal_key *k = NULL;
	uint32_t flags = 0;
	char why[200];
	int ret = EG_ERR_INVAL;

	mbedtls_x509_crt_init(&ca);
	mbedtls_x509_crt_init(&crt);
	if (out == NULL)
		goto out;
	*out = NULL;
	if (cert_path == NULL || ca_path == NULL || cn == NULL)
		goto out;
	ret = EG_ERR_IO;
	if (mbedtls_x509_crt_parse_file(&ca, ca_path) != 0) {
		eg_errbuf(err, errlen, "cannot read the CA certificate %s", ca_path);
		goto out;
	}
	if (mbedtls_x509_crt_parse_file(&crt, cert_path) != 0) {
		eg_errbuf(err, errlen, "cannot read the host certificate %s", cert_path);
		goto out;
	}
	ret = EG_ERR_CERT;
	if (mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL, &flags, NULL, NULL) != 0) {
		if (mbedtls_x509_crt_verify_info(why, sizeof(why), "", flags) < 0)
			snprintf(why, sizeof(why), "flags 0x%x", (unsigned)flags);
		why[strcspn(why, "\n")] = '\0';
		eg_errbuf(err, errlen, "%s does not verify against %s: %s", cert_path, ca_path, why);
		goto out;
	}
	if (!cn_is(&crt, cn)) {
		eg_errbuf(err, errlen, "%s is not the host's certificate (CN is not '%s')", cert_path, cn);
		goto out;
	}
	ret = EG_ERR_NOMEM;
	if ((k = key_alloc()) == NULL)
		goto out;
	if ((ret = key_take(k, &crt.pk, false)) != EG_OK) {
		eg_errbuf(err, errlen, "%s: the key is not a P-256 key", cert_path);
		goto out;
	}
	*out = k;
	k = NULL;
out:
	seal_key_free(&k);
	mbedtls_x509_crt_free(&crt);
	mbedtls_x509_crt_free(&ca);
	return ret;
}

int
seal_cert_cn(const char *cert_path, char *cn, size_t cap)
{
	mbedtls_x509_crt crt;
	int ret = EG_ERR_INVAL;

	mbedtls_x509_crt_init(&crt);
	if (cert_path == NULL || cn == NULL || cap == 0)
		goto out;
	cn[0] = '\0';
	ret = EG_ERR_IO;
	if (mbedtls_x509_crt_parse_file(&crt, cert_path) != 0)
		goto out;
	ret = EG_ERR_NOT_FOUND;
	for (const mbedtls_x509_name *a = &crt.subject; a != NULL; a = a->next) {
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &a->oid) != 0)
			continue;
		ret = a->val.len >= cap ? EG_ERR_OVERFLOW : EG_ERR_FORMAT;
		if (a->val.len >= cap || memchr(a->val.p, 0, a->val.len) != NULL)
			goto out;
		memcpy(cn, a->val.p, a->val.len);
		cn[a->val.len] = '\0';
		ret = EG_OK;
		break;
	}
out:
	mbedtls_x509_crt_free(&crt);
	return ret;
}

/* Take the key pair out of a parsed pk and seed the blinding RNG. */
static int
key_from_pk(const mbedtls_pk_context *pk, struct seal_key **out)
{
	static const char pers[] = "egate-seal-open";
	struct seal_key *k = key_alloc();
	int ret = EG_ERR_NOMEM;

	if (k == NULL)
		goto out;
	if ((ret = key_take(k, pk, true)) != EG_OK)
		goto out;
	k->cache_n = SEAL_CACHE_DEFAULT;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_ctr_drbg_seed(&k->drbg, mbedtls_entropy_func, &k->entropy,
	    (const unsigned char *)pers, sizeof(pers) - 1) != 0)
		goto out;
	*out = k;
	k = NULL;
	ret = EG_OK;
out:
	seal_key_free(&k);
	return ret;
}

int
seal_key_parse_private(const uint8_t *key, size_t len, struct seal_key **out)
{
	mbedtls_pk_context pk;
	int ret = EG_ERR_INVAL;

	mbedtls_pk_init(&pk);
	if (out == NULL)
		goto out;
	*out = NULL;
	if (key == NULL)
		goto out;
	ret = EG_ERR_FORMAT;
	if (mbedtls_pk_parse_key(&pk, key, len, NULL, 0) != 0)
		goto out;
	ret = key_from_pk(&pk, out);
out:
	mbedtls_pk_free(&pk);
	return ret;
}

int
seal_key_from_private(const char *key_path, struct seal_key **out, char *err, size_t errlen)
{
	mbedtls_pk_context pk;
	int ret = EG_ERR_INVAL;

	mbedtls_pk_init(&pk);
	if (out == NULL)
		goto out;
	*out = NULL;
	if (key_path == NULL)
		goto out;
	if ((ret = eg_key_file_check(key_path, err, errlen)) != EG_OK)
		goto out;	/* group/other access or another owner (egate/keyfile.h) */
	ret = EG_ERR_IO;
	if (mbedtls_pk_parse_keyfile(&pk, key_path, NULL) != 0) {
		eg_errbuf(err, errlen, "cannot read the private key %s", key_path);
		goto out;
	}
	if ((ret = key_from_pk(&pk, out)) != EG_OK)
		eg_errbuf(err, errlen, "%s: %s", key_path, ret == EG_ERR_UNSUPPORTED ?
		    "not a P-256 key" : eg_strerror(ret));
out:
	mbedtls_pk_free(&pk);
	return ret;
}

int
seal_key_public(const struct seal_key *k, uint8_t out[SEAL_POINT_LEN])
{
	size_t olen = 0;

	if (k == NULL || out == NULL)
		return EG_ERR_INVAL;
	if (mbedtls_ecp_point_write_binary(&k->kp.grp, &k->kp.Q, MBEDTLS_ECP_PF_UNCOMPRESSED,
	    &olen, out, SEAL_POINT_LEN) != 0 || olen != SEAL_POINT_LEN)
		return EG_ERR_CRYPTO;
	return EG_OK;
}

/* ---- the common steps ---------------------------------------------------------- */

/* OKM = HKDF-SHA-256(salt = empty, IKM = Z, info = label ‖ E ‖ H, okm_len):
 * v1 K ‖ N (44 bytes, SEAL_LABEL), v2 K (32 bytes, SEAL_LABEL_2). */
static int
derive(const char *label, const uint8_t z[32], const uint8_t e[SEAL_POINT_LEN],
    const uint8_t h[SEAL_POINT_LEN], uint8_t *okm, size_t okm_len)
{
	uint8_t info[INFO_LEN];

	memcpy(info, label, LABEL_LEN);
	memcpy(info + LABEL_LEN, e, SEAL_POINT_LEN);
	memcpy(info + LABEL_LEN + SEAL_POINT_LEN, h, SEAL_POINT_LEN);
	if (mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), NULL, 0, z, 32,
	    info, sizeof(info), okm, okm_len) != 0)
		return EG_ERR_CRYPTO;
	return EG_OK;
}

/* AAD = label ‖ 0x00 ‖ kiosk_id ‖ 0x00 into aad[AAD_MAX]; 0 if the id is
 * empty or too long. */
static size_t
make_aad(const char *label, const char *kiosk_id, uint8_t *aad)
{
	size_t n = strnlen(kiosk_id, SEAL_KIOSK_ID_MAX + 1);

	if (n == 0 || n > SEAL_KIOSK_ID_MAX)
		return 0;
	memcpy(aad, label, LABEL_LEN);
	aad[LABEL_LEN] = 0x00;
	memcpy(aad + LABEL_LEN + 1, kiosk_id, n);
	aad[LABEL_LEN + 1 + n] = 0x00;
	return LABEL_LEN + n + 2;
}

/* v3: AAD = label ‖ 0x00 ‖ kiosk_id ‖ 0x00 ‖ u64 seq (big-endian) ‖ u8 kind:
 * the blob opens only for the event it was sealed for. */
static size_t
make_aad_bound(const char *kiosk_id, uint64_t seq, uint8_t kind, uint8_t *aad)
{
	size_t n = make_aad(SEAL_LABEL_3, kiosk_id, aad);

	if (n == 0)
		return 0;
	for (int i = 7; i >= 0; i--, seq >>= 8)
		aad[n + (size_t)i] = (uint8_t)seq;
	aad[n + 8] = kind;
	return n + 9;
}

/* Z = x-coordinate of d·Q as 32 bytes big-endian. */
static int
ecdh_x(mbedtls_ecp_group *grp, const mbedtls_ecp_point *q, const mbedtls_mpi *d,
    seal_rng_fn rng, void *rng_ctx, uint8_t z[32])
{
	mbedtls_mpi zm;
	int ret = EG_ERR_CRYPTO;

	mbedtls_mpi_init(&zm);
	if (mbedtls_ecdh_compute_shared(grp, &zm, q, d, rng, rng_ctx) != 0 ||
	    mbedtls_mpi_write_binary(&zm, z, 32) != 0)
		goto out;
	ret = EG_OK;
out:
	mbedtls_mpi_free(&zm);	/* zeroizes */
	return ret;
}

/* The plaintext: a packed Identifiers with fields 1 and 2 only, into
 * plain[PLAIN_MAX]. EG_ERR_OVERFLOW if a field is too long. */
static int
pack_plain(const char *document_number, const char *holder_name, uint8_t *plain, size_t *len)
{
	Egate__Identifiers ids;

	*len = 0;
	if (strlen(document_number) > SEAL_FIELD_MAX || strlen(holder_name) > SEAL_FIELD_MAX)
		return EG_ERR_OVERFLOW;
	egate__identifiers__init(&ids);
	ids.document_number = (char *)(uintptr_t)document_number;
	ids.holder_name = (char *)(uintptr_t)holder_name;
	*len = egate__identifiers__get_packed_size(&ids);
	if (*len > PLAIN_MAX)
		return EG_ERR_OVERFLOW;
	egate__identifiers__pack(&ids, plain);
	return EG_OK;
}

/* ---- sealing ------------------------------------------------------------------ */

int
seal_identifiers(const struct seal_key *hk, seal_rng_fn rng, void *rng_ctx,
    const char *kiosk_id, const char *document_number, const char *holder_name,
    uint8_t *out, size_t cap, size_t *out_len)
{
	mbedtls_ecp_group grp;
	mbedtls_mpi e;
	mbedtls_ecp_point ep;
	mbedtls_gcm_context gcm;
	uint8_t z[32], okm[SEAL_KEY_LEN + SEAL_NONCE_LEN], h[SEAL_POINT_LEN];
	uint8_t aad[AAD_MAX], plain[PLAIN_MAX];
	size_t aad_len, plen = 0, olen = 0, need;
	int ret = EG_ERR_INVAL;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&e);
	mbedtls_ecp_point_init(&ep);
	mbedtls_gcm_init(&gcm);
	if (out_len != NULL)
		*out_len = 0;
	if (hk == NULL || rng == NULL || kiosk_id == NULL || document_number == NULL ||
	    holder_name == NULL || out == NULL || out_len == NULL)
		goto out;
	if ((aad_len = make_aad(SEAL_LABEL, kiosk_id, aad)) == 0)
		goto out;
	if ((ret = pack_plain(document_number, holder_name, plain, &plen)) != EG_OK)
		goto out;
	ret = EG_ERR_OVERFLOW;
	need = SEAL_OVERHEAD + plen;
	if (need > cap)
		goto out;
	/* E = fresh ephemeral key; Z = x(e·H) */
	ret = EG_ERR_CRYPTO;
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    mbedtls_ecp_gen_keypair(&grp, &e, &ep, rng, rng_ctx) != 0)
		goto out;
	out[0] = SEAL_VERSION;
	if (mbedtls_ecp_point_write_binary(&grp, &ep, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
	    out + 1, SEAL_POINT_LEN) != 0 || olen != SEAL_POINT_LEN)
		goto out;
	if ((ret = seal_key_public(hk, h)) != EG_OK ||
	    (ret = ecdh_x(&grp, &hk->kp.Q, &e, rng, rng_ctx, z)) != EG_OK ||
	    (ret = derive(SEAL_LABEL, z, out + 1, h, okm, sizeof(okm))) != EG_OK)
		goto out;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, okm, SEAL_KEY_LEN * 8) != 0 ||
	    mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, plen, okm + SEAL_KEY_LEN,
		SEAL_NONCE_LEN, aad, aad_len, plain, out + 1 + SEAL_POINT_LEN, SEAL_TAG_LEN,
		out + 1 + SEAL_POINT_LEN + plen) != 0)
		goto out;
	*out_len = need;
	ret = EG_OK;
out:
	eg_memzero(z, sizeof(z));
	eg_memzero(okm, sizeof(okm));
	eg_memzero(plain, sizeof(plain));
	mbedtls_gcm_free(&gcm);
	mbedtls_mpi_free(&e);		/* the ephemeral private key: zeroized */
	mbedtls_ecp_point_free(&ep);
	mbedtls_ecp_group_free(&grp);
	return ret;
}

/* ---- sealing, version 2: the kiosk's epoch ------------------------------------ */

int
seal_epoch_new(uint32_t max_seals, uint32_t max_seconds, struct seal_epoch **out)
{
	struct seal_epoch *ep;

	if (out == NULL)
		return EG_ERR_INVAL;
	*out = NULL;
	if (max_seals > SEAL_EPOCH_MAX_SEALS || max_seconds > SEAL_EPOCH_MAX_SECONDS)
		return EG_ERR_INVAL;
	if ((ep = calloc(1, sizeof(*ep))) == NULL)
		return EG_ERR_NOMEM;
	ep->max_seals = max_seals != 0 ? max_seals : SEAL_EPOCH_MAX_SEALS;
	ep->max_seconds = max_seconds != 0 ? max_seconds : SEAL_EPOCH_MAX_SECONDS;
	*out = ep;
	return EG_OK;
}

/* End the epoch: wipe K and E, keep the limits. */
static void
epoch_end(struct seal_epoch *ep)
{
	eg_memzero(ep->k, sizeof(ep->k));
	eg_memzero(ep->e, sizeof(ep->e));
	eg_memzero(ep->h, sizeof(ep->h));
	ep->live = false;
	ep->seals = 0;
	ep->start = 0;
}

void
seal_epoch_free(struct seal_epoch **pep)
{
	if (pep == NULL || *pep == NULL)
		return;
	eg_secret_free(pep, sizeof(**pep));
}

/* A new epoch for host key h: (e, E) from rng, K = HKDF(x(e·H)); e and Z
 * are wiped before return, E and K kept in ep. */
static int
epoch_start(struct seal_epoch *ep, const struct seal_key *hk, const uint8_t h[SEAL_POINT_LEN],
    seal_rng_fn rng, void *rng_ctx, uint64_t now_s, uint8_t version)
{
	mbedtls_ecp_group grp;
	mbedtls_mpi e;
	mbedtls_ecp_point ep_pt;
	uint8_t z[32];
	size_t olen = 0;
	int ret = EG_ERR_CRYPTO;

	epoch_end(ep);
	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&e);
	mbedtls_ecp_point_init(&ep_pt);
	if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
	    mbedtls_ecp_gen_keypair(&grp, &e, &ep_pt, rng, rng_ctx) != 0 ||
	    mbedtls_ecp_point_write_binary(&grp, &ep_pt, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
		ep->e, SEAL_POINT_LEN) != 0 || olen != SEAL_POINT_LEN)
		goto out;
	if ((ret = ecdh_x(&grp, &hk->kp.Q, &e, rng, rng_ctx, z)) != EG_OK ||
	    (ret = derive(version == SEAL_VERSION_3 ? SEAL_LABEL_3 : SEAL_LABEL_2, z, ep->e, h,
		ep->k, SEAL_KEY_LEN)) != EG_OK)
		goto out;
	memcpy(ep->h, h, SEAL_POINT_LEN);
	ep->version = version;
	ep->start = now_s;
	ep->seals = 0;
	ep->live = true;
out:
	eg_memzero(z, sizeof(z));
	mbedtls_mpi_free(&e);		/* the ephemeral private key: zeroized */
	mbedtls_ecp_point_free(&ep_pt);
	mbedtls_ecp_group_free(&grp);
	if (ret != EG_OK)
		epoch_end(ep);
	return ret;
}

/* Versions 2 and 3 in epoch ep; v3 binds (seq, kind) through the AAD. */
static int
epoch_seal(struct seal_epoch *ep, const struct seal_key *hk, seal_rng_fn rng, void *rng_ctx,
    uint64_t now_s, uint8_t version, const char *kiosk_id, uint64_t seq, uint8_t kind,
    const char *document_number, const char *holder_name, uint8_t *out, size_t cap,
    size_t *out_len)
{
	mbedtls_gcm_context gcm;
	uint8_t h[SEAL_POINT_LEN], aad[AAD_MAX], plain[PLAIN_MAX], *nonce, *ct;
	size_t aad_len, plen = 0, need;
	int ret = EG_ERR_INVAL;

	mbedtls_gcm_init(&gcm);
	if (out_len != NULL)
		*out_len = 0;
	if (ep == NULL || hk == NULL || rng == NULL || kiosk_id == NULL ||
	    document_number == NULL || holder_name == NULL || out == NULL || out_len == NULL)
		goto out;
	if (version == SEAL_VERSION_3 && (seq == 0 || kind == 0))
		goto out;
	aad_len = version == SEAL_VERSION_3 ? make_aad_bound(kiosk_id, seq, kind, aad) :
	    make_aad(SEAL_LABEL_2, kiosk_id, aad);
	if (aad_len == 0)
		goto out;
	if ((ret = pack_plain(document_number, holder_name, plain, &plen)) != EG_OK)
		goto out;
	ret = EG_ERR_OVERFLOW;
	need = SEAL_OVERHEAD_2 + plen;
	if (need > cap)
		goto out;
	if ((ret = seal_key_public(hk, h)) != EG_OK)
		goto out;
	/* a new epoch when there is none, it is full or old, the host key
	 * changed, or it was made for the other version */
	if (!ep->live || ep->seals >= ep->max_seals || now_s < ep->start ||
	    now_s - ep->start >= ep->max_seconds || memcmp(ep->h, h, SEAL_POINT_LEN) != 0 ||
	    ep->version != version) {
		if ((ret = epoch_start(ep, hk, h, rng, rng_ctx, now_s, version)) != EG_OK)
			goto out;
	}
	out[0] = version;
	memcpy(out + 1, ep->e, SEAL_POINT_LEN);
	nonce = out + 1 + SEAL_POINT_LEN;
	ct = nonce + SEAL_NONCE_LEN;
	ret = EG_ERR_CRYPTO;
	if (rng(rng_ctx, nonce, SEAL_NONCE_LEN) != 0 ||
	    mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, ep->k, SEAL_KEY_LEN * 8) != 0 ||
	    mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, plen, nonce, SEAL_NONCE_LEN,
		aad, aad_len, plain, ct, SEAL_TAG_LEN, ct + plen) != 0) {
		epoch_end(ep);
		goto out;
	}
	ep->seals++;
	*out_len = need;
	ret = EG_OK;
out:
	eg_memzero(plain, sizeof(plain));
	mbedtls_gcm_free(&gcm);
	return ret;
}

int
seal_epoch_seal(struct seal_epoch *ep, const struct seal_key *hk, seal_rng_fn rng,
    void *rng_ctx, uint64_t now_s, const char *kiosk_id, const char *document_number,
    const char *holder_name, uint8_t *out, size_t cap, size_t *out_len)
{
	return epoch_seal(ep, hk, rng, rng_ctx, now_s, SEAL_VERSION_2, kiosk_id, 0, 0,
	    document_number, holder_name, out, cap, out_len);
}

int
seal_epoch_seal_bound(struct seal_epoch *ep, const struct seal_key *hk, seal_rng_fn rng,
    void *rng_ctx, uint64_t now_s, const char *kiosk_id, uint64_t seq, uint8_t kind,
    const char *document_number, const char *holder_name, uint8_t *out, size_t cap,
    size_t *out_len)
{
	return epoch_seal(ep, hk, rng, rng_ctx, now_s, SEAL_VERSION_3, kiosk_id, seq, kind,
	    document_number, holder_name, out, cap, out_len);
}

/* ---- the host's v2 key cache ------------------------------------------------- */

int
seal_key_set_cache(struct seal_key *k, size_t entries)
{
	if (k == NULL || !k->has_private || entries > CACHE_MAX)
		return EG_ERR_INVAL;
	if (k->cache != NULL)
		eg_secret_free(&k->cache, k->cache_n * sizeof(*k->cache));
	k->cache_n = (entries + SEAL_CACHE_WAYS - 1) / SEAL_CACHE_WAYS * SEAL_CACHE_WAYS;
	return EG_OK;
}

void
seal_key_stats(const struct seal_key *k, struct seal_stats *st)
{
	if (st == NULL)
		return;
	memset(st, 0, sizeof(*st));
	if (k != NULL)
		*st = k->stats;
}

/* The first entry of the set of (id, E): FNV-1a over the id and X. E is
 * chosen by an authenticated kiosk, which can cost the host an ECDH per
 * blob anyway (a fresh E each time); colliding sets cost no more. */
static struct cache_entry *
cache_set(struct seal_key *k, const char *id, size_t id_len, const uint8_t *e)
{
	uint32_t x = 2166136261u;

	for (size_t i = 0; i < id_len; i++)
		x = (x ^ (uint8_t)id[i]) * 16777619u;
	x = (x ^ 0xffu) * 16777619u;
	for (size_t i = 1; i < 1 + 32; i++)
		x = (x ^ e[i]) * 16777619u;
	return &k->cache[(x % (k->cache_n / SEAL_CACHE_WAYS)) * SEAL_CACHE_WAYS];
}

/* K for (id, E) into key if cached; true on a hit. */
static bool
cache_get(struct seal_key *k, const char *id, size_t id_len, const uint8_t *e, uint8_t *key)
{
	struct cache_entry *set;

	if (k->cache == NULL)
		return false;
	set = cache_set(k, id, id_len, e);
	for (size_t w = 0; w < SEAL_CACHE_WAYS; w++) {
		struct cache_entry *c = &set[w];

		if (c->used != 0 && c->id_len == id_len && memcmp(c->id, id, id_len) == 0 &&
		    memcmp(c->e, e, SEAL_POINT_LEN) == 0) {
			c->used = ++k->tick;
			memcpy(key, c->k, SEAL_KEY_LEN);
			k->stats.cache_hits++;
			return true;
		}
	}
	return false;
}

/* Remember K for (id, E): an empty way of its set, else the least recently
 * used one (wiped first). Without memory for the table: not cached. */
static void
cache_put(struct seal_key *k, const char *id, size_t id_len, const uint8_t *e,
    const uint8_t *key)
{
	struct cache_entry *set, *c;

	if (k->cache_n == 0)
		return;
	if (k->cache == NULL && (k->cache = calloc(k->cache_n, sizeof(*k->cache))) == NULL)
		return;
	set = cache_set(k, id, id_len, e);
	c = &set[0];
	for (size_t w = 0; w < SEAL_CACHE_WAYS; w++) {
		if (set[w].used == 0) {
			c = &set[w];
			break;
		}
		if (set[w].used < c->used)
			c = &set[w];
	}
	if (c->used != 0)
		k->stats.cache_evictions++;
	eg_memzero(c, sizeof(*c));
	c->used = ++k->tick;
	c->id_len = (uint8_t)id_len;
	memcpy(c->id, id, id_len);
	memcpy(c->e, e, SEAL_POINT_LEN);
	memcpy(c->k, key, SEAL_KEY_LEN);
}

/* ---- opening ------------------------------------------------------------------ */

/* A protobuf varint of at most 32 bits. */
static int
get_varint(struct eg_rbuf *r, uint32_t *v)
{
	struct eg_rbuf save = *r;
	uint32_t x = 0;
	uint8_t b;

	for (int shift = 0; shift < 35; shift += 7) {
		if (eg_rbuf_u8(r, &b) != EG_OK) {
			*r = save;
			return EG_ERR_FORMAT;
		}
		if (shift == 28 && (b & 0xf0) != 0)
			break;		/* above 32 bits */
		x |= (uint32_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*v = x;
			return EG_OK;
		}
	}
	*r = save;
	return EG_ERR_FORMAT;
}

/* The plaintext (seal.h): fields 1 and 2 only, each at most once. */
int
seal_plain_parse(const uint8_t *p, size_t len, char *doc, size_t doc_cap, char *name,
    size_t name_cap)
{
	struct eg_rbuf r = eg_rbuf_init(p, len);
	bool seen[3] = { false, false, false };

	if ((p == NULL && len > 0) || doc == NULL || name == NULL || doc_cap == 0 || name_cap == 0)
		return EG_ERR_INVAL;
	doc[0] = name[0] = '\0';

	while (eg_rbuf_left(&r) > 0) {
		uint32_t key, n;
		const uint8_t *s;
		char *dst;
		size_t dcap;

		if (get_varint(&r, &key) != EG_OK || (key != 0x0a && key != 0x12))
			return EG_ERR_FORMAT;
		if (seen[key >> 3])
			return EG_ERR_FORMAT;
		seen[key >> 3] = true;
		if (get_varint(&r, &n) != EG_OK || eg_rbuf_ptr(&r, n, &s) != EG_OK)
			return EG_ERR_FORMAT;
		if (memchr(s, 0, n) != NULL)
			return EG_ERR_FORMAT;
		dst = key == 0x0a ? doc : name;
		dcap = key == 0x0a ? doc_cap : name_cap;
		if (n > SEAL_FIELD_MAX || n >= dcap)
			return EG_ERR_OVERFLOW;
		memcpy(dst, s, n);
		dst[n] = '\0';
	}
	return EG_OK;
}

int
seal_open(struct seal_key *hk, const char *kiosk_id, const uint8_t *blob,
    size_t len, char *doc, size_t doc_cap, char *name, size_t name_cap)
{
	return seal_open_bound(hk, kiosk_id, 0, 0, blob, len, doc, doc_cap, name, name_cap, NULL);
}

int
seal_open_bound(struct seal_key *hk, const char *kiosk_id, uint64_t seq, uint8_t kind,
    const uint8_t *blob, size_t len, char *doc, size_t doc_cap, char *name, size_t name_cap,
    uint8_t *version)
{
	struct seal_key *k = hk;	/* its RNG, cache and counters advance */
	struct eg_rbuf r;
	mbedtls_ecp_point ep;
	mbedtls_gcm_context gcm;
	const uint8_t *e, *nonce = NULL, *ct, *tag;
	uint8_t z[32], okm[SEAL_KEY_LEN + SEAL_NONCE_LEN], h[SEAL_POINT_LEN];
	uint8_t aad[AAD_MAX], plain[PLAIN_MAX];
	size_t aad_len, clen = 0, id_len = 0, overhead;
	bool cached = false;
	uint8_t ver;
	int ret = EG_ERR_INVAL, rc;

	if (doc == NULL || name == NULL || doc_cap == 0 || name_cap == 0)
		return EG_ERR_INVAL;	/* nothing to clean up yet */
	doc[0] = name[0] = '\0';
	if (version != NULL)
		*version = 0;
	mbedtls_ecp_point_init(&ep);
	mbedtls_gcm_init(&gcm);
	if (hk == NULL || !hk->has_private || kiosk_id == NULL || (blob == NULL && len > 0))
		goto out;
	id_len = strnlen(kiosk_id, SEAL_KIOSK_ID_MAX + 1);
	if (id_len == 0 || id_len > SEAL_KIOSK_ID_MAX)
		goto out;
	ret = EG_ERR_OVERFLOW;
	if (len > SEAL_BLOB_MAX)
		goto out;
	/* the version byte picks the layout (PROTOCOL.md) */
	r = eg_rbuf_init(blob, len);
	ret = EG_ERR_TRUNCATED;
	if (eg_rbuf_u8(&r, &ver) != EG_OK)
		goto out;
	ret = EG_ERR_UNSUPPORTED;
	if (ver != SEAL_VERSION && ver != SEAL_VERSION_2 && ver != SEAL_VERSION_3)
		goto out;
	if (version != NULL)
		*version = ver;
	if (ver == SEAL_VERSION_3) {
		/* bound to its event: without (seq, kind) it cannot open */
		ret = EG_ERR_INVAL;
		if (seq == 0 || kind == 0)
			goto out;
		aad_len = make_aad_bound(kiosk_id, seq, kind, aad);
	} else {
		aad_len = make_aad(ver == SEAL_VERSION ? SEAL_LABEL : SEAL_LABEL_2, kiosk_id, aad);
	}
	overhead = ver == SEAL_VERSION ? SEAL_OVERHEAD : SEAL_OVERHEAD_2;
	ret = EG_ERR_TRUNCATED;
	if (len < overhead)
		goto out;
	clen = len - overhead;
	if (eg_rbuf_ptr(&r, SEAL_POINT_LEN, &e) != EG_OK ||
	    (ver != SEAL_VERSION && eg_rbuf_ptr(&r, SEAL_NONCE_LEN, &nonce) != EG_OK) ||
	    eg_rbuf_ptr(&r, clen, &ct) != EG_OK || eg_rbuf_ptr(&r, SEAL_TAG_LEN, &tag) != EG_OK ||
	    eg_rbuf_left(&r) != 0)
		goto out;
	/* v2: an epoch key this host already derived for this kiosk and E
	 * (the cache is keyed by both: E cached for another kiosk misses) */
	if (ver != SEAL_VERSION)
		cached = cache_get(k, kiosk_id, id_len, e, okm);
	if (!cached) {
		/* E: an uncompressed point on P-256 (read_binary also takes the
		 * 1-byte point at infinity; check_pubkey refuses it) */
		ret = EG_ERR_FORMAT;
		if (e[0] != 0x04 ||
		    mbedtls_ecp_point_read_binary(&k->kp.grp, &ep, e, SEAL_POINT_LEN) != 0 ||
		    mbedtls_ecp_check_pubkey(&k->kp.grp, &ep) != 0)
			goto out;
		k->stats.ecdh++;
		if ((ret = seal_key_public(hk, h)) != EG_OK ||
		    (ret = ecdh_x(&k->kp.grp, &ep, &k->kp.d, mbedtls_ctr_drbg_random, &k->drbg,
			z)) != EG_OK)
			goto out;
		if (ver == SEAL_VERSION)
			ret = derive(SEAL_LABEL, z, e, h, okm, SEAL_KEY_LEN + SEAL_NONCE_LEN);
		else
			ret = derive(ver == SEAL_VERSION_3 ? SEAL_LABEL_3 : SEAL_LABEL_2, z, e, h, okm,
			    SEAL_KEY_LEN);
		if (ret != EG_OK)
			goto out;
	}
	if (ver == SEAL_VERSION)
		nonce = okm + SEAL_KEY_LEN;
	ret = EG_ERR_CRYPTO;
	if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, okm, SEAL_KEY_LEN * 8) != 0)
		goto out;
	rc = mbedtls_gcm_auth_decrypt(&gcm, clen, nonce, SEAL_NONCE_LEN, aad,
	    aad_len, tag, SEAL_TAG_LEN, ct, plain);
	if (rc == MBEDTLS_ERR_GCM_AUTH_FAILED) {
		ret = EG_ERR_AUTH;
		goto out;
	}
	if (rc != 0)
		goto out;
	/* only a key that opened a blob of this kiosk is remembered */
	if (ver != SEAL_VERSION && !cached)
		cache_put(k, kiosk_id, id_len, e, okm);
	ret = seal_plain_parse(plain, clen, doc, doc_cap, name, name_cap);
out:
	if (ret != EG_OK) {
		eg_memzero(doc, doc_cap);
		eg_memzero(name, name_cap);
	}
	eg_memzero(z, sizeof(z));
	eg_memzero(okm, sizeof(okm));
	eg_memzero(plain, sizeof(plain));
	mbedtls_gcm_free(&gcm);
	mbedtls_ecp_point_free(&ep);
	return ret;
}
