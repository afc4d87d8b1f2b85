/* SPDX-License-Identifier: Apache-2.0 */
#include "backoff.h"

void
backoff_init(struct backoff *b, uint32_t base_ms, uint32_t cap_ms, uint64_t seed)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->cap_ms = cap_ms >= b->base_ms ? cap_ms : b->base_ms;
	b->attempt = 0;
	b->rng = seed != 0 ? seed : 0x9E3779B97F4A7C15ull;
}

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

uint32_t
backoff_next(struct backoff *b)
{
	uint64_t ceiling = b->base_ms;

	for (uint32_t i = 0; i < b->attempt && ceiling < b->cap_ms; i++)
		ceiling *= 2;
	if (ceiling > b->cap_ms)
		ceiling = b->cap_ms;
	if (b->attempt < 64)
		b->attempt++;
	return (uint32_t)(xorshift(&b->rng) % (ceiling + 1));
}

void
backoff_reset(struct backoff *b)
{
	b->attempt = 0;
}
