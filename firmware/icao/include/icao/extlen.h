/* SPDX-License-Identifier: Apache-2.0 */
/*
 * extlen.h — extended-length APDUs (ISO/IEC 7816-4 §5.1): what a chip says
 * about them and how many bytes one READ BINARY may ask for.
 *
 * A chip announces extended Lc/Le in the card capabilities of its ATR's
 * historical bytes (contactless: the ATS historical bytes, which a PC/SC
 * reader puts into the ATR it reports) and may give its limits in
 * EF.ATR/INFO (FID 2F01 in the MF) as DO'7F66' { INTEGER max command APDU,
 * INTEGER max response APDU } (bytes, SW1SW2 included). The reader has its
 * own limit (for CCID: one XfrBlock/DataBlock, dwMaxCCIDMessageLength - 10).
 * A protected response is larger than its data: icao_read_chunk_fit()
 * finds the largest READ BINARY that stays within a limit under 3DES or
 * AES secure messaging. Constants: iso7816.h. Every parser here takes
 * untrusted bytes through eg_rbuf and is fuzzed (tests/fuzz, target
 * extlen).
 */
#ifndef ICAO_EXTLEN_H
#define ICAO_EXTLEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the ATR's historical bytes say. */
struct icao_atr_caps {
	bool compact;		/* historical bytes in COMPACT-TLV (category 00/80) */
	bool ext_length;	/* card capabilities: extended Lc and Le fields */
	bool ext_info;		/* extended length information in EF.ATR/INFO
				 * (card capabilities b6, or card service data
				 * "DOs in EF.ATR/INFO") */
};

/*
 * icao_atr_caps_parse — walk an ATR (ISO 7816-3 §8.2: TS, T0, the interface
 * bytes TA/TB/TC/TDi, K historical bytes, TCK when a protocol other than
 * T=0 is indicated) and read the card capabilities from its historical
 * bytes. Historical bytes in another format (proprietary category) give
 * EG_OK with everything false. Errors: EG_ERR_TRUNCATED (shorter than T0 and
 * the bytes it announces), EG_ERR_FORMAT (TS not 3B/3F, bytes left over, a
 * COMPACT-TLV object running past the end).
 */
int icao_atr_caps_parse(const uint8_t *atr, size_t len, struct icao_atr_caps *out);

/*
 * icao_atr_info_parse — EF.ATR/INFO contents (a sequence of BER-TLV data
 * objects): the two INTEGERs of DO'7F66' into *max_capdu and *max_rapdu
 * (bytes). Errors: EG_ERR_NOT_FOUND (no DO'7F66'), EG_ERR_FORMAT (not two
 * positive INTEGERs of 1..3 bytes each, or a value under 5 / over 65544,
 * malformed TLV), EG_ERR_TRUNCATED.
 */
int icao_atr_info_parse(const uint8_t *p, size_t len, size_t *max_capdu,
    size_t *max_rapdu);

/*
 * icao_sm_rapdu_len — the size of the response APDU (SW1SW2 included) that
 * carries n data bytes: plain (block 0) n + 2; under secure messaging with
 * a block cipher of `block` bytes (8: 3DES, 16: AES) DO'87' (padding
 * indicator, n padded), DO'99', DO'8E' and SW1SW2.
 */
size_t icao_sm_rapdu_len(size_t n, size_t block);

/* Bytes a B1 READ BINARY's DO'53' header may add (tag + 3 length bytes). */
#define ICAO_READ_B1_HDR_MAX	4u

/*
 * icao_read_chunk_fit — the largest READ BINARY data length n such that its
 * response (B0, or B1 with the DO'53' header) fits max_rapdu bytes, plain
 * (block 0) or protected (block 8 or 16); at most ICAO_EXT_LE_MAX - 8.
 * 0 when even one byte does not fit (or block is not 0, 8 or 16).
 */
size_t icao_read_chunk_fit(size_t max_rapdu, size_t block);

#endif
