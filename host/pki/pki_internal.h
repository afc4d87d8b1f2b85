/* SPDX-License-Identifier: Apache-2.0 */
/* pki_internal.h — shared between pki.c and pki_crl.c; not installed. */
#ifndef EGATE_PKI_INTERNAL_H
#define EGATE_PKI_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

struct pki_rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

int pki_rng_init(struct pki_rng *r);
void pki_rng_free(struct pki_rng *r);
/* write len bytes to path: exclusively (fails if it exists) or by atomic replace */
int pki_write_file(const char *path, const void *data, size_t len, mode_t mode, bool excl);
void pki_time_str(time_t t, char out[15]);

/* accessors for pki_crl.c */
struct pki_ca;
mbedtls_pk_context *pki_ca_key(struct pki_ca *ca);
mbedtls_x509_crt *pki_ca_crt(struct pki_ca *ca);
const char *pki_ca_dir(const struct pki_ca *ca);

#endif
