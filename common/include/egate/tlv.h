/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlv.h — BER-TLV as used by ISO/IEC 7816-4 and ICAO Doc 9303 (LDS, secure
 * messaging, EF.CardAccess, biometric templates).
 *
 * Tags are 1–4 bytes and kept as the big-endian number of their bytes
 * (0x5F1F, 0x7F61). Lengths are definite only: short form, or 0x81–0x84
 * followed by 1–4 length bytes. The indefinite form (0x80) never occurs in
 * the LDS and is rejected. Every length is checked against what is left of
 * the input before anything is handed out.
 */
#ifndef EGATE_TLV_H
#define EGATE_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/buf.h"

struct eg_tlv {
	uint32_t tag;		/* tag bytes as a big-endian number */
	bool constructed;	/* bit 6 of the first tag byte */
	struct eg_rbuf value;	/* the value bytes (borrowed) */
	const uint8_t *raw;	/* start of the tag: raw..value.end is the whole TLV */
	size_t raw_len;		/* length of tag + length + value */
};

/* The largest value length we accept; LDS files are far below 16 MiB. */
#define EG_TLV_MAX_LEN (16u * 1024u * 1024u)

/*
 * eg_tlv_read — parse one TLV at the cursor and advance past it.
 * Errors (cursor unmoved): EG_ERR_TRUNCATED if the input ends early,
 * EG_ERR_FORMAT for a tag longer than 4 bytes, the indefinite length form or
 * a non-minimal long form length (0x81 with a value < 0x80 is accepted, as
 * real chips emit it), EG_ERR_OVERFLOW for a length over EG_TLV_MAX_LEN.
 */
int eg_tlv_read(struct eg_rbuf *b, struct eg_tlv *out);

/*
 * eg_tlv_find — scan the TLVs in b (without descending) for the first with
 * tag and return it in *out. The cursor b is not moved.
 * Errors: EG_ERR_NOT_FOUND, or a parse error from eg_tlv_read.
 */
int eg_tlv_find(const struct eg_rbuf *b, uint32_t tag, struct eg_tlv *out);

/*
 * eg_tlv_expect — read one TLV and fail with EG_ERR_FORMAT if its tag is not
 * tag. The cursor moves only on success.
 */
int eg_tlv_expect(struct eg_rbuf *b, uint32_t tag, struct eg_tlv *out);

/* eg_tlv_put_tag / eg_tlv_put_len — encode a tag (1–4 bytes, as above) or a
 * definite length (minimal form) into w. */
int eg_tlv_put_tag(struct eg_wbuf *w, uint32_t tag);
int eg_tlv_put_len(struct eg_wbuf *w, size_t len);

/* eg_tlv_put — encode a whole primitive TLV. */
int eg_tlv_put(struct eg_wbuf *w, uint32_t tag, const void *value, size_t len);

/* eg_tlv_len_size — how many bytes eg_tlv_put_len() writes for len. */
size_t eg_tlv_len_size(size_t len);

#endif
