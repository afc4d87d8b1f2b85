/* SPDX-License-Identifier: Apache-2.0 */
/* sim_ccid.c — a simulated CCID reader (see sim_ccid.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/buf.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "sim_ccid.h"

#define SIM_QUEUE      8
#define SIM_INTR_MAX   8
#define SIM_APDU_MAX   (65536 + 9)	/* longest extended command APDU */
#define SIM_RAPDU_MAX  (65536 + 2)

struct sim_msg {
	uint8_t *data;		/* max_message bytes */
	size_t len;
};

struct sim_ccid {
	struct usb_profile prof;
	uint8_t desc[CCID_DESC_LEN];
	unsigned generation, plug_count;
	/* card */
	const struct sim_card_ops *card_ops;
	void *card;
	uint8_t icc;			/* CCID_ICC_* of slot 0 */
	uint8_t nslots;			/* slots 1.. are always empty */
	/* bulk-in queue */
	struct sim_msg q[SIM_QUEUE];
	size_t q_head, q_n;
	bool halted_in, halted_out, stall_in_next;
	/* time extensions to send before the queued reply */
	unsigned te_left;
	uint8_t te_mult, te_type, te_slot, te_seq;
	/* interrupt-in queue */
	uint8_t iq[SIM_INTR_MAX][8];
	size_t iq_len[SIM_INTR_MAX];
	size_t iq_head, iq_n;
	/* a reply held back by SIM_CCID_FAULT_LATE */
	uint8_t *held;
	size_t held_len;
	/* the last EP0 ABORT request: wValue, valid flag */
	uint16_t abort_value;
	bool abort_armed;
	/* one-shot fault */
	enum sim_ccid_fault fault;
	unsigned fault_count;
	uint8_t fault_mult;
	/* chaining state */
	uint8_t *cmd;			/* command APDU being assembled */
	size_t cmd_len;
	bool cmd_open;			/* BEGIN seen, END not yet */
	uint8_t *rsp;			/* response APDU being sent in parts */
	size_t rsp_len, rsp_off;
	struct sim_ccid_stats stats;
};

static void
sim_build_desc(struct sim_ccid *r)
{
	uint8_t *d = r->desc;
	uint32_t feat = CCID_FEAT_LEVEL_EXTENDED | 0x000000BEu;
	uint32_t m = r->prof.max_message;

	memset(d, 0, sizeof(r->desc));
	d[0] = CCID_DESC_LEN;
	d[1] = CCID_DESC_TYPE;
	d[2] = 0x10; d[3] = 0x01;		/* bcdCCID 1.10 */
	d[4] = 0;				/* bMaxSlotIndex */
	d[5] = 0x07;				/* 5V, 3V, 1.8V */
	d[6] = 0x03;				/* T=0, T=1 */
	d[10] = 0xC0; d[11] = 0x12;		/* dwDefaultClock 4800 kHz */
	d[14] = 0xC0; d[15] = 0x12;
	d[19] = 0x80; d[20] = 0x25;		/* dwDataRate 9600 */
	d[23] = 0x00; d[24] = 0x10; d[25] = 0x0E;	/* 921600 */
	d[28] = 0xFE;				/* dwMaxIFSD 254 */
	d[40] = (uint8_t)feat; d[41] = (uint8_t)(feat >> 8);
	d[42] = (uint8_t)(feat >> 16); d[43] = (uint8_t)(feat >> 24);
	d[44] = (uint8_t)m; d[45] = (uint8_t)(m >> 8);
	d[46] = (uint8_t)(m >> 16); d[47] = (uint8_t)(m >> 24);
	d[48] = 0xFF; d[49] = 0xFF;		/* echo class bytes */
	d[53] = 1;				/* bMaxCCIDBusySlots */
}

void
sim_ccid_free(struct sim_ccid **pr)
{
	struct sim_ccid *r;
	size_t i;

	if (pr == NULL || *pr == NULL)
		return;
	r = *pr;
	for (i = 0; i < SIM_QUEUE; i++)
		free(r->q[i].data);
	free(r->cmd);
	free(r->rsp);
	free(r->held);
	free(r);
	*pr = NULL;
}

