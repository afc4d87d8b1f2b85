/* SPDX-License-Identifier: Apache-2.0 */
/* ccid.c — the CCID reader driver (see ccid.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "egate/buf.h"
#include "egate/ccid.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/log.h"

#define CCID_DEFAULT_TIMEOUT_MS  5000u
#define CCID_DEFAULT_MAX_WAIT_MS 60000u
#define CCID_DRAIN_TIMEOUT_MS    20u
#define CCID_DRAIN_MAX           8
#define CCID_POLL_MS             50u
#define CCID_EXTRA_MAX           512
#define CCID_STALE_MAX           4	/* late replies skipped per command */
#define CCID_MAX_RAPDU           (65536u + 2u)	/* Le 0000 + SW1 SW2 */

struct ccid_slot_state {
	uint8_t icc;		/* last known CCID_ICC_* */
	bool known;		/* icc was reported at least once */
};

struct ccid_dev {
	const struct usb_transport *t;
	void *h;			/* transport handle, NULL after unplug+close */
	struct usb_match match;		/* how to find the reader again */
	const struct usb_profile_table *profiles;
	struct ccid_opts opts;
	struct ccid_desc desc;
	struct usb_dev_info uinfo;
	struct ccid_info info;
	uint8_t seq;
	bool gone;			/* EG_ERR_NO_DEVICE seen */
	bool resync;			/* drain stale replies before next command */
	uint8_t *tx;			/* info.max_message bytes */
	uint8_t *rx;			/* rx_cap bytes */
	size_t rx_cap;			/* max_message rounded up to whole
					 * packets: a transfer never ends
					 * inside a packet (libusb overflow) */
	struct ccid_slot_state slot[CCID_MAX_SLOTS];
	/* NotifySlotChange slots not yet reported: bit n = slot n changed */
	uint16_t pending_changed, pending_present;
	struct ccid_status last;
};

/* ---- transport error handling ------------------------------------------ */

/* After a transport failure: remember unplug, clear a stall. */
static int
ccid_io_fail(struct ccid_dev *d, int err)
{
	if (err == EG_ERR_NO_DEVICE) {
		if (!d->gone)
			EG_LOG(d->opts.log, EG_LOG_WARN, "ccid.unplugged",
			    EG_UINT("vid", d->info.vid), EG_UINT("pid", d->info.pid));
		d->gone = true;
	} else if (err == EG_ERR_IO) {
		EG_LOG(d->opts.log, EG_LOG_WARN, "ccid.stall",
		    EG_STR("action", "clear_halt"));
		/* A stalled pipe: clear both bulk endpoints, then resync. */
		(void)d->t->ops->clear_halt(d->h, USB_EP_BULK_OUT);
		(void)d->t->ops->clear_halt(d->h, USB_EP_BULK_IN);
		d->resync = true;
	} else {
		d->resync = true;
	}
	return err;
}

/* A reply broke the protocol: log which field, resync before the next. */
static int
ccid_violation(struct ccid_dev *d, const char *what, unsigned long long want,
    unsigned long long got)
{
	EG_LOG(d->opts.log, EG_LOG_WARN, "ccid.protocol", EG_STR("field", what),
	    EG_UINT("want", want), EG_UINT("got", got));
	return ccid_io_fail(d, EG_ERR_PROTOCOL);
}

/* Throw away replies left over from a failed exchange. */
static int
ccid_drain(struct ccid_dev *d)
{
	size_t got;
	int i, ret;

	for (i = 0; i < CCID_DRAIN_MAX; i++) {
		ret = d->t->ops->bulk_in(d->h, d->rx, d->rx_cap, &got,
		    CCID_DRAIN_TIMEOUT_MS);
		if (ret == EG_ERR_TIMEOUT)
			break;
		if (ret == EG_ERR_NO_DEVICE)
			return ccid_io_fail(d, ret);
		if (ret == EG_ERR_IO)
			(void)d->t->ops->clear_halt(d->h, USB_EP_BULK_IN);
	}
	d->resync = false;
	return EG_OK;
}

/* ---- one command / reply ----------------------------------------------- */

