/* SPDX-License-Identifier: Apache-2.0 */
/*
 * secure.h — wiping secrets and comparing them without timing leaks.
 *
 * Keys, PINs, CANs, MRZ-derived keys, session keys and biometric buffers are
 * wiped with eg_memzero() before their memory is released or reused. The
 * compiler may not elide the wipe.
 */
#ifndef EGATE_SECURE_H
#define EGATE_SECURE_H

#include <stdbool.h>
#include <stddef.h>

/* eg_memzero — overwrite n bytes at p with zeros; never optimised away.
 * p may be NULL when n is 0. */
void eg_memzero(void *p, size_t n);

/* eg_secret_free — wipe n bytes at *p, free(*p) and set *p to NULL.
 * Safe on a NULL pointer or a pointer to NULL. */
void eg_secret_free(void *p, size_t n);

/* eg_ct_equal — true when the n bytes at a and b are equal. Runs in time
 * that depends only on n, for comparing MACs, tokens and hashes. */
bool eg_ct_equal(const void *a, const void *b, size_t n);

#endif
