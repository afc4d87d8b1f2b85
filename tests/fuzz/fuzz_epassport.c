/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_epassport — arbitrary command APDUs to the simulated ePassport chip
 * (hw/sim/sim_epassport.c). Input: a sequence of [len (1 byte)][APDU]; each
 * APDU goes through the chip's card face; every answer must carry a status
 * word and fit the buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "egate/error.h"
#include "sim_epassport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t com[] = { 0x60, 0x05, 0x5C, 0x03, 0x61, 0x75, 0x6E };
static const uint8_t dg1[] = { 0x61, 0x03, 0x5F, 0x1F, 0x00 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_epassport_cfg cfg = { .mrz_info = "L898902C<369080619406236",
		.flags = SIM_EP_F_SHORT_READS, .max_read = 7 };
	struct sim_epassport *c = NULL;
	uint8_t *r = malloc(65536 + 64), atr[40];
	size_t off = 0, n, rl, al;

	if (r == NULL || sim_epassport_new(&cfg, &c) != EG_OK)
		abort();
	if (sim_epassport_add_file(c, 0x011E, 0x1E, com, sizeof(com)) != EG_OK ||
	    sim_epassport_add_file(c, 0x0101, 0x01, dg1, sizeof(dg1)) != EG_OK ||
	    sim_epassport_add_file(c, 0x011C, 0x1C, com, sizeof(com)) != EG_OK ||
	    sim_epassport_card_ops.power_on(c, atr, sizeof(atr), &al) != EG_OK)
		abort();
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