static int
ccid_map_failure(struct ccid_dev *d, const struct ccid_status *st)
{
	(void)d;
	if ((st->bstatus & CCID_ICC_MASK) == CCID_ICC_ABSENT)
		return EG_ERR_NO_CARD;
	switch (st->berror) {
	case CCID_ERR_ICC_MUTE:
		return EG_ERR_NO_CARD;
	case CCID_ERR_HW_ERROR:
	case CCID_ERR_XFR_PARITY:
	case CCID_ERR_XFR_OVERRUN:
	case CCID_ERR_BAD_ATR_TS:
	case CCID_ERR_BAD_ATR_TCK:
	case CCID_ERR_PROTO_NOT_SUPP:
	case CCID_ERR_CLASS_NOT_SUPP:
	case CCID_ERR_PROC_BYTE_CONFL:
	case CCID_ERR_DEACTIVATED:
		return EG_ERR_DEVICE;
	case CCID_ERR_CMD_SLOT_BUSY:
	case CCID_ERR_BUSY_AUTO_SEQ:
		return EG_ERR_BUSY;
	case CCID_ERR_CMD_ABORTED:
	case CCID_ERR_PIN_CANCELLED:
		return EG_ERR_CANCELLED;
	case CCID_ERR_PIN_TIMEOUT:
		return EG_ERR_TIMEOUT;
	case CCID_ERR_CMD_NOT_SUPP:
		return EG_ERR_UNSUPPORTED;
	default:
		return st->berror < 0x80 ? EG_ERR_INVAL : EG_ERR_DEVICE;
	}
}

static unsigned
ccid_mul_cap(unsigned base, unsigned mul, unsigned cap)
{
	unsigned long long v = (unsigned long long)base * (mul ? mul : 1);

	return v > cap ? cap : (unsigned)v;
}

/*
 * Send one message (type, p1..p3 parameter bytes, data) to the selected slot
 * and read its reply, which must be of type `want`. On EG_OK the reply's
 * abData is at *data (inside d->rx) with *dlen bytes; st gets the status.
 */
