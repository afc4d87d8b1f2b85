/* SPDX-License-Identifier: Apache-2.0 */
/* world.h — the simulated PKI and passports shared by the docauth suites. */
#ifndef EGATE_TEST_DOCAUTH_WORLD_H
#define EGATE_TEST_DOCAUTH_WORLD_H

#include <stdint.h>
#include <time.h>

#include "egate/buf.h"
#include "docauth/csca.h"
#include "docauth/pa.h"
#include "docauth/testpki.h"

/* ICAO specimen (Doc 9303 Part 3), TD3, lines concatenated */
#define W_MRZ_TD3 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" \
		  "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

struct world {
	struct tpki *t;
	struct tpki_cred csca_ec, csca_rsa, rogue_csca;
	struct tpki_cred ds_ec, ds_bp, ds_rsa, ds_expired, ds_revoked, ds_rogue, ds_de;
	struct tpki_cred csca_de;	/* Germany: ds_de's CSCA */
	struct tpki_cred ds_foreign;	/* C=DE, issued by the Utopian csca_ec */
	struct eg_wbuf crl_ec, crl_rsa;
	time_t now;		/* the fixed check time: 2026-06-01T12:00:00Z */
};

/* world_make — generate everything (deterministic seed); aborts on failure. */
void world_make(struct world *w);
void world_free(struct world *w);
/* world_store — a store with csca_ec, csca_rsa and csca_de as anchors and
 * the CRLs of the first two. */
struct csca_store *world_store(struct world *w);

/* A simulated passport: EF.COM, DG1, DG2, DG15 and EF.SOD. */
struct passport {
	struct eg_wbuf sod, com, dg1, dg2, dg15;
};
struct pp_opts {
	struct tpki_cred *ds;
	enum tpki_sig sig;
	unsigned flags;		/* TPKI_* */
	uint32_t sod_omit;	/* DGs (bit n) left out of the SOD */
	const char *mrz;	/* NULL: W_MRZ_TD3 */
	mbedtls_md_type_t dg_hash;	/* 0: SHA-256 */
	const char *lds_version;	/* non-NULL: v1 security object */
};
void passport_make(struct world *w, const struct pp_opts *o, struct passport *p);
void passport_free(struct passport *p);
/* pa_input for the passport with all its DGs read and the printed MRZ. */
struct pa_input passport_input(const struct passport *p, time_t now);

/* write_file — write len bytes to path; aborts on failure. */
void write_file(const char *path, const void *data, size_t len);
/* read_hex_vector — decode the hex text file vectors/docauth/<name>. */
size_t read_hex_vector(const char *name, uint8_t *out, size_t cap);

#endif
