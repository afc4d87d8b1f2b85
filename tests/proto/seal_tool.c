/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seal-tool — proto/seal.c from the command line, for the interop test
 * with the independent Python implementation (tests/vectors/proto/seal_ref.py):
 *
 *   seal-tool seal KEYFILE KIOSK DOCNUM NAME   -> blob as hex on stdout
 *   seal-tool seal2 KEYFILE KIOSK DOCNUM NAME [DOCNUM NAME ...]
 *   seal-tool seal3 KEYFILE KIOSK SEQ DOCNUM NAME [SEQ DOCNUM NAME ...]
 *   seal-tool open3 KEYFILE KIOSK SEQ HEX     (version 3, kind passage)
 *                                              -> version 2 blobs, one epoch,
 *                                                 one hex line each
 *   seal-tool open KEYFILE KIOSK HEX           -> DOCNUM\nNAME\n on stdout
 *
 * KEYFILE is the host's private key (PEM); sealing uses its public half.
 * Exit 0 on success, 1 when the operation fails (the error on stderr),
 * 2 on usage errors. Test tool: it prints clear identifiers.
 */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hex.h"
#include "egate/secure.h"
#include "seal.h"

int
main(int argc, char **argv)
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	struct seal_key *k = NULL;
	struct seal_epoch *ep = NULL;
	uint8_t blob[SEAL_BLOB_MAX];
	char hex[2 * SEAL_BLOB_MAX + 1], doc[SEAL_FIELD_MAX + 1], name[SEAL_FIELD_MAX + 1];
	char err[256] = "";
	size_t n = 0;
	int ret = 2, rc = EG_ERR_INVAL;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	if (argc < 5 || (strcmp(argv[1], "seal") == 0 && argc != 6) ||
	    (strcmp(argv[1], "open") == 0 && argc != 5) ||
	    (strcmp(argv[1], "open3") == 0 && argc != 6) ||
	    (strcmp(argv[1], "seal2") == 0 && (argc < 6 || argc % 2 != 0)) ||
	    (strcmp(argv[1], "seal3") == 0 && (argc < 7 || (argc - 4) % 3 != 0)) ||
	    (strcmp(argv[1], "seal") != 0 && strcmp(argv[1], "open") != 0 &&
	    strcmp(argv[1], "seal2") != 0 && strcmp(argv[1], "seal3") != 0 &&
	    strcmp(argv[1], "open3") != 0)) {
		fprintf(stderr, "usage: seal-tool seal KEYFILE KIOSK DOCNUM NAME | "
		    "seal2 KEYFILE KIOSK DOCNUM NAME [DOCNUM NAME ...] | "
		    "seal3 KEYFILE KIOSK SEQ DOCNUM NAME [SEQ DOCNUM NAME ...] | "
		    "open KEYFILE KIOSK HEX | open3 KEYFILE KIOSK SEQ HEX\n");
		goto out;
	}
	ret = 1;
	if ((rc = seal_key_from_private(argv[2], &k, err, sizeof(err))) != EG_OK)
		goto out;
	if (strcmp(argv[1], "seal") == 0) {
		if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0) {
			rc = EG_ERR_CRYPTO;
			goto out;
		}
		if ((rc = seal_identifiers(k, mbedtls_ctr_drbg_random, &drbg, argv[3], argv[4],
		    argv[5], blob, sizeof(blob), &n)) != EG_OK ||
		    (rc = eg_hex_encode(blob, n, hex, sizeof(hex))) != EG_OK)
			goto out;
		printf("%s\n", hex);
	} else if (strcmp(argv[1], "seal2") == 0) {
		if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0) {
			rc = EG_ERR_CRYPTO;
			goto out;
		}
		if ((rc = seal_epoch_new(0, 0, &ep)) != EG_OK)
			goto out;
		for (int i = 4; i + 1 < argc; i += 2) {
			if ((rc = seal_epoch_seal(ep, k, mbedtls_ctr_drbg_random, &drbg, 0, argv[3],
			    argv[i], argv[i + 1], blob, sizeof(blob), &n)) != EG_OK ||
			    (rc = eg_hex_encode(blob, n, hex, sizeof(hex))) != EG_OK)
				goto out;
			printf("%s\n", hex);
		}
	} else if (strcmp(argv[1], "seal3") == 0) {
		if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) != 0) {
			rc = EG_ERR_CRYPTO;
			goto out;
		}
		if ((rc = seal_epoch_new(0, 0, &ep)) != EG_OK)
			goto out;
		for (int i = 4; i + 2 < argc; i += 3) {
			if ((rc = seal_epoch_seal_bound(ep, k, mbedtls_ctr_drbg_random, &drbg, 0, argv[3],
			    strtoull(argv[i], NULL, 10), SEAL_KIND_PASSAGE, argv[i + 1], argv[i + 2], blob,
			    sizeof(blob), &n)) != EG_OK ||
			    (rc = eg_hex_encode(blob, n, hex, sizeof(hex))) != EG_OK)
				goto out;
			printf("%s\n", hex);
		}
	} else if (strcmp(argv[1], "open3") == 0) {
		if ((rc = eg_hex_decode(argv[5], blob, sizeof(blob), &n)) != EG_OK ||
		    (rc = seal_open_bound(k, argv[3], strtoull(argv[4], NULL, 10), SEAL_KIND_PASSAGE,
		    blob, n, doc, sizeof(doc), name, sizeof(name), NULL)) != EG_OK)
			goto out;
		printf("%s\n%s\n", doc, name);
		eg_memzero(doc, sizeof(doc));
		eg_memzero(name, sizeof(name));
	} else {
		if ((rc = eg_hex_decode(argv[4], blob, sizeof(blob), &n)) != EG_OK ||
		    (rc = seal_open(k, argv[3], blob, n, doc, sizeof(doc), name,
		    sizeof(name))) != EG_OK)
			goto out;
		printf("%s\n%s\n", doc, name);
		eg_memzero(doc, sizeof(doc));
		eg_memzero(name, sizeof(name));
	}
	ret = 0;
out:
	if (ret == 1)
		fprintf(stderr, "seal-tool: %s%s%s\n", eg_err_name(rc), err[0] ? ": " : "", err);
	seal_epoch_free(&ep);
	seal_key_free(&k);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return ret;
}