static int
ccid_cmd(struct ccid_dev *d, uint8_t type, uint8_t p1, uint8_t p2, uint8_t p3,
    const uint8_t *in, size_t inlen, uint8_t want, const uint8_t **data,
    size_t *dlen, struct ccid_status *st)
{
	const struct usb_transport_ops *ops = d->t->ops;
	unsigned timeout = d->opts.timeout_ms, stale = 0;
	uint8_t seq, slot = d->info.slot;
	int ret;

	*data = NULL;
	*dlen = 0;
	memset(st, 0, sizeof(*st));
	if (d->gone || d->h == NULL)
		return EG_ERR_NO_DEVICE;
	if (inlen > d->info.max_message - CCID_HDR_LEN)
		return EG_ERR_OVERFLOW;
	if (d->resync && (ret = ccid_drain(d)) != EG_OK)
		return ret;

	seq = d->seq++;
	d->tx[0] = type;
	d->tx[1] = (uint8_t)(inlen & 0xff);
	d->tx[2] = (uint8_t)(inlen >> 8 & 0xff);
	d->tx[3] = (uint8_t)(inlen >> 16 & 0xff);
	d->tx[4] = (uint8_t)(inlen >> 24 & 0xff);
	d->tx[5] = slot;
	d->tx[6] = seq;
	d->tx[7] = p1;
	d->tx[8] = p2;
	d->tx[9] = p3;
	if (inlen > 0)
		memcpy(d->tx + CCID_HDR_LEN, in, inlen);
	if (type == CCID_PC_ABORT) {
		/* The bulk Abort must follow the EP0 request with its bSeq. */
		ret = ops->control(d->h, CCID_REQTYPE_OUT, CCID_REQ_ABORT,
		    (uint16_t)(seq << 8 | slot), d->uinfo.iface_number, NULL, 0,
		    NULL, timeout);
		if (ret != EG_OK)
			return ccid_io_fail(d, ret);
	}
	ret = ops->bulk_out(d->h, d->tx, CCID_HDR_LEN + inlen, timeout);
	if (ret != EG_OK)
		return ccid_io_fail(d, ret);

	for (;;) {
		struct eg_rbuf b;
		uint8_t rtype, rslot, rseq;
		uint32_t rlen;
		size_t got = 0;

		ret = ops->bulk_in(d->h, d->rx, d->rx_cap, &got,
		    timeout);
		if (ret != EG_OK)
			return ccid_io_fail(d, ret);
		b = eg_rbuf_init(d->rx, got);
		if (eg_rbuf_u8(&b, &rtype) != EG_OK ||
		    eg_rbuf_le32(&b, &rlen) != EG_OK ||
		    eg_rbuf_u8(&b, &rslot) != EG_OK ||
		    eg_rbuf_u8(&b, &rseq) != EG_OK ||
		    eg_rbuf_u8(&b, &st->bstatus) != EG_OK ||
		    eg_rbuf_u8(&b, &st->berror) != EG_OK ||
		    eg_rbuf_u8(&b, &st->chain) != EG_OK)
			return ccid_violation(d, "short_header", got, 0);
		st->icc = st->bstatus & CCID_ICC_MASK;
		if (rseq != seq) {
			/* A late reply to one of the last few commands (after a
			 * timeout) is skipped; any other number is a violation. */
			uint8_t age = (uint8_t)(seq - rseq);

			if (age >= 1 && age <= CCID_STALE_MAX &&
			    ++stale <= CCID_STALE_MAX) {
				EG_LOG(d->opts.log, EG_LOG_INFO, "ccid.stale_reply",
				    EG_UINT("seq", rseq), EG_UINT("want", seq));
				continue;
			}
			return ccid_violation(d, "sequence", seq, rseq);
		}
		if (rtype != want)
			return ccid_violation(d, "message_type", want, rtype);
		if (rslot != slot)
			return ccid_violation(d, "slot", slot, rslot);
		if (rlen > d->info.max_message - CCID_HDR_LEN)
			return ccid_violation(d, "length_above_max",
			    d->info.max_message - CCID_HDR_LEN, rlen);
		if (rlen != eg_rbuf_left(&b))
			return ccid_violation(d, "length_mismatch",
			    eg_rbuf_left(&b), rlen);
		if (st->icc > CCID_ICC_ABSENT)
			return ccid_violation(d, "icc_status", 0, st->bstatus);
		d->slot[slot].icc = st->icc;
		d->slot[slot].known = true;
		switch (st->bstatus & CCID_CMD_MASK) {
		case CCID_CMD_OK:
			*data = b.p;
			*dlen = rlen;
			return EG_OK;
		case CCID_CMD_FAILED:
			ret = ccid_map_failure(d, st);
			EG_LOG(d->opts.log, EG_LOG_DEBUG, "ccid.failed",
			    EG_UINT("cmd", type), EG_STR("error",
			    ccid_error_str(st->berror)), EG_UINT("icc", st->icc),
			    EG_ERRF(ret));
			return ret;
		case CCID_CMD_TIME_EXT:
			if (rlen != 0)
				return ccid_violation(d, "time_ext_length", 0, rlen);
			if (++st->time_ext > CCID_MAX_TIME_EXT) {
				EG_LOG(d->opts.log, EG_LOG_WARN, "ccid.timeout",
				    EG_UINT("time_ext", st->time_ext - 1));
				return ccid_io_fail(d, EG_ERR_TIMEOUT);
			}
			timeout = ccid_mul_cap(d->opts.timeout_ms, st->berror,
			    d->opts.max_wait_ms);
			EG_LOG(d->opts.log, EG_LOG_DEBUG, "ccid.time_extension",
			    EG_UINT("n", st->time_ext), EG_UINT("wait_ms", timeout));
			continue;
		default:
			return ccid_violation(d, "command_status", 0, st->bstatus);
		}
	}
}

/* ---- open / close / reconnect ------------------------------------------ */

