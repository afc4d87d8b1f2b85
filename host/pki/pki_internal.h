/* SPDX-License-Identifier: Apache-2.0 */
/* pki_internal.h — shared inside host/pki; not installed. */
#ifndef EGATE_PKI_INTERNAL_H
#define EGATE_PKI_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "pki.h"

#define PKI_PATH_MAX 1024

struct pki_rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

int pki_rng_init(struct pki_rng *r);
void pki_rng_free(struct pki_rng *r);
void pki_time_str(time_t t, char out[15]);

/* ---- files (pki_files.c) ----------------------------------------------------
 * A file is written to a temporary name beside its final one
 * ("FINAL.tmp-XXXXXX", made with mkstemp), flushed, and only then put in
 * place: by rename (replacing) or by link (never replacing: EG_ERR_STATE if
 * the final name exists). Until then, pki_tmp_discard() removes it. */
struct pki_tmp {
	char tmp[PKI_PATH_MAX + 16];
	char final[PKI_PATH_MAX];
	bool made;		/* tmp exists */
	bool placed;		/* final now holds it */
};

void pki_tmp_init(struct pki_tmp *t);
/* Errors: EG_ERR_INVAL (path too long), EG_ERR_IO (err names the folder). */
int pki_tmp_write(struct pki_tmp *t, const char *final, const void *data, size_t len,
    mode_t mode, char *err, size_t errlen);
int pki_tmp_place_replace(struct pki_tmp *t, char *err, size_t errlen);
int pki_tmp_place_new(struct pki_tmp *t, char *err, size_t errlen);
/* remove the temporary file if it is still there (never the final one) */
void pki_tmp_discard(struct pki_tmp *t);
/* undo a placement made with pki_tmp_place_new (unlink the final name) */
void pki_tmp_unplace(struct pki_tmp *t);
/* fsync the folder holding path (best effort; a crash-safety measure) */
void pki_fsync_parent(const char *path);
/* write data to path exclusively and atomically (tmp + link) */
int pki_write_new(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen);
/* write data to path by atomic replacement (tmp + rename) */
int pki_write_replace(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen);
/* does path exist (lstat)? */
bool pki_exists(const char *path);

/* ---- times (pki_index.c) ---------------------------------------------------- */
/* "2026-11-29T10:00:00Z" (21 bytes with the NUL) */
void pki_iso_time(time_t t, char out[21]);
/* strict parse of the above; EG_ERR_FORMAT */
int pki_iso_parse(const char *s, size_t n, time_t *out);
/* an mbedTLS time (UTC) as time_t, -1 if out of range (eg_utc_unix) */
time_t pki_x509_time(const mbedtls_x509_time *t);
/* read dirfd/index.txt (the folder dir, for messages); missing: empty with
 * out->missing set */
int pki_index_read_at(int dirfd, const char *dir, struct pki_index *out, char *err,
    size_t errlen);

/* ---- the CA (pki.c) ------------------------------------------------------------- */
mbedtls_pk_context *pki_ca_key(struct pki_ca *ca);
mbedtls_x509_crt *pki_ca_crt(struct pki_ca *ca);
struct pki_index *pki_ca_index_mut(struct pki_ca *ca);
/* rewrite CA/index.txt from the in-memory index (atomic) */
int pki_ca_index_save(struct pki_ca *ca, char *err, size_t errlen);
/* serial of a certificate as upper-case hex */
int pki_serial_hex(const unsigned char *p, size_t n, char out[PKI_SERIAL_HEX]);

/* ---- CSR (pki_csr.c) ------------------------------------------------------------------ */
/* DER → PEM of a CSR written with the key at hand, for pki_csr_create */
int pki_csr_write_pem(mbedtls_pk_context *key, const char *subject, const char *token,
    struct pki_rng *rng, unsigned char *pem, size_t pemsz);

#endif
