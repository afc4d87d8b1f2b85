/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chan.c — transport + optional secure messaging, and the ISO 7816-4 /
 * Doc 9303 commands built on it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate/tlv.h"
#include "icao/chan.h"
#include "icao/iso7816.h"
#include "icao/trace.h"
#include "util.h"

/* Room for a whole protected response: 65536 plain bytes grow by padding,
 * the DO'87' header, DO'99' and DO'8E'. */
#define CHAN_RESP_MAX		(ICAO_RAPDU_MAX + 64u)
/* GET RESPONSE rounds before we call the card broken. */
#define CHAN_GET_RESPONSE_MAX	300
/* READ BINARY retries without progress before icao_read_file gives up. */
#define READ_STALL_MAX		24

struct icao_chan {
	const struct icao_card_ops *ops;
	void *ctx;
	struct icao_sm *sm;	/* borrowed; NULL = plain */
	uint8_t *rx;		/* one response APDU, CHAN_RESP_MAX bytes */
	icao_trace_fn trace;	/* NULL: no trace */
	void *trace_ctx;
	unsigned gr_rounds;	/* GET RESPONSE rounds of the last exchange */
};

int
icao_chan_new(const struct icao_card_ops *ops, void *ctx,
    struct icao_chan **out)
{
	struct icao_chan *ch;

	if (ops == NULL || ops->transmit == NULL || out == NULL)
		return EG_ERR_INVAL;
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return EG_ERR_NOMEM;
	if ((ch->rx = malloc(CHAN_RESP_MAX)) == NULL) {
		free(ch);
		return EG_ERR_NOMEM;
	}
	ch->ops = ops;
	ch->ctx = ctx;
	*out = ch;
	return EG_OK;
}

void
icao_chan_free(struct icao_chan **ch)
{
	if (ch == NULL || *ch == NULL)
		return;
	/* rx held protected and plain card data */
	eg_secret_free(&(*ch)->rx, CHAN_RESP_MAX);
	free(*ch);
	*ch = NULL;
}

void
icao_chan_set_sm(struct icao_chan *ch, struct icao_sm *sm)
{
	ch->sm = sm;
}

struct icao_sm *
icao_chan_sm(const struct icao_chan *ch)
{
	return ch->sm;
}

void
icao_chan_set_trace(struct icao_chan *ch, icao_trace_fn fn, void *ctx)
{
	ch->trace = fn;
	ch->trace_ctx = ctx;
}

static double
chan_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* One transmit through the ops table, with a sanity check on the driver. */
static int
chan_transmit(struct icao_chan *ch, const uint8_t *c, size_t clen,
    size_t *rlen)
{
	int r;

	*rlen = 0;
	r = ch->ops->transmit(ch->ctx, c, clen, ch->rx, CHAN_RESP_MAX, rlen);
	if (r == EG_OK && (*rlen > CHAN_RESP_MAX || *rlen < 2))
		r = *rlen < 2 ? EG_ERR_TRUNCATED : EG_ERR_PROTOCOL;
	return r;
}

/*
 * Send raw command bytes; collect the full raw response (following 61xx
 * with GET RESPONSE) into raw.
 */
static int
chan_exchange(struct icao_chan *ch, const uint8_t *c, size_t clen,
    struct eg_wbuf *raw)
{
	uint8_t gr[5] = { ICAO_CLA_PLAIN, ICAO_INS_GET_RESPONSE, 0, 0, 0 };
	size_t rlen;
	int rounds = 0;
	int r;

	ch->gr_rounds = 0;
	if ((r = chan_transmit(ch, c, clen, &rlen)) != EG_OK)
		return r;
	while (ch->rx[rlen - 2] == ICAO_SW1_MORE_DATA) {
		if (++rounds > CHAN_GET_RESPONSE_MAX)
			return EG_ERR_PROTOCOL;
		ch->gr_rounds = (unsigned)rounds;
		if ((r = icao_put(raw, ch->rx, rlen - 2)) != EG_OK)
			return r;
		gr[4] = ch->rx[rlen - 1];	/* 00 = 256 */
		if ((r = chan_transmit(ch, gr, sizeof(gr), &rlen)) != EG_OK)
			return r;
	}
	return icao_put(raw, ch->rx, rlen);
}