static int
ccid_attach(struct ccid_dev *d)
{
	const struct usb_profile *prof;
	uint8_t extra[CCID_EXTRA_MAX];
	size_t elen = 0, pkt;
	uint32_t maxmsg;
	int ret;

	ret = d->t->ops->open(d->t->backend, &d->match, &d->h);
	if (ret != EG_OK)
		goto out;
	ret = d->t->ops->get_descriptors(d->h, &d->uinfo, extra, sizeof(extra),
	    &elen);
	if (ret != EG_OK)
		goto out;
	ret = ccid_desc_parse(extra, elen, &d->desc);
	if (ret != EG_OK)
		goto out;
	d->info.level = ccid_desc_level(&d->desc);
	if (d->info.level < CCID_EXCHANGE_SHORT_APDU) {
		ret = EG_ERR_UNSUPPORTED;
		goto out;
	}
	maxmsg = d->desc.max_message;
	prof = usb_profile_find(d->profiles, d->uinfo.vid, d->uinfo.pid);
	d->info.name[0] = '\0';
	d->info.quirks = 0;
	if (prof != NULL) {
		memcpy(d->info.name, prof->name, sizeof(d->info.name));
		d->info.quirks = prof->quirks;
		if (prof->max_message < maxmsg)
			maxmsg = prof->max_message;
	}
	pkt = d->uinfo.max_packet_in != 0 ? d->uinfo.max_packet_in : 64;
	if (d->tx == NULL || maxmsg != d->info.max_message ||
	    d->rx_cap != (maxmsg + pkt - 1) / pkt * pkt) {
		free(d->tx);
		free(d->rx);
		d->rx_cap = (maxmsg + pkt - 1) / pkt * pkt;
		d->tx = malloc(maxmsg);
		d->rx = malloc(d->rx_cap);
		if (d->tx == NULL || d->rx == NULL) {
			free(d->tx);
			free(d->rx);
			d->tx = d->rx = NULL;
			d->rx_cap = 0;
			ret = EG_ERR_NOMEM;
			goto out;
		}
	}
	d->info.max_message = maxmsg;
	d->info.vid = d->uinfo.vid;
	d->info.pid = d->uinfo.pid;
	d->info.max_slot_index = d->desc.max_slot_index;
	if (d->info.slot > d->info.max_slot_index)
		d->info.slot = 0;
	d->seq = 0;
	d->gone = false;
	d->resync = false;
	d->pending_changed = d->pending_present = 0;
	memset(d->slot, 0, sizeof(d->slot));
	EG_LOG(d->opts.log, EG_LOG_INFO, "ccid.open", EG_UINT("vid", d->info.vid),
	    EG_UINT("pid", d->info.pid), EG_STR("name", d->info.name),
	    EG_UINT("max_message", d->info.max_message),
	    EG_UINT("level", d->info.level),
	    EG_UINT("slots", d->info.max_slot_index + 1u));
out:
	if (ret != EG_OK && d->h != NULL) {
		d->t->ops->close(d->t->backend, d->h);
		d->h = NULL;
	}
	return ret;
}

int
ccid_open(struct ccid_dev **out, const struct usb_transport *t,
    const struct usb_match *m, const struct usb_profile_table *profiles,
    const struct ccid_opts *opts)
{
	struct ccid_dev *d = NULL;
	int ret = EG_ERR_INVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	if (t == NULL || t->ops == NULL || m == NULL)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto out;
	d->t = t;
	d->match = *m;
	d->match.iface_class = USB_CLASS_SMART_CARD;
	d->profiles = profiles;
	d->opts.timeout_ms = CCID_DEFAULT_TIMEOUT_MS;
	d->opts.max_wait_ms = CCID_DEFAULT_MAX_WAIT_MS;
	d->opts.log = opts != NULL ? opts->log : NULL;
	if (opts != NULL && opts->timeout_ms != 0)
		d->opts.timeout_ms = opts->timeout_ms;
	if (opts != NULL && opts->max_wait_ms != 0)
		d->opts.max_wait_ms = opts->max_wait_ms;
	if (d->opts.max_wait_ms < d->opts.timeout_ms)
		d->opts.max_wait_ms = d->opts.timeout_ms;
	ret = ccid_attach(d);
	if (ret != EG_OK)
		goto out;
	/* Reconnect finds this very reader again, wherever it re-enumerates. */
	d->match.bus = d->match.address = 0;
	d->match.vid = d->uinfo.vid;
	d->match.pid = d->uinfo.pid;
	memcpy(d->match.serial, d->uinfo.serial, sizeof(d->match.serial));
	d->match.serial[sizeof(d->match.serial) - 1] = '\0';
	*out = d;
	d = NULL;
out:
	ccid_free(&d);
	return ret;
}

