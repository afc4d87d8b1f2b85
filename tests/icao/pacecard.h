/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pacecard.h — test chip for PACE/CA/AA: a simchip whose unknown commands
 * (MSE:Set AT, GENERAL AUTHENTICATE, INTERNAL AUTHENTICATE) go to the chip
 * side of firmware/icao (icao_pace_chip, and the CA/AA responders the tests
 * plug in). After PACE it switches the simchip to secure messaging with
 * the agreed keys. pacecard_ops wraps simchip_ops and records the command
 * APDUs.
 */
#ifndef ICAO_TEST_PACECARD_H
#define ICAO_TEST_PACECARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icao/apdu.h"
#include "icao/pace.h"
#include "icao/pace_chip.h"
#include "simchip.h"

#define PACECARD_LOG 16

struct pacecard;
/* Handler for one more command family (CA, AA): return true if it took
 * the command, with the status in *sw and data appended as for simchip's
 * ext. */
typedef bool (*pacecard_handler)(struct pacecard *pcd,
    const struct icao_apdu *a, uint8_t *data, size_t cap, size_t *dlen,
    uint16_t *sw);

struct pacecard {
	struct simchip *sim;		/* borrowed */
	struct icao_pace_chip *chip;	/* borrowed; NULL: no PACE */
	pacecard_handler extra;		/* CA / AA in their tests */
	void *extra_ctx;
	uint8_t log[PACECARD_LOG][300];
	size_t log_len[PACECARD_LOG];
	size_t nlog;
	int corrupt_ga;			/* > 0: flip a byte of GA response n */
	int ga_count;
};

extern const struct icao_card_ops pacecard_ops;

/* pacecard_init — zero pcd and hook it into sim (sets sim->ext). */
void pacecard_init(struct pacecard *pcd, struct simchip *sim,
    struct icao_pace_chip *chip);

/* Fixed-bytes RNG: hands out b[off..]; fails (-1) when exhausted. */
struct fixed_rng {
	uint8_t b[512];
	size_t len, off;
};
int fixed_rng(void *ctx, unsigned char *out, size_t len);
void fixed_rng_add(struct fixed_rng *r, const uint8_t *b, size_t n);

/* A deterministic ctr_drbg RNG seeded with a label. */
struct test_drbg;
struct test_drbg *test_drbg_new(const char *label);
void test_drbg_free(struct test_drbg **d);
int test_drbg_rng(void *ctx, unsigned char *out, size_t len);

#endif