int
sim_ccid_new(struct sim_ccid **out, const struct usb_profile *p)
{
	struct sim_ccid *r;
	size_t i;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return EG_ERR_NOMEM;
	r->prof = *p;
	for (i = 0; i < SIM_QUEUE; i++)
		if ((r->q[i].data = malloc(p->max_message)) == NULL)
			goto fail;
	if ((r->cmd = malloc(SIM_APDU_MAX)) == NULL ||
	    (r->rsp = malloc(SIM_RAPDU_MAX)) == NULL ||
	    (r->held = malloc(p->max_message)) == NULL)
		goto fail;
	sim_build_desc(r);
	r->icc = CCID_ICC_ABSENT;
	r->nslots = 1;
	r->plug_count = 1;
	r->generation = 1;
	*out = r;
	return EG_OK;
fail:
	sim_ccid_free(&r);
	return EG_ERR_NOMEM;
}

static void
sim_notify(struct sim_ccid *r, bool present)
{
	size_t i, len = 1 + ((size_t)r->nslots * 2 + 7) / 8;

	if (r->iq_n == SIM_INTR_MAX || len > sizeof(r->iq[0]))
		return;		/* a real reader would coalesce; we drop */
	i = (r->iq_head + r->iq_n++) % SIM_INTR_MAX;
	memset(r->iq[i], 0, sizeof(r->iq[i]));
	r->iq[i][0] = CCID_RDR_NOTIFY_SLOT_CHANGE;
	r->iq[i][1] = (uint8_t)(CCID_NOTIFY_CHANGED |
	    (present ? CCID_NOTIFY_PRESENT : 0));
	r->iq_len[i] = len;
}

void
sim_ccid_set_slots(struct sim_ccid *r, uint8_t nslots)
{
	if (nslots == 0 || nslots > 16)
		return;
	r->nslots = nslots;
	r->desc[4] = (uint8_t)(nslots - 1);
}

int
sim_ccid_push_interrupt(struct sim_ccid *r, const uint8_t *msg, size_t len)
{
	size_t i;

	if (len > sizeof(r->iq[0]) || r->iq_n == SIM_INTR_MAX)
		return EG_ERR_OVERFLOW;
	i = (r->iq_head + r->iq_n++) % SIM_INTR_MAX;
	memcpy(r->iq[i], msg, len);
	r->iq_len[i] = len;
	return EG_OK;
}

void
sim_ccid_insert(struct sim_ccid *r, const struct sim_card_ops *ops, void *card)
{
	r->card_ops = ops;
	r->card = card;
	r->icc = CCID_ICC_INACTIVE;
	sim_notify(r, true);
}

void
sim_ccid_remove(struct sim_ccid *r)
{
	r->card_ops = NULL;
	r->card = NULL;
	r->icc = CCID_ICC_ABSENT;
	r->rsp_len = r->rsp_off = 0;
	r->cmd_open = false;
	sim_notify(r, false);
}

static void
sim_reset_queues(struct sim_ccid *r)
{
	r->q_head = r->q_n = 0;
	r->iq_head = r->iq_n = 0;
	r->te_left = 0;
	r->held_len = 0;
	r->abort_armed = false;
	r->halted_in = r->halted_out = r->stall_in_next = false;
	r->cmd_open = false;
	r->rsp_len = r->rsp_off = 0;
}

void
sim_ccid_unplug(struct sim_ccid *r)
{
	r->generation = 0;
	sim_reset_queues(r);
}

void
sim_ccid_replug(struct sim_ccid *r)
{
	sim_reset_queues(r);
	r->generation = ++r->plug_count;
	if (r->card_ops != NULL)
		r->icc = CCID_ICC_INACTIVE;	/* power was lost */
}

void
sim_ccid_arm(struct sim_ccid *r, enum sim_ccid_fault f, unsigned count,
    uint8_t mult)
{
	r->fault = f;
	r->fault_count = count;
	r->fault_mult = mult;
}

void
sim_ccid_set_features(struct sim_ccid *r, uint32_t f)
{
	r->desc[40] = (uint8_t)f;
	r->desc[41] = (uint8_t)(f >> 8);
	r->desc[42] = (uint8_t)(f >> 16);
	r->desc[43] = (uint8_t)(f >> 24);
}

void
sim_ccid_stats(const struct sim_ccid *r, struct sim_ccid_stats *st)
{
	*st = r->stats;
}

/* ---- replies ------------------------------------------------------------ */

static void
sim_put_hdr(uint8_t *m, uint8_t type, uint32_t len, uint8_t slot, uint8_t seq,
    uint8_t status, uint8_t error, uint8_t chain)
{
	m[0] = type;
	m[1] = (uint8_t)len;
	m[2] = (uint8_t)(len >> 8);
	m[3] = (uint8_t)(len >> 16);
	m[4] = (uint8_t)(len >> 24);
	m[5] = slot;
	m[6] = seq;
	m[7] = status;
	m[8] = error;
	m[9] = chain;
}

