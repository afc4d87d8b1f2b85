/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egate/secure.h"

void
eg_memzero(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
	explicit_bzero(p, n);
}

void
eg_secret_free(void *p, size_t n)
{
	void **pp = p;

	if (pp == NULL || *pp == NULL)
		return;
	eg_memzero(*pp, n);
	free(*pp);
	*pp = NULL;
}

bool
eg_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(x[i] ^ y[i]);
	return diff == 0;
}
