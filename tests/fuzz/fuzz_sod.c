/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sod — EF.SOD / CMS parsing and the whole passive authentication on
 * arbitrary bytes, with a fixed trust store (the CSCA of the seed corpus,
 * fuzz_docauth_csca.h) and the DG1/DG2 the seeds were signed over, so the
 * fuzzer reaches signature, chain, hash and MRZ checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "docauth/cms.h"
#include "docauth/pa.h"
#include "docauth/sod.h"
#include "fuzz_docauth_csca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MRZ "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" \
	    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csca_store *store = NULL;
	struct pa_input in;
	struct pa_report r;
	struct sod s;
	struct cms_signed_data sd;

	if (sod_parse(data, size, &s) == EG_OK) {
		if (s.n_dg == 0 || s.n_dg > LDS_MAX_DG)
			abort();
		/* hashes point into the input, or into the copy of a
		 * constructed (BER) eContent */
		for (size_t i = 0; i < s.n_dg; i++)
			if ((s.dg[i].hash < data || s.dg[i].hash + s.dg[i].len > data + size) &&
			    (s.cms.econtent_owned == NULL || s.dg[i].hash < s.cms.econtent.p ||
			    s.dg[i].hash + s.dg[i].len > s.cms.econtent.p + s.cms.econtent.len))
				abort();
		sod_free(&s);
	}
	/* the same bytes as a bare CMS ContentInfo */
	if (cms_parse(data, size, &sd) == EG_OK) {
		struct cert *c = NULL;
		char why[160];

		if (cms_signer_cert(&sd, &c, NULL) == EG_OK)
			(void)cms_verify_signature(&sd, &c->pk, why, sizeof(why));
		(void)cms_check_message_digest(&sd, why, sizeof(why));
		cert_free(&c);
		cms_signed_data_free(&sd);
	}
	if (csca_store_new(&store) != EG_OK ||
	    csca_store_add_cert(store, fuzz_csca_der, sizeof(fuzz_csca_der)) != EG_OK)
		abort();
	memset(&in, 0, sizeof(in));
	in.sod = data;
	in.sod_len = size;
	in.dg[1] = fuzz_dg1;
	in.dg_len[1] = sizeof(fuzz_dg1);
	in.dg[2] = fuzz_dg2;
	in.dg_len[2] = sizeof(fuzz_dg2);
	in.printed_mrz = MRZ;
	in.check_time = 1780315200;	/* 2026-06-01 */
	if (pa_verify(&in, store, &r) != EG_OK)
		abort();
	/* every check has a definite status and a reason */
	for (int i = 0; i < PA_CHECK_COUNT; i++)
		if (r.r[i].reason[0] == '\0' || (r.r[i].status != PA_PASS &&
		    r.r[i].status != PA_FAIL && r.r[i].status != PA_NOT_CHECKED))
			abort();
	/* a SOD that does not parse can never pass */
	if (r.r[PA_SOD_PARSE].status != PA_PASS && pa_report_passed(&r))
		abort();
	csca_store_free(&store);
	return 0;
}