/* Queue one reply, applying an armed header fault to it. */
static void
sim_reply(struct sim_ccid *r, uint8_t type, uint8_t slot, uint8_t seq,
    uint8_t status, uint8_t error, uint8_t chain, const uint8_t *data,
    size_t n)
{
	struct sim_msg *m;
	uint32_t dw = (uint32_t)n;

	if (r->q_n == SIM_QUEUE || n > r->prof.max_message - CCID_HDR_LEN)
		return;		/* cannot happen with a sane driver; drop */
	switch (r->fault) {
	case SIM_CCID_FAULT_WRONG_SEQ: seq++; break;
	case SIM_CCID_FAULT_WRONG_TYPE:
		type = type == CCID_RDR_DATA_BLOCK ? CCID_RDR_SLOT_STATUS :
		    CCID_RDR_DATA_BLOCK;
		break;
	case SIM_CCID_FAULT_WRONG_SLOT: slot++; break;
	case SIM_CCID_FAULT_BAD_LENGTH: dw++; break;
	case SIM_CCID_FAULT_HUGE_LENGTH: dw = r->prof.max_message; break;
	default: break;
	}
	if (r->fault >= SIM_CCID_FAULT_WRONG_SEQ &&
	    r->fault <= SIM_CCID_FAULT_HUGE_LENGTH)
		r->fault = SIM_CCID_FAULT_NONE;
	if (r->fault == SIM_CCID_FAULT_LATE) {
		r->fault = SIM_CCID_FAULT_NONE;
		sim_put_hdr(r->held, type, dw, slot, seq, status, error, chain);
		if (n > 0)
			memcpy(r->held + CCID_HDR_LEN, data, n);
		r->held_len = CCID_HDR_LEN + n;
		return;
	}
	m = &r->q[(r->q_head + r->q_n++) % SIM_QUEUE];
	sim_put_hdr(m->data, type, dw, slot, seq, status, error, chain);
	if (n > 0)
		memcpy(m->data + CCID_HDR_LEN, data, n);
	m->len = CCID_HDR_LEN + n;
	if (chain != CCID_CHAIN_ONE && chain != CCID_CHAIN_EMPTY)
		r->stats.rsp_parts++;
}

static void
sim_fail(struct sim_ccid *r, uint8_t type, uint8_t slot, uint8_t seq,
    uint8_t error)
{
	sim_reply(r, type, slot, seq, (uint8_t)(CCID_CMD_FAILED | r->icc), error,
	    0, NULL, 0);
}

/* Send the next part of a long response APDU. */
static void
sim_send_rsp_part(struct sim_ccid *r, uint8_t slot, uint8_t seq)
{
	size_t chunk = r->prof.max_message - CCID_HDR_LEN;
	size_t left = r->rsp_len - r->rsp_off;
	size_t n = left < chunk ? left : chunk;
	uint8_t chain;

	if (r->rsp_off == 0)
		chain = n == left ? CCID_CHAIN_ONE : CCID_CHAIN_BEGIN;
	else
		chain = n == left ? CCID_CHAIN_END : CCID_CHAIN_MIDDLE;
	sim_reply(r, CCID_RDR_DATA_BLOCK, slot, seq, r->icc, 0, chain,
	    r->rsp + r->rsp_off, n);
	r->rsp_off += n;
	if (r->rsp_off == r->rsp_len)
		r->rsp_len = r->rsp_off = 0;
}