int
icao_chan_transceive(struct icao_chan *ch, const struct icao_apdu *cmd,
    struct eg_wbuf *resp, uint16_t *sw)
{
	struct eg_wbuf c, raw, sink;
	struct eg_rbuf data;
	struct timespec t0 = { 0, 0 }, t1;
	size_t start = 0;
	uint16_t s = 0;
	int r = EG_ERR_INVAL;

	eg_wbuf_init(&c, ICAO_CAPDU_MAX, false);
	eg_wbuf_init(&raw, CHAN_RESP_MAX, true);
	eg_wbuf_init(&sink, CHAN_RESP_MAX, true);
	if (sw != NULL)
		*sw = 0;
	if (ch == NULL || cmd == NULL || sw == NULL)
		goto out;
	if (resp == NULL)
		resp = &sink;
	start = resp->len;
	ch->gr_rounds = 0;
	if (ch->trace != NULL)
		clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ch->sm != NULL) {
		/* never fall back to plain under a dead session */
		if ((r = icao_sm_wrap(ch->sm, cmd, &c)) != EG_OK)
			goto out;
		if ((r = chan_exchange(ch, c.data, c.len, &raw)) != EG_OK) {
			icao_sm_abort(ch->sm);
			goto out;
		}
		r = icao_sm_unwrap(ch->sm, raw.data, raw.len, resp, &s);
		*sw = s;
		if (r != EG_OK)
			goto out;
	} else {
		if ((r = icao_apdu_encode(cmd, &c)) != EG_OK ||
		    (r = chan_exchange(ch, c.data, c.len, &raw)) != EG_OK ||
		    (r = icao_rapdu_parse(raw.data, raw.len, &data, &s)) != EG_OK)
			goto out;
		*sw = s;
		if ((r = icao_put(resp, data.p, eg_rbuf_left(&data))) != EG_OK)
			goto out;
	}
	r = icao_sw_ok(s) ? EG_OK : EG_ERR_CARD_STATUS;
out:
	if (ch != NULL && cmd != NULL && ch->trace != NULL && r != EG_ERR_INVAL) {
		/* the plain command and response, never the wire payload
		 * (trace.h says what a sink may write) */
		struct icao_trace_ev ev = {
			.kind = ICAO_TRACE_APDU, .cmd = cmd,
			.protected = ch->sm != NULL, .wire_clen = c.len,
			.wire_rlen = raw.len, .get_responses = ch->gr_rounds,
			.sw = s, .err = r,
		};

		if (resp != NULL && resp->len > start) {
			ev.data = resp->data + start;
			ev.dlen = resp->len - start;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ev.ms = chan_ms(&t0, &t1);
		ch->trace(ch->trace_ctx, &ev);
	}
	eg_wbuf_free(&c);
	eg_wbuf_free(&raw);
	eg_wbuf_free(&sink);
	return r;
}

int
icao_select_aid(struct icao_chan *ch, const uint8_t *aid, size_t len,
    uint16_t *sw)
{
	struct icao_apdu a = {
		.cla = ICAO_CLA_PLAIN, .ins = ICAO_INS_SELECT,
		.p1 = ICAO_SELECT_P1_DF_NAME, .p2 = ICAO_SELECT_P2_NO_FCI,
		.data = aid, .lc = len,
	};

	if (aid == NULL || len == 0 || len > 16) {
		if (sw != NULL)
			*sw = 0;
		return EG_ERR_INVAL;
	}
	return icao_chan_transceive(ch, &a, NULL, sw);
}

int
icao_select_fid(struct icao_chan *ch, uint16_t fid, uint16_t *sw)
{
	uint8_t f[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };
	struct icao_apdu a = {
		.cla = ICAO_CLA_PLAIN, .ins = ICAO_INS_SELECT,
		.p1 = ICAO_SELECT_P1_EF, .p2 = ICAO_SELECT_P2_NO_FCI,
		.data = f, .lc = sizeof(f),
	};

	return icao_chan_transceive(ch, &a, NULL, sw);
}

