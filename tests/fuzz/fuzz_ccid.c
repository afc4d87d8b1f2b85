/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ccid.c — arbitrary bytes as a CCID reader's replies, fed to the real
 * CCID driver through a fuzz backend of usb_transport; plus the CCID class
 * descriptor parser on the raw input.
 *
 * Input layout (seeds: tests/usb/gen_fuzz_ccid_corpus.py):
 *   u16 LE   max message length seed (271 + v % 3826)
 *   u8       flags: bits 0-1 exchange level (0,3 extended, 1 short, 2 TPDU),
 *            bit 2 no_notify quirk, bits 3-5 bMaxSlotIndex
 *   records  u8 tag, u16 LE length, bytes: each bulk_in / interrupt_in takes
 *            the next record. tag 0: these bytes arrive; 1: timeout;
 *            2: stall (EG_ERR_IO); 3: unplugged; no record left: timeout.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "egate/buf.h"
#include "egate/ccid.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/usb_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct eg_rbuf in;
	uint8_t desc[CCID_DESC_LEN];
	int open_handles;
};

static int
fz_next(struct fz *f, uint8_t *buf, size_t cap, size_t *got)
{
	uint8_t tag;
	uint16_t len;
	const uint8_t *p;
	size_t n;

	*got = 0;
	if (eg_rbuf_u8(&f->in, &tag) != EG_OK)
		return EG_ERR_TIMEOUT;
	if (eg_rbuf_le16(&f->in, &len) != EG_OK)
		len = 0;
	n = len < eg_rbuf_left(&f->in) ? len : eg_rbuf_left(&f->in);
	(void)eg_rbuf_ptr(&f->in, n, &p);
	switch (tag & 3) {
	case 1: return EG_ERR_TIMEOUT;
	case 2: return EG_ERR_IO;
	case 3: return EG_ERR_NO_DEVICE;
	default: break;
	}
	if (n > cap)
		return EG_ERR_OVERFLOW;
	if (n > 0)
		memcpy(buf, p, n);
	*got = n;
	return EG_OK;
}

static int
fz_open(void *backend, const struct usb_match *m, void **dev)
{
	struct fz *f = backend;

	(void)m;
	f->open_handles++;
	*dev = f;
	return EG_OK;
}

static void
fz_close(void *backend, void *dev)
{
	struct fz *f = backend;

	(void)dev;
	f->open_handles--;
}

static int
fz_bulk_out(void *dev, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	(void)dev;
	(void)data;
	(void)len;
	(void)timeout_ms;
	return EG_OK;
}

static int
fz_in(void *dev, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	(void)timeout_ms;
	return fz_next(dev, buf, cap, got);
}

static int
fz_control(void *dev, uint8_t rt, uint8_t rq, uint16_t v, uint16_t i,
    uint8_t *data, size_t len, size_t *got, unsigned timeout_ms)
{
	(void)dev; (void)rt; (void)rq; (void)v; (void)i; (void)data; (void)len;
	(void)timeout_ms;
	if (got != NULL)
		*got = 0;
	return EG_OK;		/* the ABORT request is accepted */
}

static int
fz_get_descriptors(void *dev, struct usb_dev_info *info, uint8_t *extra,
    size_t cap, size_t *len)
{
	struct fz *f = dev;

	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->vid = 0x072F;
		info->pid = 0x223E;
		info->iface_class = 0x0B;
		info->has_intr_in = 1;
	}
	*len = sizeof(f->desc);
	if (extra == NULL)
		return EG_OK;
	if (cap < sizeof(f->desc))
		return EG_ERR_OVERFLOW;
	memcpy(extra, f->desc, sizeof(f->desc));
	return EG_OK;
}

static int
fz_clear_halt(void *dev, enum usb_ep ep)
{
	(void)dev;
	(void)ep;
	return EG_OK;
}

static const struct usb_transport_ops fz_ops = {
	.name = "fuzz",
	.open = fz_open,
	.close = fz_close,
	.bulk_out = fz_bulk_out,
	.bulk_in = fz_in,
	.interrupt_in = fz_in,
	.control = fz_control,
	.get_descriptors = fz_get_descriptors,
	.clear_halt = fz_clear_halt,
};

