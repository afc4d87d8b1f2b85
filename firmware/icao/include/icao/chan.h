/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chan.h — a channel to a chip: the transport ops table, optionally with a
 * secure-messaging session plugged in, and the ISO 7816-4 / Doc 9303
 * commands on top of it (SELECT, READ BINARY, reading a whole file, GET
 * CHALLENGE, EXTERNAL/MUTUAL/INTERNAL AUTHENTICATE) plus the MSE:Set AT and
 * GENERAL AUTHENTICATE builders for PACE and Chip Authentication.
 *
 * The same command code runs plain or protected: with an SM session set,
 * every command is wrapped before it reaches ops->transmit and every
 * response unwrapped before the caller sees it. A session that is not READY
 * (failed after a bad MAC, or closed) makes every command fail with
 * EG_ERR_STATE: nothing is ever sent in the clear in its place.
 *
 * Status words: every command function stores the card's SW1SW2 (the
 * authenticated DO'99' value under SM) in *sw when it got one, and returns
 * EG_ERR_CARD_STATUS when it is not 9000. Transport errors come back as
 * returned by ops->transmit, with *sw = 0.
 */
#ifndef ICAO_CHAN_H
#define ICAO_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/buf.h"
#include "icao/apdu.h"
#include "icao/sm.h"
#include "icao/trace.h"

struct icao_chan;

/* icao_chan_new — a plain channel over ops/ctx (both borrowed; they must
 * outlive the channel). Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int icao_chan_new(const struct icao_card_ops *ops, void *ctx,
    struct icao_chan **out);
/* icao_chan_free — free the channel (not the SM session), *ch = NULL. */
void icao_chan_free(struct icao_chan **ch);

/* icao_chan_set_sm — protect all further commands with sm (borrowed; NULL
 * goes back to plain). */
void icao_chan_set_sm(struct icao_chan *ch, struct icao_sm *sm);
struct icao_sm *icao_chan_sm(const struct icao_chan *ch);

/* icao_chan_set_trace — report every command and its response to fn
 * (trace.h: the plain command, wire lengths, status, plain response data;
 * the sink decides what to write). NULL: no trace. ctx borrowed. */
void icao_chan_set_trace(struct icao_chan *ch, icao_trace_fn fn, void *ctx);

/*
 * icao_chan_transceive — send cmd (wrapped if SM is set) and append the
 * response data (unwrapped) to resp (NULL: discard). 61xx is followed by
 * GET RESPONSE until the whole response is in. Returns EG_OK for 9000,
 * EG_ERR_CARD_STATUS for any other status (the data, e.g. of a 6282, is
 * still appended), EG_ERR_STATE if the SM session is not usable, a
 * transport error (the SM session is then aborted, since its counters are
 * out of step), or an unwrap error (the session is then FAILED).
 */
int icao_chan_transceive(struct icao_chan *ch, const struct icao_apdu *cmd,
    struct eg_wbuf *resp, uint16_t *sw);

/* SELECT: by DF name (AID, 1..16 bytes), P2 = 0C; by file identifier
 * (P1 = 02, P2 = 0C, as Doc 9303 Part 10 uses it). No response data.
 * Errors: EG_ERR_INVAL (AID), EG_ERR_CARD_STATUS (e.g. 6A82 in *sw), and
 * those of icao_chan_transceive(). */
int icao_select_aid(struct icao_chan *ch, const uint8_t *aid, size_t len,
    uint16_t *sw);
int icao_select_fid(struct icao_chan *ch, uint16_t fid, uint16_t *sw);

/*
 * icao_read_binary — read n (1..65536) bytes at offset of the current EF
 * and append them to out. Offsets up to 32767 use READ BINARY (B0) with the
 * offset in P1P2; larger ones the odd INS B1 with DO'54' and the data in
 * DO'53'. A response longer than n is rejected (EG_ERR_PROTOCOL, nothing
 * appended). With 6282 the bytes the chip sent are appended and
 * EG_ERR_CARD_STATUS returned. Errors: EG_ERR_INVAL (n, offset > 2^24-1).
 */
int icao_read_binary(struct icao_chan *ch, size_t offset, size_t n,
    struct eg_wbuf *out, uint16_t *sw);
/* icao_read_binary_sfi — READ BINARY with a short EF identifier (1..31),
 * P1 = 80|SFI, offset 0..255 in P2; also selects that EF. */
int icao_read_binary_sfi(struct icao_chan *ch, uint8_t sfi, uint8_t offset,
    size_t n, struct eg_wbuf *out, uint16_t *sw);

/* Options for icao_read_file(); zero-initialised means the defaults. */
struct icao_read_opts {
	size_t max_chunk;	/* bytes per READ BINARY; 0: 223 (fits one
				 * short SM response with 3DES and AES) */
	size_t max_file;	/* refuse larger files; 0: ICAO_FILE_MAX */
	uint8_t sfi;		/* 1..31: first read by SFI; 0: current EF */
	uint16_t fid;		/* the file's identifier: with sfi, SELECTed
				 * when the chip refuses the read by SFI
				 * (any status but 6982 and the length
				 * statuses); without sfi, SELECTed first;
				 * 0: none */
	bool no_odd_ins;	/* never use B1 (offsets > 32767 then fail) */
	bool extended;		/* send every READ BINARY in the extended
				 * form (2-byte Le), for a max_chunk chosen
				 * with icao_read_chunk_fit() (extlen.h): a
				 * protected response may then exceed 256
				 * bytes even when Le does not */
};