void
ccid_free(struct ccid_dev **pd)
{
	struct ccid_dev *d;

	if (pd == NULL || *pd == NULL)
		return;
	d = *pd;
	if (d->h != NULL)
		d->t->ops->close(d->t->backend, d->h);
	free(d->tx);
	free(d->rx);
	free(d);
	*pd = NULL;
}

int
ccid_reconnect(struct ccid_dev *d)
{
	int ret;

	if (d == NULL)
		return EG_ERR_INVAL;
	if (d->h != NULL) {
		d->t->ops->close(d->t->backend, d->h);
		d->h = NULL;
	}
	d->gone = true;
	ret = ccid_attach(d);
	EG_LOG(d->opts.log, ret == EG_OK ? EG_LOG_INFO : EG_LOG_DEBUG,
	    "ccid.reconnect", EG_ERRF(ret));
	return ret;
}

void
ccid_get_info(const struct ccid_dev *d, struct ccid_info *info)
{
	*info = d->info;
}

int
ccid_select_slot(struct ccid_dev *d, uint8_t slot)
{
	if (d == NULL || slot > d->info.max_slot_index)
		return EG_ERR_INVAL;
	d->info.slot = slot;
	return EG_OK;
}

/* ---- commands ---------------------------------------------------------- */

static struct ccid_status *
ccid_st(struct ccid_dev *d, struct ccid_status *st)
{
	return st != NULL ? st : &d->last;
}

static void
ccid_keep(struct ccid_dev *d, const struct ccid_status *st)
{
	if (st != &d->last)
		d->last = *st;
}

int
ccid_power_on(struct ccid_dev *d, uint8_t *atr, size_t cap, size_t *atr_len,
    struct ccid_status *st)
{
	const uint8_t *data;
	size_t dlen;
	uint8_t voltage = 0;
	const struct usb_profile *prof;
	int ret;

	if (d == NULL || atr_len == NULL || (atr == NULL && cap > 0))
		return EG_ERR_INVAL;
	*atr_len = 0;
	st = ccid_st(d, st);
	prof = usb_profile_find(d->profiles, d->info.vid, d->info.pid);
	if (prof != NULL)
		voltage = prof->voltage;
	ret = ccid_cmd(d, CCID_PC_ICC_POWER_ON, voltage, 0, 0, NULL, 0,
	    CCID_RDR_DATA_BLOCK, &data, &dlen, st);
	if (ret == EG_OK && (dlen == 0 || dlen > CCID_MAX_ATR))
		ret = EG_ERR_PROTOCOL;
	if (ret == EG_OK && dlen > cap)
		ret = EG_ERR_OVERFLOW;
	if (ret == EG_OK) {
		memcpy(atr, data, dlen);
		*atr_len = dlen;
	}
	ccid_keep(d, st);
	return ret;
}

int
ccid_power_off(struct ccid_dev *d, struct ccid_status *st)
{
	const uint8_t *data;
	size_t dlen;
	int ret;

	if (d == NULL)
		return EG_ERR_INVAL;
	st = ccid_st(d, st);
	ret = ccid_cmd(d, CCID_PC_ICC_POWER_OFF, 0, 0, 0, NULL, 0,
	    CCID_RDR_SLOT_STATUS, &data, &dlen, st);
	if (ret == EG_OK && dlen != 0)
		ret = EG_ERR_PROTOCOL;
	ccid_keep(d, st);
	return ret;
}

int
ccid_slot_status(struct ccid_dev *d, struct ccid_status *st)
{
	const uint8_t *data;
	size_t dlen;
	int ret;

	if (d == NULL)
		return EG_ERR_INVAL;
	st = ccid_st(d, st);
	ret = ccid_cmd(d, CCID_PC_GET_SLOT_STATUS, 0, 0, 0, NULL, 0,
	    CCID_RDR_SLOT_STATUS, &data, &dlen, st);
	/* "No card" is an answer here, not a failure of the command. */
	if (ret == EG_ERR_NO_CARD && st->icc == CCID_ICC_ABSENT)
		ret = EG_OK;
	if (ret == EG_OK && dlen != 0)
		ret = EG_ERR_PROTOCOL;
	ccid_keep(d, st);
	return ret;
}