static void
fz_build_desc(struct fz *f, uint32_t maxmsg, uint8_t flags)
{
	static const uint32_t levels[4] = { CCID_FEAT_LEVEL_EXTENDED,
	    CCID_FEAT_LEVEL_SHORT, CCID_FEAT_LEVEL_TPDU,
	    CCID_FEAT_LEVEL_EXTENDED };
	uint32_t feat = levels[flags & 3] | 0xBE;
	uint8_t *d = f->desc;

	memset(d, 0, CCID_DESC_LEN);
	d[0] = CCID_DESC_LEN;
	d[1] = CCID_DESC_TYPE;
	d[2] = 0x10; d[3] = 0x01;
	d[4] = (uint8_t)(flags >> 3 & 7);
	d[40] = (uint8_t)feat; d[41] = (uint8_t)(feat >> 8);
	d[42] = (uint8_t)(feat >> 16); d[43] = (uint8_t)(feat >> 24);
	d[44] = (uint8_t)maxmsg; d[45] = (uint8_t)(maxmsg >> 8);
	d[46] = (uint8_t)(maxmsg >> 16); d[47] = (uint8_t)(maxmsg >> 24);
}

static void
fz_round(struct ccid_dev *d)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00,
	    0x00, 0x02, 0x47, 0x10, 0x01 };
	static uint8_t echo[4 + 3 + 600 + 2];
	uint8_t r[1200], atr[CCID_MAX_ATR];
	struct ccid_status st;
	struct ccid_event ev;
	size_t n;

	echo[0] = 0x80; echo[1] = 0x10; echo[5] = 0x02; echo[6] = 0x58;
	(void)ccid_power_on(d, atr, sizeof(atr), &n, &st);
	(void)ccid_slot_status(d, &st);
	(void)ccid_xfr_block(d, sel, sizeof(sel), r, sizeof(r), &n, &st);
	(void)ccid_transmit(d, echo, sizeof(echo), r, sizeof(r), &n);
	(void)ccid_transmit(d, echo, sizeof(echo), r, 40, &n);
	(void)ccid_escape(d, sel, 4, r, sizeof(r), &n, &st);
	(void)ccid_wait_event(d, 1, &ev);
	(void)ccid_wait_event(d, 1, &ev);
	if (ccid_select_slot(d, 1) == EG_OK) {
		(void)ccid_slot_status(d, &st);
		(void)ccid_select_slot(d, 0);
	}
	(void)ccid_power_off(d, &st);
	(void)ccid_abort(d, &st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;
	struct ccid_desc desc;
	struct usb_profile_table prof;
	struct usb_transport t = { .ops = &fz_ops, .backend = &f };
	struct usb_match m;
	struct ccid_opts o = { .timeout_ms = 1, .max_wait_ms = 2 };
	struct ccid_dev *d = NULL;
	uint16_t seed = 0;
	uint8_t flags = 0;
	int round;

	(void)ccid_desc_parse(data, size, &desc);

	memset(&f, 0, sizeof(f));
	f.in = eg_rbuf_init(data, size);
	(void)eg_rbuf_le16(&f.in, &seed);
	(void)eg_rbuf_u8(&f.in, &flags);
	fz_build_desc(&f, 271u + seed % 3826u, flags);
	memset(&prof, 0, sizeof(prof));
	prof.n = 1;
	prof.p[0].vid = 0x072F;
	prof.p[0].pid = 0x223E;
	prof.p[0].max_message = CCID_MAX_MSG_LEN;	/* the descriptor rules */
	prof.p[0].quirks = (flags & 4) ? USB_QUIRK_NO_NOTIFY : 0;
	memset(&m, 0, sizeof(m));
	if (ccid_open(&d, &t, &m, &prof, &o) != EG_OK)
		goto out;
	for (round = 0; round < 4; round++) {
		fz_round(d);
		if (eg_rbuf_left(&f.in) == 0 || ccid_reconnect(d) != EG_OK)
			break;
	}
out:
	ccid_free(&d);
	if (f.open_handles != 0)
		__builtin_trap();	/* a leaked transport handle */
	return 0;
}
