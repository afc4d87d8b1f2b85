/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text.h — text people type and text people read: the rule for an officer's
 * reason (checked where it is typed, in `egate officer` and its console, and
 * again in egate-host before it is stored), and escaping of stored text
 * before it reaches a terminal (a kiosk or an earlier officer may have put
 * control characters in it).
 */
#ifndef EGATE_PROTO_TEXT_H
#define EGATE_PROTO_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Longest reason, in bytes of UTF-8: fits the audit record's reason column
 * with room to spare. */
#define PROTO_REASON_MAX 200u

/*
 * proto_reason_check — whether s is an acceptable reason for an officer's
 * action: 1 to PROTO_REASON_MAX bytes of valid UTF-8 (shortest form, no
 * surrogates), not blank (some character other than a space of any kind),
 * no control character (C0 including tab and newline, DEL, C1 U+0080 to
 * U+009F), no line or paragraph separator (U+2028, U+2029) and no
 * bidirectional override or isolate (U+202A to U+202E, U+2066 to U+2069),
 * which would make a stored reason read differently from what it is.
 * Returns EG_OK, or EG_ERR_FORMAT with a phrase for people in why (may be
 * NULL), EG_ERR_INVAL for NULL s.
 */
int proto_reason_check(const char *s, char *why, size_t whylen);

/*
 * proto_text_escape — s with every character a terminal would act on
 * written as an escape: C0 controls, DEL and C1 controls as \xNN or \uNNNN,
 * the bidirectional controls above as \uNNNN, bytes that are not valid
 * UTF-8 as \xNN, and a backslash as "\\". Printable UTF-8 is kept. The
 * result is always NUL-terminated and cut to cap - 1 bytes (never inside an
 * escape or a character). Returns the length the whole result would have
 * (like snprintf). s NULL is "".
 */
size_t proto_text_escape(const char *s, char *out, size_t cap);

/* proto_text_put — write s escaped (as proto_text_escape) to f. */
void proto_text_put(FILE *f, const char *s);

#endif
