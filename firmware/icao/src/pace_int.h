/* SPDX-License-Identifier: Apache-2.0 */
/* pace_int.h — the Integrated Mapping of PACE (pace_im.c), private to
 * firmware/icao. */
#ifndef ICAO_PACE_INT_H
#define ICAO_PACE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>

#include "icao/crypto.h"

/* The longest R(s, t): n·l bits with n·l >= bits(p) + 64, l = 128 or 256,
 * p of at most 521 bits: 5 blocks of 128 or 3 of 256 bits. */
#define PACE_IM_R_MAX	96

/*
 * pace_im_prf — R(s, t) of Doc 9303 Part 11 §4.4.3.3.2: k0 = E(t, s),
 * then for i = 1..n: k_i = E(k_{i-1}, c0), x_i = E(k_{i-1}, c1), each key
 * truncated to the key length of cipher, E the cipher in CBC mode with a
 * zero IV; R = x_1 || ... || x_n with the smallest n such that
 * n·l >= pbits + 64, l = 8·slen (16 or 32 bytes, the constants c0/c1 of
 * that length). t must have the key length of cipher. R goes to r
 * (PACE_IM_R_MAX bytes), its length to *rlen.
 * Errors: EG_ERR_PROTOCOL (s or t of another length), EG_ERR_CRYPTO.
 */
int pace_im_prf(enum icao_cipher cipher, const uint8_t *s, size_t slen,
    const uint8_t *t, size_t tlen, size_t pbits, uint8_t *r, size_t *rlen);

/*
 * pace_im_encode — f_G(u) of Doc 9303 Part 11 Appendix B (B.2, affine
 * coordinates; the simplified SWU encoding of Brier et al.) for a curve
 * with p = 3 mod 4 and cofactor 1: the point g with x = X2 or X3.
 * u is reduced mod p here. Errors: EG_ERR_UNSUPPORTED (p != 3 mod 4),
 * EG_ERR_PROTOCOL (a degenerate input: u = 0 or a zero denominator),
 * EG_ERR_CRYPTO.
 */
int pace_im_encode(const mbedtls_ecp_group *grp, const mbedtls_mpi *u,
    mbedtls_ecp_point *g);

#endif
