/* SPDX-License-Identifier: Apache-2.0 */
/*
 * simchip.h — a small simulated eMRTD chip for the icao tests, plugged in
 * under the channel through struct icao_card_ops like a real reader.
 *
 * It holds a few transparent EFs, answers SELECT / READ BINARY (B0, SFI,
 * B1), can misbehave the way real chips do when Le is too large (6282 with
 * or without data, 6Cxx, 6700), can split responses with 61xx, and can
 * speak secure messaging (chip side, built from icao_crypto primitives, so
 * it checks the terminal's MAC and protects its answers independently of
 * sm.c's code paths).
 */
#ifndef ICAO_TEST_SIMCHIP_H
#define ICAO_TEST_SIMCHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icao/apdu.h"
#include "icao/crypto.h"

enum simchip_quirk {
	SIM_Q_NONE = 0,
	SIM_Q_6282_EMPTY,	/* Le > max_le: 6282, no data */
	SIM_Q_6282_PARTIAL,	/* Le > max_le: max_le bytes + 6282 */
	SIM_Q_6C,		/* Le > max_le: 6C(max_le) */
	SIM_Q_6700,		/* Le > max_le: 6700 */
};

struct simchip_file {
	uint16_t fid;
	uint8_t sfi;
	const uint8_t *data;
	size_t len;
};

struct simchip {
	struct simchip_file files[8];
	size_t nfiles;
	int cur;			/* current EF index, -1: none */
	enum simchip_quirk quirk;
	size_t max_le;			/* quirk threshold */
	bool no_odd_ins;		/* answer B1 with 6D00 */
	uint16_t sfi_sw;		/* != 0: answer every READ BINARY by
					 * SFI with this status (a chip
					 * without short identifiers) */
	size_t gr_chunk;		/* > 0: split responses with 61xx */
	/* secure messaging (chip side) */
	bool sm;
	enum icao_cipher cipher;
	uint8_t ksenc[32], ksmac[32], ssc[16];
	bool corrupt_next_mac;		/* flip a bit of the next response MAC */
	bool ignore_cmd_mac;		/* a clone: answers even when the
					 * command MAC does not verify */
	/* what happened */
	unsigned apdus, reads;
	size_t max_le_seen;
	uint8_t last_capdu[512];
	size_t last_clen;
	/* commands process() does not know (PACE, CA, AA in the tests): the
	 * plain (unwrapped) command; append up to cap response data bytes to
	 * data, set *dlen, return the status word */
	uint16_t (*ext)(void *ctx, const struct icao_apdu *a, uint8_t *data,
	    size_t cap, size_t *dlen);
	void *ext_ctx;
	/* after the next protected response: switch SM to these keys, SSC 0
	 * (Chip Authentication) */
	bool rekey;
	enum icao_cipher rk_cipher;
	uint8_t rk_enc[32], rk_mac[32];
	/* pending 61xx data */
	uint8_t *pend;
	size_t pend_len, pend_off;
};

extern const struct icao_card_ops simchip_ops;

/* simchip_new / simchip_free — heap-allocated, zeroed, cur = -1. */
struct simchip *simchip_new(void);
void simchip_free(struct simchip **s);
void simchip_add_file(struct simchip *s, uint16_t fid, uint8_t sfi,
    const uint8_t *data, size_t len);
void simchip_set_sm(struct simchip *s, enum icao_cipher c, const uint8_t *ksenc,
    const uint8_t *ksmac, const uint8_t *ssc);

#endif
