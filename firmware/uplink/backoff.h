/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backoff.h — reconnect delays for the uplink: exponential with full jitter
 * ("Exponential Backoff And Jitter", AWS Architecture Blog), capped, so a
 * hundred kiosks coming back after a host restart do not all knock at once.
 */
#ifndef EGATE_BACKOFF_H
#define EGATE_BACKOFF_H

#include <stdint.h>

struct backoff {
	uint32_t base_ms;	/* first delay's upper bound */
	uint32_t cap_ms;	/* no delay above this */
	uint32_t attempt;	/* failures since the last success */
	uint64_t rng;		/* xorshift state; seed it per kiosk */
};

/* backoff_init — base and cap in ms; seed must differ between kiosks
 * (e.g. a hash of the kiosk id and the boot time). Cannot fail. */
void backoff_init(struct backoff *b, uint32_t base_ms, uint32_t cap_ms, uint64_t seed);

/* backoff_next — the delay before the next attempt, in [0, min(cap,
 * base * 2^attempt)]; counts the attempt. */
uint32_t backoff_next(struct backoff *b);

/* backoff_reset — after a successful connection. */
void backoff_reset(struct backoff *b);

#endif