/* Append what a READ BINARY returned, rejecting more than asked for. */
static int
read_common(struct icao_chan *ch, const struct icao_apdu *a, size_t n,
    bool odd, struct eg_wbuf *out, uint16_t *sw)
{
	struct eg_wbuf tmp;
	struct eg_rbuf b;
	struct eg_tlv t;
	int r, r2;

	eg_wbuf_init(&tmp, CHAN_RESP_MAX, true);
	r = icao_chan_transceive(ch, a, &tmp, sw);
	if (r != EG_OK && r != EG_ERR_CARD_STATUS)
		goto out;
	b = icao_rbuf(tmp.data, tmp.len);
	if (odd && tmp.len > 0) {
		/* B1: the data comes as DO'53' and nothing else */
		if ((r2 = eg_tlv_expect(&b, ICAO_DO_DISCRETIONARY, &t)) != EG_OK ||
		    eg_rbuf_left(&b) != 0) {
			r = r2 != EG_OK ? r2 : EG_ERR_FORMAT;
			goto out;
		}
		b = t.value;
	}
	if (eg_rbuf_left(&b) > n) {
		r = EG_ERR_PROTOCOL;
		goto out;
	}
	if ((r2 = icao_put(out, b.p, eg_rbuf_left(&b))) != EG_OK)
		r = r2;
out:
	eg_wbuf_free(&tmp);
	return r;
}

/* READ BINARY at offset, B0 or B1; ext: the extended form whatever Le. */
static int
read_binary(struct icao_chan *ch, size_t offset, size_t n, bool ext,
    struct eg_wbuf *out, uint16_t *sw)
{
	struct icao_apdu a = { .cla = ICAO_CLA_PLAIN, .force_extended = ext };
	uint8_t d[5];

	if (sw != NULL)
		*sw = 0;
	if (n == 0 || n > ICAO_EXT_LE_MAX || offset > 0xFFFFFF || out == NULL)
		return EG_ERR_INVAL;
	if (offset <= ICAO_READ_OFFSET_MAX_B0) {
		a.ins = ICAO_INS_READ_BINARY;
		a.p1 = (uint8_t)(offset >> 8);
		a.p2 = (uint8_t)offset;
		a.le = (uint32_t)n;
		return read_common(ch, &a, n, false, out, sw);
	}
	/* odd INS: P1P2 = 0000 (current EF), offset in DO'54' */
	a.ins = ICAO_INS_READ_BINARY_ODD;
	d[0] = ICAO_DO_OFFSET;
	if (offset <= 0xFFFF) {
		d[1] = 2;
		d[2] = (uint8_t)(offset >> 8);
		d[3] = (uint8_t)offset;
		a.lc = 4;
	} else {
		d[1] = 3;
		d[2] = (uint8_t)(offset >> 16);
		d[3] = (uint8_t)(offset >> 8);
		d[4] = (uint8_t)offset;
		a.lc = 5;
	}
	a.data = d;
	/* Le counts the DO'53' header too */
	a.le = (uint32_t)(n + 1 + eg_tlv_len_size(n));
	if (a.le > ICAO_EXT_LE_MAX)
		return EG_ERR_INVAL;
	return read_common(ch, &a, n, true, out, sw);
}

int
icao_read_binary(struct icao_chan *ch, size_t offset, size_t n,
    struct eg_wbuf *out, uint16_t *sw)
{
	return read_binary(ch, offset, n, false, out, sw);
}

static int
read_binary_sfi(struct icao_chan *ch, uint8_t sfi, uint8_t offset, size_t n,
    bool ext, struct eg_wbuf *out, uint16_t *sw)
{
	struct icao_apdu a = {
		.cla = ICAO_CLA_PLAIN, .ins = ICAO_INS_READ_BINARY,
		.p1 = (uint8_t)(ICAO_READ_P1_SFI | sfi), .p2 = offset,
		.le = (uint32_t)n, .force_extended = ext,
	};

	if (sw != NULL)
		*sw = 0;
	if (sfi == 0 || sfi > ICAO_SFI_MAX || n == 0 || n > ICAO_EXT_LE_MAX ||
	    out == NULL)
		return EG_ERR_INVAL;
	return read_common(ch, &a, n, false, out, sw);
}

int
icao_read_binary_sfi(struct icao_chan *ch, uint8_t sfi, uint8_t offset,
    size_t n, struct eg_wbuf *out, uint16_t *sw)
{
	return read_binary_sfi(ch, sfi, offset, n, false, out, sw);
}