static void
sim_xfr_block(struct sim_ccid *r, uint8_t slot, uint8_t seq, uint16_t level,
    const uint8_t *data, size_t n)
{
	size_t rlen = 0;

	if (level == CCID_LEVEL_EMPTY) {
		if (r->fault == SIM_CCID_FAULT_REMOVE_MID_CHAIN) {
			r->fault = SIM_CCID_FAULT_NONE;
			sim_ccid_remove(r);
			sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq,
			    CCID_ERR_ICC_MUTE);
			return;
		}
		if (r->rsp_len == 0 || n != 0) {
			sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq, 8);
			return;
		}
		sim_send_rsp_part(r, slot, seq);
		return;
	}
	r->rsp_len = r->rsp_off = 0;	/* a new command drops an old reply */
	if (r->icc != CCID_ICC_ACTIVE) {
		sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq, CCID_ERR_ICC_MUTE);
		return;
	}
	if (level != CCID_LEVEL_ONE)
		r->stats.cmd_parts++;
	if (level == CCID_LEVEL_ONE || level == CCID_LEVEL_BEGIN) {
		r->cmd_len = 0;
		r->cmd_open = level == CCID_LEVEL_BEGIN;
	} else if (!r->cmd_open || (level != CCID_LEVEL_MIDDLE &&
	    level != CCID_LEVEL_END)) {
		r->cmd_open = false;
		sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq, 8);
		return;
	}
	if (n > SIM_APDU_MAX - r->cmd_len) {
		r->cmd_open = false;
		sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq, 1);
		return;
	}
	memcpy(r->cmd + r->cmd_len, data, n);
	r->cmd_len += n;
	if (level == CCID_LEVEL_BEGIN || level == CCID_LEVEL_MIDDLE) {
		sim_reply(r, CCID_RDR_DATA_BLOCK, slot, seq, r->icc, 0,
		    CCID_CHAIN_EMPTY, NULL, 0);
		return;
	}
	r->cmd_open = false;
	if (r->fault == SIM_CCID_FAULT_REMOVE_CARD) {
		r->fault = SIM_CCID_FAULT_NONE;
		sim_ccid_remove(r);
		sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq, CCID_ERR_ICC_MUTE);
		return;
	}
	if (r->card_ops->apdu(r->card, r->cmd, r->cmd_len, r->rsp,
	    SIM_RAPDU_MAX, &rlen) != EG_OK || rlen < 2) {
		sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq, CCID_ERR_XFR_PARITY);
		return;
	}
	r->rsp_len = rlen;
	r->rsp_off = 0;
	sim_send_rsp_part(r, slot, seq);
}

