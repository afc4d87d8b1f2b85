/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_card.h — a simulated card (chip) behind a simulated reader.
 *
 * Any object with these ops can sit in a simulated CCID reader (sim_ccid.h):
 * the echo/file test card (sim_card_echo.c) now, the simulated ePassport chip
 * later. Return values are eg_err; the card's own answer (including its
 * status word) is the response APDU.
 */
#ifndef EGATE_SIM_CARD_H
#define EGATE_SIM_CARD_H

#include <stddef.h>
#include <stdint.h>

struct sim_card_ops {
	/* power_on — cold reset; the ATR goes to atr[0..cap), length *atr_len. */
	int (*power_on)(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len);
	/* apdu — one command APDU in, one response APDU (data + SW1 SW2) out. */
	int (*apdu)(void *ctx, const uint8_t *capdu, size_t clen,
	    uint8_t *rapdu, size_t cap, size_t *rlen);
};

/*
 * The echo/file test card.
 *   SELECT (00 A4 04 0C, AID)      A0 00 00 02 47 10 01 (eMRTD) -> 9000
 *   SELECT (00 A4 02 0C, FID)      one of its files -> 9000, else 6A82
 *   READ BINARY (00 B0 P1P2 Le)    short or extended Le; 6B00 past the end
 *   ECHO (80 10 00 00 Lc data Le)  returns the data -> 9000 (extended too)
 *   anything else                  6D00
 * Files: 011E (EF.COM, 22 bytes), 0101 (3000 bytes, byte i = i*7 mod 251).
 */
struct sim_echo_card;
extern const struct sim_card_ops sim_echo_card_ops;
int sim_echo_card_new(struct sim_echo_card **out);
void sim_echo_card_free(struct sim_echo_card **c);
/* sim_echo_card_file — the content of a file, for tests to compare. */
const uint8_t *sim_echo_card_file(const struct sim_echo_card *c, uint16_t fid,
    size_t *len);

#endif
