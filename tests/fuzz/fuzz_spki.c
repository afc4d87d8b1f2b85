/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_spki — SubjectPublicKeyInfo and EC domain parameters (docauth
 * spki.h): named curves, explicit parameters matched to a named group or
 * validated as a custom group, RSA and RSASSA-PSS keys, compressed points.
 * The same bytes are also tried as bare ECParameters.
 */
#include <stdint.h>
#include <stdlib.h>

#include <mbedtls/ecp.h>

#include "egate/error.h"
#include "docauth/spki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mbedtls_pk_context pk, copy;
	mbedtls_ecp_group grp;
	struct spki_info info;

	mbedtls_pk_init(&pk);
	mbedtls_pk_init(&copy);
	mbedtls_ecp_group_init(&grp);
	if (spki_parse(data, size, &pk, &info) == EG_OK) {
		if (info.type != mbedtls_pk_get_type(&pk))
			abort();
		if (info.type == MBEDTLS_PK_ECKEY) {
			mbedtls_ecp_keypair *kp = mbedtls_pk_ec(pk);

			/* a key we hand out lies on its curve */
			if (mbedtls_ecp_check_pubkey(&kp->grp, &kp->Q) != 0)
				abort();
			if (info.custom_curve != (kp->grp.id == MBEDTLS_ECP_DP_NONE))
				abort();
		}
		if (spki_pk_copy(&copy, &pk) != EG_OK)
			abort();
	} else if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_NONE) {
		abort();	/* on error pk stays empty */
	}
	(void)spki_ecparams_parse(data, size, &grp, &info);
	mbedtls_ecp_group_free(&grp);
	mbedtls_pk_free(&pk);
	mbedtls_pk_free(&copy);
	return 0;
}