int
icao_tlv_header(const uint8_t *p, size_t len, size_t *hdr_len, size_t *total)
{
	struct eg_rbuf b = icao_rbuf(p, len);
	uint8_t c, nlen;
	size_t v = 0;
	int r;

	if ((r = eg_rbuf_u8(&b, &c)) != EG_OK)
		return r;
	if (c == 0x00 || c == 0xFF)
		return EG_ERR_FORMAT;
	if ((c & 0x1F) == 0x1F) {
		for (int i = 1;; i++) {
			if (i == 4)
				return EG_ERR_FORMAT;
			if ((r = eg_rbuf_u8(&b, &c)) != EG_OK)
				return r;
			if ((c & 0x80) == 0)
				break;
		}
	}
	if ((r = eg_rbuf_u8(&b, &c)) != EG_OK)
		return r;
	if (c < 0x80) {
		v = c;
	} else {
		nlen = c & 0x7F;
		if (nlen == 0 || nlen > 4)
			return EG_ERR_FORMAT;
		for (uint8_t i = 0; i < nlen; i++) {
			if ((r = eg_rbuf_u8(&b, &c)) != EG_OK)
				return r;
			v = (v << 8) | c;
		}
	}
	*hdr_len = (size_t)(b.p - p);
	if (v > SIZE_MAX - *hdr_len)
		return EG_ERR_OVERFLOW;
	*total = *hdr_len + v;
	return EG_OK;
}

/* A status to a READ BINARY by SFI that may mean "no such short
 * identifier" (then SELECT by file identifier is worth a try): anything but
 * access denied and the length statuses icao_read_file adapts to. */
static bool
sfi_refusal(uint16_t s)
{
	return s != ICAO_SW_SECURITY_STATUS && s != ICAO_SW_EOF_BEFORE_LE &&
	    s != ICAO_SW_WRONG_LENGTH && (s >> 8) != ICAO_SW1_WRONG_LE &&
	    (s >> 8) != ICAO_SW1_MORE_DATA;
}

/* Drop what a failed READ BINARY appended (wiping it). */
static void
trim(struct eg_wbuf *w, size_t len)
{
	if (w->len > len) {
		eg_memzero(w->data + len, w->len - len);
		w->len = len;
	}
}

int
icao_read_file(struct icao_chan *ch, const struct icao_read_opts *opts,
    struct eg_wbuf *out, uint16_t *sw, struct icao_read_stats *stats)
{
	struct icao_read_opts o = { 0 };
	size_t start = 0, off = 0, total = 0, hdr, chunk = 0, n, before, got;
	bool known = false, first = true, by_fid = false, empty = false;
	unsigned stall = 0, cmds = 0;
	uint16_t s = 0, sfi_sw = 0;
	int r = EG_ERR_INVAL;

	if (sw != NULL)
		*sw = 0;
	if (ch == NULL || out == NULL || sw == NULL)
		goto out;
	if (opts != NULL)
		o = *opts;
	if (o.max_chunk == 0)
		o.max_chunk = ICAO_READ_CHUNK_DEFAULT;
	if (o.max_file == 0)
		o.max_file = ICAO_FILE_MAX;
	if (o.max_chunk > ICAO_EXT_LE_MAX - 8 || o.sfi > ICAO_SFI_MAX)
		goto out;
	chunk = o.max_chunk;
	start = out->len;
	if (o.sfi == 0 && o.fid != 0) {
		/* no short identifier to use: SELECT, then read by offset */
		r = icao_select_fid(ch, o.fid, &s);
		*sw = s;
		if (r != EG_OK)
			goto out;
		by_fid = true;
	}