/* Append a reply part to rapdu, failing once the caller's buffer is full. */
static int
ccid_append(uint8_t *rapdu, size_t cap, size_t *rlen, const uint8_t *data,
    size_t dlen)
{
	if (dlen > cap - *rlen)
		return EG_ERR_OVERFLOW;
	if (dlen > 0)
		memcpy(rapdu + *rlen, data, dlen);
	*rlen += dlen;
	return EG_OK;
}

int
ccid_xfr_block(struct ccid_dev *d, const uint8_t *capdu, size_t clen,
    uint8_t *rapdu, size_t cap, size_t *rlen, struct ccid_status *st)
{
	const uint8_t *data;
	size_t dlen, chunk, off = 0;
	size_t total = 0;
	bool too_long = false;
	int ret = EG_ERR_INVAL;

	if (d == NULL || rlen == NULL || capdu == NULL || clen < 4 ||
	    (rapdu == NULL && cap > 0))
		return EG_ERR_INVAL;
	*rlen = 0;
	st = ccid_st(d, st);
	chunk = d->info.max_message - CCID_HDR_LEN;
	/* A short-APDU reader takes neither a long APDU nor the extended
	 * encoding (byte 5 = 00 and at least 7 bytes: cases 2E, 3E, 4E). */
	if (d->info.level != CCID_EXCHANGE_EXTENDED_APDU &&
	    (clen > chunk || (clen >= 7 && capdu[4] == 0x00))) {
		ret = EG_ERR_UNSUPPORTED;
		memset(st, 0, sizeof(*st));
		goto out;
	}
	/* Command: one message, or BEGIN, MIDDLE..., END with the reader
	 * answering each non-final part with an empty DataBlock (chain 0x10). */
	for (;;) {
		size_t n = clen - off < chunk ? clen - off : chunk;
		uint16_t level;

		if (off == 0)
			level = n == clen ? CCID_LEVEL_ONE : CCID_LEVEL_BEGIN;
		else
			level = off + n == clen ? CCID_LEVEL_END : CCID_LEVEL_MIDDLE;
		ret = ccid_cmd(d, CCID_PC_XFR_BLOCK, 0, (uint8_t)(level & 0xff),
		    (uint8_t)(level >> 8), capdu + off, n, CCID_RDR_DATA_BLOCK,
		    &data, &dlen, st);
		if (ret != EG_OK)
			goto out;
		off += n;
		if (off == clen)
			break;
		if (st->chain != CCID_CHAIN_EMPTY || dlen != 0) {
			ret = ccid_violation(d, "chain_ack", CCID_CHAIN_EMPTY,
			    st->chain);
			goto out;
		}
	}
	/* Response: one DataBlock (chain 0), or BEGIN, MIDDLE..., END, each
	 * next part asked for with an empty XfrBlock (level 0x10). */
	if (st->chain != CCID_CHAIN_ONE && st->chain != CCID_CHAIN_BEGIN) {
		ret = ccid_violation(d, "chain_start", CCID_CHAIN_BEGIN, st->chain);
		goto out;
	}
	/* A response that does not fit the caller's buffer is still read to
	 * its end (and dropped), so the reader is left between commands. */
	for (;;) {
		total += dlen;
		if (total > CCID_MAX_RAPDU) {
			ret = ccid_violation(d, "chain_total", CCID_MAX_RAPDU, total);
			goto out;
		}
		if (!too_long && ccid_append(rapdu, cap, rlen, data, dlen) != EG_OK)
			too_long = true;
		if (st->chain == CCID_CHAIN_ONE || st->chain == CCID_CHAIN_END)
			break;
		ret = ccid_cmd(d, CCID_PC_XFR_BLOCK, 0, CCID_LEVEL_EMPTY, 0,
		    NULL, 0, CCID_RDR_DATA_BLOCK, &data, &dlen, st);
		if (ret != EG_OK)
			goto out;
		if (st->chain != CCID_CHAIN_MIDDLE && st->chain != CCID_CHAIN_END) {
			ret = ccid_violation(d, "chain_next", CCID_CHAIN_END,
			    st->chain);
			goto out;
		}
	}
	if (too_long) {
		ret = EG_ERR_OVERFLOW;
		goto out;
	}
	if (*rlen < 2)
		ret = EG_ERR_PROTOCOL;	/* a response APDU has SW1 SW2 */
out:
	if (ret != EG_OK)
		*rlen = 0;
	ccid_keep(d, st);
	return ret;
}