#define ICAO_READ_CHUNK_DEFAULT	223u
#define ICAO_FILE_MAX		(4u * 1024u * 1024u)
#define ICAO_READ_HDR_STEP	4u	/* header is read 4 bytes at a time */

/* What icao_read_file() did (optional out-parameter). */
struct icao_read_stats {
	unsigned commands;	/* READ BINARY commands sent */
	size_t final_chunk;	/* chunk size after adaptation */
	bool extended;		/* still reading in the extended form at the end */
	bool by_fid;		/* the file was SELECTed by its identifier */
	uint16_t sfi_sw;	/* status of the refused read by SFI, 0: none */
	bool empty;		/* the file has no byte (EG_ERR_TRUNCATED) */
};

/*
 * icao_read_file — read a whole BER-TLV-structured EF (EF.COM, DGs, SOD,
 * CardAccess). The header is read first (4 bytes, more if the tag or
 * length needs them) to learn the total length, then the rest in chunks of
 * at most max_chunk bytes. The chunk adapts: 6Cxx sets it to xx; 6700
 * halves it — and to an extended read (opts->extended) it means the chip or
 * the path cannot take that length, so reading falls back to the short form
 * with at most ICAO_READ_CHUNK_DEFAULT bytes; 6282 keeps the bytes the chip
 * gave and sets it to their count (halves it if there were none). The whole
 * file (exactly header + length bytes) is appended to out.
 * With opts->sfi and opts->fid, a first read by SFI that the chip refuses
 * (a chip without short identifiers) is followed by SELECT fid and reads
 * by offset (stats->by_fid, stats->sfi_sw); a SELECT that fails ends the
 * read with its status (6A82: the file is absent).
 * Errors: EG_ERR_FORMAT (not a TLV), EG_ERR_OVERFLOW (over max_file),
 * EG_ERR_TRUNCATED (the chip reports end of file before the TLV ends; with
 * stats->empty: no byte at all — 9000 without data, 6B00 or 6282 at
 * offset 0),
 * EG_ERR_UNSUPPORTED (offset > 32767 with no_odd_ins), EG_ERR_PROTOCOL (no
 * progress after repeated retries), EG_ERR_CARD_STATUS (any other status,
 * in *sw), plus transport and SM errors.
 */
int icao_read_file(struct icao_chan *ch, const struct icao_read_opts *opts,
    struct eg_wbuf *out, uint16_t *sw, struct icao_read_stats *stats);

/* icao_get_challenge — GET CHALLENGE for n (1..256) bytes into out. A
 * response of another length is EG_ERR_PROTOCOL. */
int icao_get_challenge(struct icao_chan *ch, uint8_t *out, size_t n,
    uint16_t *sw);

/* icao_external_authenticate — EXTERNAL AUTHENTICATE (00 82 00 00) with
 * len bytes of data; with le > 0 this is BAC's MUTUAL AUTHENTICATE and the
 * response is appended to resp. */
int icao_external_authenticate(struct icao_chan *ch, const uint8_t *data,
    size_t len, uint32_t le, struct eg_wbuf *resp, uint16_t *sw);

/* icao_internal_authenticate — INTERNAL AUTHENTICATE (00 88 00 00) with a
 * challenge (8 bytes for Active Authentication), Le 256; the signature is
 * appended to resp. */
int icao_internal_authenticate(struct icao_chan *ch, const uint8_t *chal,
    size_t len, struct eg_wbuf *resp, uint16_t *sw);

/*
 * icao_mse_set_at_build — build MSE:Set AT (00 22 p1p2) for PACE (p1p2 =
 * ICAO_MSE_SET_AT_PACE) or CA (ICAO_MSE_SET_AT_CA): DO'80' with the OID
 * content bytes, DO'83' with key_ref (if >= 0), DO'84' with priv_ref (if
 * >= 0). The data is written into data (caller-owned; cmd->data points into
 * it, so keep it alive until sent). Errors: EG_ERR_INVAL, buffer errors.
 */
int icao_mse_set_at_build(uint16_t p1p2, const uint8_t *oid, size_t oidlen,
    int key_ref, int priv_ref, struct eg_wbuf *data, struct icao_apdu *cmd);

/*
 * icao_ga_build — build GENERAL AUTHENTICATE (x0 86 00 00, Le 256) with
 * the dynamic authentication data '7C' { tag (0x80..0x85) value }; an empty
 * value (n = 0, the first PACE step) gives '7C 00'. last = false sets the
 * chaining bit in CLA. data and cmd as for icao_mse_set_at_build().
 */
int icao_ga_build(bool last, uint32_t tag, const uint8_t *value, size_t n,
    struct eg_wbuf *data, struct icao_apdu *cmd);

/*
 * icao_ga_parse — in a GENERAL AUTHENTICATE response (untrusted), find the
 * object tag inside '7C' and return its value (borrowed from resp).
 * Errors: EG_ERR_FORMAT/EG_ERR_TRUNCATED, EG_ERR_NOT_FOUND.
 */
int icao_ga_parse(const uint8_t *resp, size_t len, uint32_t tag,
    struct eg_rbuf *value);

/*
 * icao_tlv_header — from the first len bytes of a TLV, its header length
 * and total (header + value) length, as needed to read a file of unknown
 * size. Errors: EG_ERR_TRUNCATED (need more bytes), EG_ERR_FORMAT (tag
 * over 4 bytes, 00/FF as a first tag byte, indefinite or > 4 length bytes),
 * EG_ERR_OVERFLOW (total does not fit in size_t).
 */
int icao_tlv_header(const uint8_t *p, size_t len, size_t *hdr_len,
    size_t *total);

#endif