static int
sim_bulk_out(void *dev, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	static const uint8_t esc_id[] = "SIMCCID";
	struct sim_ccid *r = dev;
	struct eg_rbuf b = eg_rbuf_init(data, len);
	uint8_t type, slot, seq, p1, p2, p3;
	uint32_t dw;
	uint8_t atr[CCID_HDR_LEN + 40];
	size_t atr_len = 0;

	(void)timeout_ms;
	if (r->generation == 0)
		return EG_ERR_NO_DEVICE;
	if (r->halted_out)
		return EG_ERR_IO;
	if (r->fault == SIM_CCID_FAULT_STALL_OUT) {
		r->fault = SIM_CCID_FAULT_NONE;
		r->halted_out = true;
		return EG_ERR_IO;
	}
	r->stats.commands++;
	if (len > r->stats.max_out_msg)
		r->stats.max_out_msg = len;
	if (len > r->prof.max_message)
		return EG_ERR_IO;	/* a reader stalls on an oversize message */
	if (eg_rbuf_u8(&b, &type) || eg_rbuf_le32(&b, &dw) ||
	    eg_rbuf_u8(&b, &slot) || eg_rbuf_u8(&b, &seq) ||
	    eg_rbuf_u8(&b, &p1) || eg_rbuf_u8(&b, &p2) || eg_rbuf_u8(&b, &p3))
		return EG_OK;		/* a short message is ignored */
	if (r->held_len > 0 && r->q_n < SIM_QUEUE) {	/* the late reply */
		struct sim_msg *m = &r->q[(r->q_head + r->q_n++) % SIM_QUEUE];

		memcpy(m->data, r->held, r->held_len);
		m->len = r->held_len;
		r->held_len = 0;
	}
	if (r->fault == SIM_CCID_FAULT_STALL_IN) {
		r->fault = SIM_CCID_FAULT_NONE;
		r->stall_in_next = true;
	}
	if (r->fault == SIM_CCID_FAULT_UNPLUG) {
		r->fault = SIM_CCID_FAULT_NONE;
		sim_ccid_unplug(r);
		return EG_OK;		/* the message went out, then it died */
	}
	if (r->fault == SIM_CCID_FAULT_TIME_EXT) {
		r->fault = SIM_CCID_FAULT_NONE;
		r->te_left = r->fault_count;
		r->te_mult = r->fault_mult;
		r->te_slot = slot;
		r->te_seq = seq;
		r->te_type = type == CCID_PC_ESCAPE ? CCID_RDR_ESCAPE :
		    (type == CCID_PC_ICC_POWER_ON || type == CCID_PC_XFR_BLOCK) ?
		    CCID_RDR_DATA_BLOCK : CCID_RDR_SLOT_STATUS;
	}
	if (dw != eg_rbuf_left(&b)) {
		sim_fail(r, CCID_RDR_SLOT_STATUS, slot, seq, 1);
		return EG_OK;
	}
	if (slot >= r->nslots) {
		sim_fail(r, type == CCID_PC_ESCAPE ? CCID_RDR_ESCAPE :
		    CCID_RDR_SLOT_STATUS, slot, seq, CCID_ERR_BAD_SLOT);
		return EG_OK;
	}
	if (slot != 0 && type != CCID_PC_ESCAPE) {	/* an empty slot */
		uint8_t rt = type == CCID_PC_ICC_POWER_ON ||
		    type == CCID_PC_XFR_BLOCK ? CCID_RDR_DATA_BLOCK :
		    CCID_RDR_SLOT_STATUS;

		if (type == CCID_PC_ICC_POWER_OFF)
			sim_reply(r, rt, slot, seq, CCID_ICC_ABSENT, 0, 0, NULL, 0);
		else
			sim_reply(r, rt, slot, seq,
			    CCID_CMD_FAILED | CCID_ICC_ABSENT, CCID_ERR_ICC_MUTE,
			    0, NULL, 0);
		return EG_OK;
	}
	if (r->fault == SIM_CCID_FAULT_HW_ERROR) {
		r->fault = SIM_CCID_FAULT_NONE;
		sim_fail(r, type == CCID_PC_XFR_BLOCK || type == CCID_PC_ICC_POWER_ON ?
		    CCID_RDR_DATA_BLOCK : CCID_RDR_SLOT_STATUS, slot, seq,
		    CCID_ERR_HW_ERROR);
		return EG_OK;
	}
	switch (type) {
	case CCID_PC_ICC_POWER_ON:
		if (r->card_ops == NULL) {
			sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq,
			    CCID_ERR_ICC_MUTE);
			break;
		}
		if (r->card_ops->power_on(r->card, atr, sizeof(atr), &atr_len) !=
		    EG_OK) {
			sim_fail(r, CCID_RDR_DATA_BLOCK, slot, seq,
			    CCID_ERR_ICC_MUTE);
			break;
		}
		r->icc = CCID_ICC_ACTIVE;
		sim_reply(r, CCID_RDR_DATA_BLOCK, slot, seq, r->icc, 0, 0, atr,
		    atr_len);
		break;
	case CCID_PC_ICC_POWER_OFF:
		if (r->card_ops != NULL)
			r->icc = CCID_ICC_INACTIVE;
		sim_reply(r, CCID_RDR_SLOT_STATUS, slot, seq, r->icc, 0, 0,
		    NULL, 0);
		break;
	case CCID_PC_GET_SLOT_STATUS:
		if (r->icc == CCID_ICC_ABSENT)
			sim_fail(r, CCID_RDR_SLOT_STATUS, slot, seq,
			    CCID_ERR_ICC_MUTE);
		else
			sim_reply(r, CCID_RDR_SLOT_STATUS, slot, seq, r->icc, 0,
			    0, NULL, 0);
		break;
	case CCID_PC_ESCAPE:
		sim_reply(r, CCID_RDR_ESCAPE, slot, seq, r->icc, 0, 0, esc_id,
		    sizeof(esc_id) - 1);
		break;
	case CCID_PC_XFR_BLOCK:
		sim_xfr_block(r, slot, seq, (uint16_t)(p2 | p3 << 8), b.p,
		    eg_rbuf_left(&b));
		break;
	case CCID_PC_ABORT:
		if (!r->abort_armed ||
		    r->abort_value != (uint16_t)(seq << 8 | slot)) {
			sim_fail(r, CCID_RDR_SLOT_STATUS, slot, seq, 6);
			break;
		}
		/* everything in progress is dropped */
		r->abort_armed = false;
		r->cmd_open = false;
		r->rsp_len = r->rsp_off = 0;
		r->held_len = 0;
		r->te_left = 0;
		r->stats.aborts++;
		sim_reply(r, CCID_RDR_SLOT_STATUS, slot, seq, r->icc, 0, 0, NULL, 0);
		break;
	default:
		sim_fail(r, CCID_RDR_SLOT_STATUS, slot, seq,
		    CCID_ERR_CMD_NOT_SUPP);
		break;
	}
	return EG_OK;
}