int
ccid_transmit(struct ccid_dev *d, const uint8_t *capdu, size_t clen,
    uint8_t *rapdu, size_t cap, size_t *rlen)
{
	if (d == NULL)
		return EG_ERR_INVAL;
	return ccid_xfr_block(d, capdu, clen, rapdu, cap, rlen, &d->last);
}

void
ccid_last_status(const struct ccid_dev *d, struct ccid_status *st)
{
	*st = d->last;
}

int
ccid_escape(struct ccid_dev *d, const uint8_t *in, size_t inlen, uint8_t *out,
    size_t cap, size_t *outlen, struct ccid_status *st)
{
	const uint8_t *data;
	size_t dlen;
	int ret;

	if (d == NULL || outlen == NULL || (in == NULL && inlen > 0) ||
	    (out == NULL && cap > 0))
		return EG_ERR_INVAL;
	*outlen = 0;
	st = ccid_st(d, st);
	ret = ccid_cmd(d, CCID_PC_ESCAPE, 0, 0, 0, in, inlen, CCID_RDR_ESCAPE,
	    &data, &dlen, st);
	if (ret == EG_OK && dlen > cap)
		ret = EG_ERR_OVERFLOW;
	if (ret == EG_OK) {
		if (dlen > 0)
			memcpy(out, data, dlen);
		*outlen = dlen;
	}
	ccid_keep(d, st);
	return ret;
}

int
ccid_abort(struct ccid_dev *d, struct ccid_status *st)
{
	const uint8_t *data;
	size_t dlen;
	int ret;

	if (d == NULL)
		return EG_ERR_INVAL;
	st = ccid_st(d, st);
	ret = ccid_cmd(d, CCID_PC_ABORT, 0, 0, 0, NULL, 0, CCID_RDR_SLOT_STATUS,
	    &data, &dlen, st);
	if (ret == EG_ERR_NO_CARD && st->icc == CCID_ICC_ABSENT)
		ret = EG_OK;	/* nothing to abort on an empty slot */
	if (ret == EG_OK && dlen != 0)
		ret = EG_ERR_PROTOCOL;
	EG_LOG(d->opts.log, EG_LOG_INFO, "ccid.abort", EG_UINT("slot",
	    d->info.slot), EG_ERRF(ret));
	ccid_keep(d, st);
	return ret;
}

/* ---- card events ------------------------------------------------------- */

static bool
ccid_pop_event(struct ccid_dev *d, struct ccid_event *ev)
{
	unsigned s;

	for (s = 0; s <= d->info.max_slot_index; s++) {
		uint16_t bit = (uint16_t)(1u << s);

		if (!(d->pending_changed & bit))
			continue;
		d->pending_changed &= (uint16_t)~bit;
		memset(ev, 0, sizeof(*ev));
		ev->slot = (uint8_t)s;
		ev->type = (d->pending_present & bit) ? CCID_EVENT_CARD_PLACED :
		    CCID_EVENT_CARD_REMOVED;
		return true;
	}
	return false;
}

static int
ccid_parse_interrupt(struct ccid_dev *d, const uint8_t *msg, size_t len,
    struct ccid_event *ev, bool *have)
{
	struct eg_rbuf b = eg_rbuf_init(msg, len);
	size_t nslots = (size_t)d->info.max_slot_index + 1;
	size_t nbytes = (nslots * 2 + 7) / 8;
	uint8_t type, v, slot, seq, code;
	size_t i, s;