	while (!known || off < total) {
		if (known)
			n = total - off < chunk ? total - off : chunk;
		else
			n = chunk < ICAO_READ_HDR_STEP ? chunk : ICAO_READ_HDR_STEP;
		if (off > ICAO_READ_OFFSET_MAX_B0 && o.no_odd_ins) {
			r = EG_ERR_UNSUPPORTED;
			goto out;
		}
		before = out->len;
		cmds++;
		if (first && o.sfi != 0 && !by_fid)
			r = read_binary_sfi(ch, o.sfi, (uint8_t)off, n, o.extended,
			    out, &s);
		else
			r = read_binary(ch, off, n, o.extended, out, &s);
		*sw = s;
		got = out->len - before;
		if (r == EG_ERR_CARD_STATUS && first && o.sfi != 0 && !by_fid &&
		    o.fid != 0 && got == 0 && sfi_refusal(s) &&
		    (ch->sm == NULL || icao_sm_state(ch->sm) == ICAO_SM_READY)) {
			/* the chip does not take the short identifier (or has
			 * no file under it): SELECT by file identifier, which
			 * tells an absent file (6A82) from one without SFI */
			sfi_sw = s;
			r = icao_select_fid(ch, o.fid, &s);
			*sw = s;
			if (r != EG_OK)
				goto out;
			by_fid = true;
			continue;
		}
		if (off == 0 && got == 0 && !known &&
		    (r == EG_OK || (r == EG_ERR_CARD_STATUS &&
		    ((s == ICAO_SW_WRONG_P1P2 && (o.sfi == 0 || by_fid)) ||
		    (s == ICAO_SW_EOF_BEFORE_LE && n == 1)))) &&
		    (ch->sm == NULL || icao_sm_state(ch->sm) == ICAO_SM_READY)) {
			/* nothing at offset 0: 9000 without data, an offset
			 * beyond the end (6B00), or end of file at the first
			 * byte: the file is empty */
			empty = true;
			r = EG_ERR_TRUNCATED;
			goto out;
		}
		if (r == EG_OK && got > 0) {
			off += got;
			first = false;
			stall = 0;
		} else if (r == EG_OK || r == EG_ERR_CARD_STATUS) {
			if (ch->sm != NULL && icao_sm_state(ch->sm) != ICAO_SM_READY)
				goto out;	/* the chip left SM: no retry */
			if (r == EG_OK) {
				/* 9000 with no data: no progress */
			} else if (s == ICAO_SW_EOF_BEFORE_LE && got > 0) {
				/* the chip gave what it had: keep it and
				 * ask for no more than that next time */
				off += got;
				first = false;
				chunk = got;
				stall = 0;
				goto header;
			} else if (s == ICAO_SW_EOF_BEFORE_LE) {
				if (n == 1) {
					r = EG_ERR_TRUNCATED;
					goto out;
				}
				chunk = n / 2;
			} else if (s == ICAO_SW_WRONG_LENGTH && o.extended) {
				/* the chip (or the path to it) does not take
				 * this length: back to short reads */
				trim(out, before);
				o.extended = false;
				chunk = n / 2 < ICAO_READ_CHUNK_DEFAULT ? n / 2 :
				    ICAO_READ_CHUNK_DEFAULT;
				if (chunk == 0)
					goto out;	/* CARD_STATUS, sw set */
			} else if (s == ICAO_SW_WRONG_LENGTH) {
				trim(out, before);
				if (n == 1)
					goto out;	/* CARD_STATUS, sw set */
				chunk = n / 2;
			} else if ((s >> 8) == ICAO_SW1_WRONG_LE) {
				trim(out, before);
				chunk = (s & 0xFF) == 0 ? 256 : (s & 0xFF);
			} else {
				goto out;		/* CARD_STATUS, sw set */
			}
			if (++stall > READ_STALL_MAX) {
				r = EG_ERR_PROTOCOL;
				goto out;
			}
			continue;
		} else {
			goto out;
		}
header:
		if (!known) {
			r = icao_tlv_header(out->data + start, off, &hdr, &total);
			if (r == EG_ERR_TRUNCATED)
				continue;
			if (r != EG_OK)
				goto out;
			if (total > o.max_file) {
				r = EG_ERR_OVERFLOW;
				goto out;
			}
			known = true;
			if (off > total) {
				/* the header reads went past a tiny file */
				trim(out, start + total);
				off = total;
			}
		}
	}
	*sw = ICAO_SW_OK;
	r = EG_OK;
out:
	if (r != EG_OK && out != NULL && r != EG_ERR_INVAL)
		trim(out, start);
	if (stats != NULL) {
		stats->commands = cmds;
		stats->final_chunk = chunk;
		stats->extended = o.extended;
		stats->by_fid = by_fid;
		stats->sfi_sw = sfi_sw;
		stats->empty = empty;
	}
	return r;
}

int
icao_get_challenge(struct icao_chan *ch, uint8_t *out, size_t n, uint16_t *sw)
{
	struct icao_apdu a = {
		.cla = ICAO_CLA_PLAIN, .ins = ICAO_INS_GET_CHALLENGE,
		.le = (uint32_t)n,
	};
	struct eg_wbuf w;
	int r = EG_ERR_INVAL;

	eg_wbuf_init(&w, CHAN_RESP_MAX, true);
	if (sw != NULL)
		*sw = 0;
	if (out == NULL || n == 0 || n > ICAO_SHORT_LE_MAX)
		goto out;
	if ((r = icao_chan_transceive(ch, &a, &w, sw)) != EG_OK)
		goto out;
	if (w.len != n) {
		r = EG_ERR_PROTOCOL;
		goto out;
	}
	memcpy(out, w.data, n);
out:
	eg_wbuf_free(&w);
	return r;
}