static int
sim_bulk_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct sim_ccid *r = dev;
	struct sim_msg *m;

	*got = 0;
	r->stats.last_in_timeout = timeout_ms;
	if (r->generation == 0)
		return EG_ERR_NO_DEVICE;
	if (r->halted_in)
		return EG_ERR_IO;
	if (r->stall_in_next) {
		r->stall_in_next = false;
		r->halted_in = true;
		return EG_ERR_IO;
	}
	if (r->te_left > 0) {
		if (cap < CCID_HDR_LEN)
			return EG_ERR_OVERFLOW;
		r->te_left--;
		sim_put_hdr(buf, r->te_type, 0, r->te_slot, r->te_seq,
		    (uint8_t)(CCID_CMD_TIME_EXT | r->icc), r->te_mult, 0);
		*got = CCID_HDR_LEN;
		return EG_OK;
	}
	if (r->q_n == 0)
		return EG_ERR_TIMEOUT;
	m = &r->q[r->q_head];
	r->q_head = (r->q_head + 1) % SIM_QUEUE;
	r->q_n--;
	if (m->len > cap)
		return EG_ERR_OVERFLOW;
	memcpy(buf, m->data, m->len);
	*got = m->len;
	if (m->len > r->stats.max_in_msg)
		r->stats.max_in_msg = m->len;
	return EG_OK;
}

static int
sim_interrupt_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct sim_ccid *r = dev;
	size_t i;

	(void)timeout_ms;
	*got = 0;
	if (r->generation == 0)
		return EG_ERR_NO_DEVICE;
	if (r->prof.quirks & USB_QUIRK_NO_NOTIFY)
		return EG_ERR_UNSUPPORTED;
	if (r->iq_n == 0)
		return EG_ERR_TIMEOUT;
	i = r->iq_head;
	r->iq_head = (r->iq_head + 1) % SIM_INTR_MAX;
	r->iq_n--;
	if (r->iq_len[i] > cap)
		return EG_ERR_OVERFLOW;
	memcpy(buf, r->iq[i], r->iq_len[i]);
	*got = r->iq_len[i];
	return EG_OK;
}

static int
sim_control(void *dev, uint8_t request_type, uint8_t request, uint16_t value,
    uint16_t index, uint8_t *data, size_t len, size_t *got,
    unsigned timeout_ms)
{
	struct sim_ccid *r = dev;

	(void)index;
	(void)data;
	(void)timeout_ms;
	if (got != NULL)
		*got = 0;
	if (r->generation == 0)
		return EG_ERR_NO_DEVICE;
	if (request_type != CCID_REQTYPE_OUT || request != CCID_REQ_ABORT ||
	    len != 0)
		return EG_ERR_IO;	/* EP0 stalls on what it does not know */
	r->abort_value = value;
	r->abort_armed = true;
	return EG_OK;
}

static int
sim_clear_halt(void *dev, enum usb_ep ep)
{
	struct sim_ccid *r = dev;

	if (r->generation == 0)
		return EG_ERR_NO_DEVICE;
	r->stats.clear_halts++;
	if (ep == USB_EP_BULK_OUT)
		r->halted_out = false;
	else if (ep == USB_EP_BULK_IN)
		r->halted_in = false;
	return EG_OK;
}

static unsigned
sim_generation(void *dev)
{
	return ((struct sim_ccid *)dev)->generation;
}

static int
sim_describe(void *dev, struct usb_dev_info *info, uint8_t *extra, size_t cap,
    size_t *len)
{
	struct sim_ccid *r = dev;

	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->vid = r->prof.vid;
		info->pid = r->prof.pid;
		info->bcd_device = 0x0100;
		info->iface_class = 0x0B;
		info->max_packet_in = 64;
		info->has_intr_in = !(r->prof.quirks & USB_QUIRK_NO_NOTIFY);
		snprintf(info->serial, sizeof(info->serial), "SIM%04X%04X",
		    r->prof.vid, r->prof.pid);
	}
	if (len != NULL)
		*len = sizeof(r->desc);
	if (extra == NULL)
		return EG_OK;
	if (cap < sizeof(r->desc))
		return EG_ERR_OVERFLOW;
	memcpy(extra, r->desc, sizeof(r->desc));
	return EG_OK;
}

const struct usb_sim_device_ops sim_ccid_device_ops = {
	.generation = sim_generation,
	.describe = sim_describe,
	.bulk_out = sim_bulk_out,
	.bulk_in = sim_bulk_in,
	.interrupt_in = sim_interrupt_in,
	.control = sim_control,
	.clear_halt = sim_clear_halt,
};
