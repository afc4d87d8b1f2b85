/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sod.h — EF.SOD (ICAO Doc 9303 Part 10, 4.6.2): tag 77 around a CMS
 * SignedData whose eContent (id-icao-mrtd-security-ldsSecurityObject,
 * 2.23.136.1.1.1) is the LDSSecurityObject with the data group hashes.
 */
#ifndef EGATE_DOCAUTH_SOD_H
#define EGATE_DOCAUTH_SOD_H

#include <stddef.h>
#include <stdint.h>

#include "docauth/cms.h"
#include "docauth/lds.h"

struct sod_dg_hash {
	int dg;			/* 1..16 */
	const uint8_t *hash;	/* borrowed */
	size_t len;
};

struct sod {
	struct cms_signed_data cms;
	long lds_so_version;	/* 0 (v0) or 1 (v1, with ldsVersionInfo) */
	char lds_version[5];	/* v1: ldsVersionInfo ldsVersion ("0108"), else "" */
	char unicode_version[7];	/* v1: unicodeVersion ("040000"), else "" */
	mbedtls_md_type_t hash_md;	/* LDSSecurityObject hashAlgorithm */
	size_t n_dg;
	struct sod_dg_hash dg[LDS_MAX_DG];
	uint32_t dg_mask;	/* bit n: DGn has a hash */
	bool legacy_content_type;	/* eContentType is an older OID (sod_parse) */
};

/*
 * sod_parse — parse EF.SOD as read (with the 77 wrapper; BER lengths and a
 * constructed eContent as cms_parse accepts them). out borrows data; free
 * it with sod_free (safe after an error too). The eContentType is
 * 2.23.136.1.1.1 or one of the older OIDs real chips carry (1.3.27.1.1.1,
 * 1.2.528.1.1006.1.20.1, id-data): legacy_content_type is then set.
 * Errors: as cms_parse, plus EG_ERR_FORMAT for another eContentType, a
 * malformed LDSSecurityObject, a repeated or out-of-range DG number or a hash
 * whose length does not fit the hash algorithm; EG_ERR_UNSUPPORTED for an
 * unknown hash algorithm.
 */
int sod_parse(const uint8_t *data, size_t len, struct sod *out);

/* sod_free — free what sod_parse allocated; the struct is zeroed. */
void sod_free(struct sod *s);

/* sod_find_dg — the hash entry for dg, or NULL. */
const struct sod_dg_hash *sod_find_dg(const struct sod *s, int dg);

#endif
