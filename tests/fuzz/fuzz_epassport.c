/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_epassport — arbitrary command APDUs to the simulated ePassport chip
 * (hw/sim/sim_epassport.c). Input: one mode byte, then a sequence of
 * [len (1 byte)][APDU]; each APDU goes through the chip's card face; every
 * answer must carry a status word and fit the buffer. Mode bit 0 set: the
 * eMRTD application is selected and BAC done first with the values of Doc
 * 9303 Part 11 App. D, so the APDUs reach the secure-messaging path with
 * the App. D session keys (seeds: the protected APDUs of App. D.4). Mode
 * bit 1 set: the chip also answers PACE-GM (brainpoolP256r1, AES-128) and
 * Chip Authentication (P-256, AES-128), so MSE:Set AT and GENERAL
 * AUTHENTICATE reach the icao chip-side responders (in the clear: PACE;
 * under the BAC session of bit 0: CA). Mode bit 2 set: the chip announces
 * extended length with a 300-byte response limit and EF.ATR/INFO. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <mbedtls/ecp.h>

#include "egate/error.h"
#include "icao/ca.h"
#include "icao/pace.h"
#include "sim_epassport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t com[] = { 0x60, 0x05, 0x5C, 0x03, 0x61, 0x75, 0x6E };
static const uint8_t dg1[] = { 0x61, 0x03, 0x5F, 0x1F, 0x00 };
/* App. D.4 EF.COM */
static const uint8_t com_d[] = { 0x60, 0x14, 0x5F, 0x01, 0x04, 0x30, 0x31, 0x30,
	0x36, 0x5F, 0x36, 0x06, 0x30, 0x34, 0x30, 0x30, 0x30, 0x30, 0x5C, 0x02, 0x61, 0x75 };
static const uint8_t rnd_ic[] = { 0x46, 0x08, 0xF9, 0x19, 0x88, 0x70, 0x22, 0x12 };
static const uint8_t k_ic[] = { 0x0B, 0x4F, 0x80, 0x32, 0x3E, 0xB3, 0x19, 0x1C,
	0xB0, 0x49, 0x70, 0xCB, 0x40, 0x52, 0x79, 0x0B };
static const uint8_t sel_aid[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00,
	0x02, 0x47, 0x10, 0x01 };
static const uint8_t get_chal[] = { 0x00, 0x84, 0x00, 0x00, 0x08 };
static const uint8_t mut_auth[] = { 0x00, 0x82, 0x00, 0x00, 0x28,
	0x72, 0xC2, 0x9C, 0x23, 0x71, 0xCC, 0x9B, 0xDB, 0x65, 0xB7, 0x79, 0xB8,
	0xE8, 0xD3, 0x7B, 0x29, 0xEC, 0xC1, 0x54, 0xAA, 0x56, 0xA8, 0x79, 0x9F,
	0xAE, 0x2F, 0x49, 0x8F, 0x76, 0xED, 0x92, 0xF2,	/* E.IFD */
	0x5F, 0x14, 0x48, 0xEE, 0xA8, 0xAD, 0x90, 0xA7,	/* M.IFD */
	0x28 };

static void
must(struct sim_epassport *c, const uint8_t *a, size_t n, uint8_t *r)
{
	size_t rl = 0;

	if (sim_epassport_card_ops.apdu(c, a, n, r, 65536 + 64, &rl) != EG_OK ||
	    rl < 2 || r[rl - 2] != 0x90 || r[rl - 1] != 0x00)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_epassport_cfg cfg = { .mrz_info = "L898902C<369080619406236",
		.flags = SIM_EP_F_SHORT_READS, .max_read = 7,
		.fixed_rnd_ic = rnd_ic, .fixed_k_ic = k_ic };
	struct sim_epassport *c = NULL;
	uint8_t *r = malloc(65536 + 64), atr[40];
	size_t off = 1, n, rl, al;
	bool sm = size > 0 && (data[0] & 1);
	bool protos = size > 0 && (data[0] & 2);
	struct icao_pace_params pp;
	struct icao_ca_params cp;
	static const uint8_t ca_priv[32] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
		0x77, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

	if (r == NULL)
		abort();
	if (protos) {
		if (icao_pace_params_init(&pp, "0.4.0.127.0.7.2.2.4.2.2", 13) != EG_OK ||
		    icao_ca_params_init(&cp, "0.4.0.127.0.7.2.2.3.2.2", 1) != EG_OK)
			abort();
		cfg.pace = &pp;
		cfg.can = "123456";
		cfg.ca = &cp;
		cfg.ca_group = MBEDTLS_ECP_DP_SECP256R1;
		cfg.ca_priv = ca_priv;
		cfg.ca_priv_len = sizeof(ca_priv);
	}
	if (sm)
		cfg.flags = 0;	/* App. D.4 reads 4 + 18 bytes in full */
	if (size > 0 && (data[0] & 4)) {
		cfg.ext_max_rapdu = 300;
		cfg.ext_info = true;
	}
	if (sim_epassport_new(&cfg, &c) != EG_OK)
		abort();
	if (sim_epassport_add_file(c, 0x011E, 0x1E, sm ? com_d : com,
	    sm ? sizeof(com_d) : sizeof(com)) != EG_OK ||
	    sim_epassport_add_file(c, 0x0101, 0x01, dg1, sizeof(dg1)) != EG_OK ||
	    sim_epassport_add_file(c, 0x011C, 0x1C, com, sizeof(com)) != EG_OK ||
	    sim_epassport_card_ops.power_on(c, atr, sizeof(atr), &al) != EG_OK)
		abort();
	if (sm) {
		must(c, sel_aid, sizeof(sel_aid), r);
		must(c, get_chal, sizeof(get_chal), r);
		must(c, mut_auth, sizeof(mut_auth), r);
	}
	while (off < size) {
		n = data[off++];
		if (n > size - off)
			n = size - off;
		rl = 0;
		if (sim_epassport_card_ops.apdu(c, data + off, n, r, 65536 + 64,
		    &rl) == EG_OK && (rl < 2 || rl > 65536 + 64))
			__builtin_trap();
		off += n;
	}
	sim_epassport_free(&c);
	free(r);
	return 0;
}