int
icao_external_authenticate(struct icao_chan *ch, const uint8_t *data,
    size_t len, uint32_t le, struct eg_wbuf *resp, uint16_t *sw)
{
	struct icao_apdu a = {
		.cla = ICAO_CLA_PLAIN, .ins = ICAO_INS_EXTERNAL_AUTH,
		.data = data, .lc = len, .le = le,
	};

	return icao_chan_transceive(ch, &a, resp, sw);
}

int
icao_internal_authenticate(struct icao_chan *ch, const uint8_t *chal,
    size_t len, struct eg_wbuf *resp, uint16_t *sw)
{
	struct icao_apdu a = {
		.cla = ICAO_CLA_PLAIN, .ins = ICAO_INS_INTERNAL_AUTH,
		.data = chal, .lc = len, .le = ICAO_SHORT_LE_MAX,
	};

	if (chal == NULL || len == 0) {
		if (sw != NULL)
			*sw = 0;
		return EG_ERR_INVAL;
	}
	return icao_chan_transceive(ch, &a, resp, sw);
}

int
icao_mse_set_at_build(uint16_t p1p2, const uint8_t *oid, size_t oidlen,
    int key_ref, int priv_ref, struct eg_wbuf *data, struct icao_apdu *cmd)
{
	uint8_t v;
	int r = EG_ERR_INVAL;

	if (oid == NULL || oidlen == 0 || data == NULL || cmd == NULL ||
	    key_ref > 0xFF || priv_ref > 0xFF)
		goto out;
	if ((r = eg_tlv_put(data, ICAO_DO_MSE_OID, oid, oidlen)) != EG_OK)
		goto out;
	if (key_ref >= 0) {
		v = (uint8_t)key_ref;
		if ((r = eg_tlv_put(data, ICAO_DO_MSE_KEY_REF, &v, 1)) != EG_OK)
			goto out;
	}
	if (priv_ref >= 0) {
		v = (uint8_t)priv_ref;
		if ((r = eg_tlv_put(data, ICAO_DO_MSE_PRIV_KEY, &v, 1)) != EG_OK)
			goto out;
	}
	memset(cmd, 0, sizeof(*cmd));
	cmd->cla = ICAO_CLA_PLAIN;
	cmd->ins = ICAO_INS_MSE;
	cmd->p1 = (uint8_t)(p1p2 >> 8);
	cmd->p2 = (uint8_t)p1p2;
	cmd->data = data->data;
	cmd->lc = data->len;
	r = EG_OK;
out:
	return r;
}

int
icao_ga_build(bool last, uint32_t tag, const uint8_t *value, size_t n,
    struct eg_wbuf *data, struct icao_apdu *cmd)
{
	size_t inner;
	int r = EG_ERR_INVAL;

	if (data == NULL || cmd == NULL || (value == NULL && n > 0) ||
	    tag > 0xFF)
		goto out;
	inner = n > 0 ? 1 + eg_tlv_len_size(n) + n : 0;
	if ((r = eg_tlv_put_tag(data, ICAO_DO_DYN_AUTH)) != EG_OK ||
	    (r = eg_tlv_put_len(data, inner)) != EG_OK)
		goto out;
	if (n > 0 && (r = eg_tlv_put(data, tag, value, n)) != EG_OK)
		goto out;
	memset(cmd, 0, sizeof(*cmd));
	cmd->cla = last ? ICAO_CLA_PLAIN : ICAO_CLA_CHAIN;
	cmd->ins = ICAO_INS_GENERAL_AUTH;
	cmd->data = data->data;
	cmd->lc = data->len;
	cmd->le = ICAO_SHORT_LE_MAX;
	r = EG_OK;
out:
	return r;
}

int
icao_ga_parse(const uint8_t *resp, size_t len, uint32_t tag,
    struct eg_rbuf *value)
{
	struct eg_rbuf b = icao_rbuf(resp, len);
	struct eg_tlv outer, in;
	int r;

	if ((r = eg_tlv_expect(&b, ICAO_DO_DYN_AUTH, &outer)) != EG_OK)
		return r;
	if (eg_rbuf_left(&b) != 0)
		return EG_ERR_FORMAT;
	if ((r = eg_tlv_find(&outer.value, tag, &in)) != EG_OK)
		return r;
	*value = in.value;
	return EG_OK;
}
