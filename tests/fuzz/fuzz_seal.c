/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_seal — PassageEvent.sealed_identifiers through seal_open_bound (the
 * host's network child opens what any kiosk sends). The input is the blob,
 * opened for kiosk "K01", event seq 7, kind passage, with the fixed host key
 * below. What opens must hold two
 * NUL-free strings that seal again (v1 and v2) and open to the same values;
 * a v2 blob that opened opens again from the key's cache (no ECDH) to the
 * same values, and a refused one stays refused the same way.
 *
 * Seeds (corpus/seal_open/): blobs sealed to this key with tests/proto/
 * seal-tool (valid ones for K01 and K02, long fields, no document number;
 * v2_*: version 2 from seal-tool seal2; v3_*: version 3 from seal-tool
 * seal3, for seq 7 and for another seq) and damaged copies (truncated,
 * wrong version, bad point, flipped tag or nonce).
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz host key. Test key only. */
static const char host_key_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIF0QPeS0JQCeaP6M4E84Vr3jFC+yaA+xjACs3w/X9fqSoAoGCCqGSM49\n"
    "AwEHoUQDQgAEa9Qv59KLK3ljzaOd/u07gnOxkOAzKH69p/xscyEA0xfjDkAhYJ59\n"
    "TxyAz+3KSkEVFs48CJ1TKj/VdthnndPcAA==\n"
    "-----END EC PRIVATE KEY-----\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seal_key *k = NULL;
	struct seal_epoch *ep = NULL;
	struct seal_stats st0, st1;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	char doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];
	char doc2[SEAL_FIELD_MAX + 1], name2[SEAL_FIELD_MAX + 1];
	uint8_t again[SEAL_BLOB_MAX];
	size_t n = 0;
	int rc;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	if (seal_key_parse_private((const uint8_t *)host_key_pem, sizeof(host_key_pem), &k) != EG_OK)
		abort();
	rc = seal_open_bound(k, "K01", 7, SEAL_KIND_PASSAGE, data, size, doc, sizeof(doc), name,
	    sizeof(name), NULL);
	/* again: the same answer; an opened v2/v3 blob now without an ECDH */
	seal_key_stats(k, &st0);
	if (seal_open_bound(k, "K01", 7, SEAL_KIND_PASSAGE, data, size, doc2, sizeof(doc2), name2,
	    sizeof(name2), NULL) != rc || strcmp(doc, doc2) != 0 || strcmp(name, name2) != 0)
		abort();
	seal_key_stats(k, &st1);
	if (rc == EG_OK && data[0] == SEAL_VERSION_3 &&
	    seal_open_bound(k, "K01", 8, SEAL_KIND_PASSAGE, data, size, doc2, sizeof(doc2), name2,
	    sizeof(name2), NULL) != EG_ERR_AUTH)
		abort();	/* bound to its seq */
	if (rc == EG_OK && (data[0] == SEAL_VERSION_2 || data[0] == SEAL_VERSION_3) &&
	    (st1.ecdh != st0.ecdh || st1.cache_hits != st0.cache_hits + 1))
		abort();
	if (rc != EG_OK) {
		if (doc[0] != '\0' || name[0] != '\0')
			abort();	/* a refused blob leaves nothing behind */
		goto out;
	}
	if (strlen(doc) > SEAL_FIELD_MAX || strlen(name) > SEAL_FIELD_MAX)
		abort();
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0 ||
	    seal_identifiers(k, mbedtls_ctr_drbg_random, &drbg, "K01", doc, name, again,
		sizeof(again), &n) != EG_OK ||
	    seal_open(k, "K01", again, n, doc2, sizeof(doc2), name2, sizeof(name2)) != EG_OK ||
	    strcmp(doc, doc2) != 0 || strcmp(name, name2) != 0)
		abort();
	if (seal_epoch_new(0, 0, &ep) != EG_OK ||
	    seal_epoch_seal(ep, k, mbedtls_ctr_drbg_random, &drbg, 0, "K01", doc, name, again,
		sizeof(again), &n) != EG_OK ||
	    seal_open(k, "K01", again, n, doc2, sizeof(doc2), name2, sizeof(name2)) != EG_OK ||
	    strcmp(doc, doc2) != 0 || strcmp(name, name2) != 0)
		abort();
	/* bound to the kiosk: the same blob does not open for another */
	if (seal_open_bound(k, "K02", 7, SEAL_KIND_PASSAGE, data, size, doc2, sizeof(doc2), name2,
	    sizeof(name2), NULL) != EG_ERR_AUTH)
		abort();
out:
	seal_epoch_free(&ep);
	seal_key_free(&k);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return 0;
}
