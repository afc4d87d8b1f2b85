/* SPDX-License-Identifier: Apache-2.0 */
/* ca_int.h — what the terminal side (ca.c) and the chip side
 * (chip/ca_chip.c) of Chip Authentication share; private to firmware/icao. */
#ifndef ICAO_CA_INT_H
#define ICAO_CA_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "egate/buf.h"
#include "icao/ca.h"

#define CA_FIELD_MAX	66	/* bytes of a field element, P-521 */
#define CA_POINT_MAX	133	/* an uncompressed point, P-521 */
#define CA_SPKI_MAX	400	/* a ChipAuthenticationPublicKey SPKI */

/* icao_ca_params_ok — p names id-CA-ECDH-{3DES,AES-128,192,256}-CBC-CMAC
 * with the matching cipher. NULL is false. */
bool icao_ca_params_ok(const struct icao_ca_params *p);

/* icao_ca_put_key_id — keyId as a minimal unsigned big-endian integer in a
 * DO with tag. Errors: those of eg_tlv_put. */
int icao_ca_put_key_id(struct eg_wbuf *w, uint32_t tag, long key_id);

#endif
