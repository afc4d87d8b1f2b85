/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.h — the one error enum of egate.
 *
 * Every function that can fail returns an `eg_err`: EG_OK (0) on success, a
 * negative code otherwise. Device and card status (CCID bError, ISO 7816
 * SW1SW2, TLS alerts) are never folded into this enum: they travel in
 * out-parameters so the caller sees both "what kind of failure" and "what the
 * device said".
 *
 * To add a code, append one line to EG_ERRORS below (keep the numbers dense
 * and never reuse one: they appear in logs and in the audit trail).
 */
#ifndef EGATE_ERROR_H
#define EGATE_ERROR_H

#include <stddef.h>

#define EG_ERRORS(X) \
	X(EG_OK,              0,  "success") \
	X(EG_ERR_NOMEM,      -1,  "out of memory") \
	X(EG_ERR_INVAL,      -2,  "invalid argument") \
	X(EG_ERR_TRUNCATED,  -3,  "input truncated") \
	X(EG_ERR_OVERFLOW,   -4,  "value or buffer too large") \
	X(EG_ERR_FORMAT,     -5,  "malformed input") \
	X(EG_ERR_IO,         -6,  "input/output error") \
	X(EG_ERR_TIMEOUT,    -7,  "timed out") \
	X(EG_ERR_NOT_FOUND,  -8,  "not found") \
	X(EG_ERR_CONFIG,     -9,  "configuration error") \
	X(EG_ERR_CRYPTO,     -10, "cryptographic operation failed") \
	X(EG_ERR_MAC,        -11, "MAC verification failed") \
	X(EG_ERR_AUTH,       -12, "authentication failed") \
	X(EG_ERR_DEVICE,     -13, "device error") \
	X(EG_ERR_NO_DEVICE,  -14, "device not present or unplugged") \
	X(EG_ERR_NO_CARD,    -15, "no card or card mute") \
	X(EG_ERR_PROTOCOL,   -16, "protocol violation by the peer") \
	X(EG_ERR_UNSUPPORTED, -17, "not supported") \
	X(EG_ERR_BUSY,       -18, "resource busy") \
	X(EG_ERR_CANCELLED,  -19, "cancelled") \
	X(EG_ERR_STATE,      -20, "operation not valid in this state") \
	X(EG_ERR_CHECKSUM,   -21, "check digit or checksum mismatch") \
	X(EG_ERR_CARD_STATUS, -22, "card returned an error status word") \
	X(EG_ERR_CERT,       -23, "certificate verification failed") \
	X(EG_ERR_DB,         -24, "database error") \
	X(EG_ERR_CLOSED,     -25, "connection closed by the peer") \
	X(EG_ERR_TLS,        -26, "TLS error") \
	X(EG_ERR_IMAGE,      -27, "image cannot be decoded") \
	X(EG_ERR_MODEL,      -28, "model cannot be loaded or run") \
	X(EG_ERR_NO_FACE,    -29, "no usable face") \
	X(EG_ERR_PERM,       -30, "permission denied")

enum eg_err {
#define EG_ERR_ENUM_(name, value, text) name = (value),
	EG_ERRORS(EG_ERR_ENUM_)
#undef EG_ERR_ENUM_
};

/*
 * eg_strerror — a short human-readable description of an error code.
 * Never returns NULL; an unknown code yields "unknown error". The string is
 * static and must not be freed.
 */
const char *eg_strerror(int err);

/*
 * eg_err_name — the symbolic name of an error code ("EG_ERR_MAC"), for logs
 * and machine-readable output. Never returns NULL; static string.
 */
const char *eg_err_name(int err);

/*
 * eg_errbuf — printf into a caller's one-line reason buffer (the
 * `char *err, size_t errlen` pair many functions take). Does nothing when
 * err is NULL or cap is 0; truncates to cap - 1 bytes. Cannot fail.
 */
void eg_errbuf(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