	*have = false;
	if (eg_rbuf_u8(&b, &type) != EG_OK)
		return EG_ERR_PROTOCOL;
	if (type == CCID_RDR_HARDWARE_ERROR) {
		if (eg_rbuf_u8(&b, &slot) != EG_OK ||
		    eg_rbuf_u8(&b, &seq) != EG_OK ||
		    eg_rbuf_u8(&b, &code) != EG_OK || eg_rbuf_left(&b) != 0 ||
		    slot > d->info.max_slot_index)
			return EG_ERR_PROTOCOL;
		memset(ev, 0, sizeof(*ev));
		ev->type = CCID_EVENT_HW_ERROR;
		ev->slot = slot;
		ev->hw_error = code;
		*have = true;
		return EG_OK;
	}
	if (type != CCID_RDR_NOTIFY_SLOT_CHANGE || eg_rbuf_left(&b) != nbytes)
		return EG_ERR_PROTOCOL;
	for (i = 0; i < nbytes; i++) {
		if (eg_rbuf_u8(&b, &v) != EG_OK)
			return EG_ERR_PROTOCOL;
		for (s = i * 4; s < i * 4 + 4 && s < nslots; s++) {
			unsigned bits = v >> ((s % 4) * 2) & 0x3u;
			uint16_t bit = (uint16_t)(1u << s);

			if (bits & CCID_NOTIFY_PRESENT)
				d->pending_present |= bit;
			else
				d->pending_present &= (uint16_t)~bit;
			if (bits & CCID_NOTIFY_CHANGED)
				d->pending_changed |= bit;
			d->slot[s].icc = (bits & CCID_NOTIFY_PRESENT) ?
			    (d->slot[s].icc == CCID_ICC_ACTIVE &&
			     !(bits & CCID_NOTIFY_CHANGED) ? CCID_ICC_ACTIVE :
			     CCID_ICC_INACTIVE) : CCID_ICC_ABSENT;
			d->slot[s].known = true;
		}
	}
	*have = ccid_pop_event(d, ev);
	return EG_OK;
}

static uint64_t
ccid_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Readers without notifications: poll GetSlotStatus. */
static int
ccid_poll_event(struct ccid_dev *d, unsigned timeout_ms, struct ccid_event *ev)
{
	uint64_t deadline = ccid_now_ms() + timeout_ms;
	uint8_t slot = d->info.slot;
	bool known = d->slot[slot].known;
	bool was = d->slot[slot].icc != CCID_ICC_ABSENT;
	struct ccid_status st;
	int ret;

	for (;;) {
		bool now;

		ret = ccid_slot_status(d, &st);
		if (ret != EG_OK)
			return ret;
		now = st.icc != CCID_ICC_ABSENT;
		if (!known || now != was) {
			if (known || now) {
				memset(ev, 0, sizeof(*ev));
				ev->slot = slot;
				ev->type = now ? CCID_EVENT_CARD_PLACED :
				    CCID_EVENT_CARD_REMOVED;
				return EG_OK;
			}
			known = true;
			was = now;
		}
		{
			uint64_t t_now = ccid_now_ms();
			uint64_t wait = deadline - t_now;
			struct timespec ts;

			if (t_now >= deadline)
				return EG_ERR_TIMEOUT;
			if (wait > CCID_POLL_MS)
				wait = CCID_POLL_MS;
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(wait * 1000000u);
			nanosleep(&ts, NULL);
		}
	}
}

int
ccid_wait_event(struct ccid_dev *d, unsigned timeout_ms, struct ccid_event *ev)
{
	uint8_t msg[1 + (CCID_MAX_SLOTS * 2 + 7) / 8 + 4];
	size_t got = 0;
	bool have = false;
	int ret;

	if (d == NULL || ev == NULL)
		return EG_ERR_INVAL;
	if (d->gone || d->h == NULL)
		return EG_ERR_NO_DEVICE;
	if (ccid_pop_event(d, ev))
		return EG_OK;
	if ((d->info.quirks & USB_QUIRK_NO_NOTIFY) || !d->uinfo.has_intr_in)
		return ccid_poll_event(d, timeout_ms, ev);
	ret = d->t->ops->interrupt_in(d->h, msg, sizeof(msg), &got, timeout_ms);
	if (ret == EG_ERR_NO_DEVICE)
		d->gone = true;
	if (ret == EG_ERR_IO)
		(void)d->t->ops->clear_halt(d->h, USB_EP_INTR_IN);
	if (ret != EG_OK)
		return ret;
	ret = ccid_parse_interrupt(d, msg, got, ev, &have);
	if (ret == EG_OK && !have)
		ret = EG_ERR_TIMEOUT;	/* a report without a change */
	return ret;
}
