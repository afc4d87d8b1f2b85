/* SPDX-License-Identifier: Apache-2.0 */
/* reader.c — the document reader over its backends (see reader.h): spec
 * parsing, the CCID reader (any usb_transport), the USB CCID backend on
 * libusb and the vpcd backend. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "doc/card.h"
#include "doc/reader.h"
#include "egate/ccid_proto.h"
#include "egate/error.h"
#include "egate/usb_libusb.h"
#include "egate/vpcd.h"

struct doc_reader {
	const struct doc_reader_ops *ops;
	void *ctx;
	char desc[160];
	char name[16];		/* the spec's NAME: the desc up to ':' */
};

const char *
doc_reader_event_str(enum doc_reader_event e)
{
	switch (e) {
	case DOC_READER_CARD_PLACED: return "card_placed";
	case DOC_READER_CARD_REMOVED: return "card_removed";
	case DOC_READER_HW_ERROR: return "hw_error";
	default: return "none";
	}
}

int
doc_reader_new(const struct doc_reader_ops *ops, void *ctx, const char *desc,
    struct doc_reader **out)
{
	struct doc_reader *r;

	if (ops == NULL || out == NULL) {
		if (ops != NULL && ops->close != NULL)
			ops->close(ctx);
		return EG_ERR_INVAL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		if (ops->close != NULL)
			ops->close(ctx);
		return EG_ERR_NOMEM;
	}
	r->ops = ops;
	r->ctx = ctx;
	snprintf(r->desc, sizeof(r->desc), "%s", desc != NULL ? desc : ops->name);
	snprintf(r->name, sizeof(r->name), "%.*s", (int)strcspn(r->desc, ": "), r->desc);
	*out = r;
	return EG_OK;
}

void
doc_reader_free(struct doc_reader **rp)
{
	struct doc_reader *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	if (r->ops->close != NULL)
		r->ops->close(r->ctx);
	free(r);
	*rp = NULL;
}

const char *
doc_reader_desc(const struct doc_reader *r)
{
	return r->desc;
}

const char *
doc_reader_backend_name(const struct doc_reader *r)
{
	return r->name;
}

static int
card_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct doc_reader *r = ctx;

	return r->ops->power_on(r->ctx, atr, cap, atr_len);
}

static int
card_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu, size_t cap,
    size_t *rlen)
{
	struct doc_reader *r = ctx;

	return r->ops->transmit(r->ctx, capdu, clen, rapdu, cap, rlen);
}

static const struct icao_card_ops reader_card_ops = { .transmit = card_transmit };

void
doc_reader_card(struct doc_reader *r, struct doc_card *card)
{
	memset(card, 0, sizeof(*card));
	card->ops = &reader_card_ops;
	card->ctx = r;
	card->power_on = r->ops->power_on != NULL ? card_power_on : NULL;
	card->max_rapdu = r->ops->max_rapdu != NULL ? r->ops->max_rapdu(r->ctx) : 0;
}

int
doc_reader_power_off(struct doc_reader *r)
{
	return r->ops->power_off != NULL ? r->ops->power_off(r->ctx) : EG_OK;
}

int
doc_reader_card_present(struct doc_reader *r, bool *present)
{
	if (present == NULL)
		return EG_ERR_INVAL;
	return r->ops->card_present(r->ctx, present);
}

int
doc_reader_wait_event(struct doc_reader *r, unsigned timeout_ms, enum doc_reader_event *ev)
{
	if (ev == NULL)
		return EG_ERR_INVAL;
	*ev = DOC_READER_NONE;
	return r->ops->wait_event(r->ctx, timeout_ms, ev);
}

int
doc_reader_reconnect(struct doc_reader *r)
{
	return r->ops->reconnect != NULL ? r->ops->reconnect(r->ctx) : EG_ERR_UNSUPPORTED;
}

/* ---- a CCID reader on any transport ------------------------------------------------- */

struct ccid_reader {
	struct ccid_dev *d;
	void (*release)(void *owner);
	void *owner;
};

static int
cr_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct ccid_reader *c = ctx;

	return ccid_power_on(c->d, atr, cap, atr_len, NULL);
}

static int
cr_power_off(void *ctx)
{
	struct ccid_reader *c = ctx;

	return ccid_power_off(c->d, NULL);
}

static int
cr_card_present(void *ctx, bool *present)
{
	struct ccid_reader *c = ctx;
	struct ccid_status st;
	int ret;

	memset(&st, 0, sizeof(st));
	ret = ccid_slot_status(c->d, &st);
	/* an empty slot is a status, not a failure */
	if (ret == EG_OK || ret == EG_ERR_NO_CARD) {
		*present = st.icc != CCID_ICC_ABSENT;
		return EG_OK;
	}
	return ret;
}

static int
cr_wait_event(void *ctx, unsigned timeout_ms, enum doc_reader_event *ev)
{
	struct ccid_reader *c = ctx;
	struct ccid_event ce;
	int ret;

	memset(&ce, 0, sizeof(ce));
	if ((ret = ccid_wait_event(c->d, timeout_ms, &ce)) != EG_OK)
		return ret;
	*ev = ce.type == CCID_EVENT_CARD_PLACED ? DOC_READER_CARD_PLACED :
	    ce.type == CCID_EVENT_CARD_REMOVED ? DOC_READER_CARD_REMOVED : DOC_READER_HW_ERROR;
	return EG_OK;
}

static int
cr_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu, size_t cap,
    size_t *rlen)
{
	struct ccid_reader *c = ctx;

	return ccid_transmit(c->d, capdu, clen, rapdu, cap, rlen);
}

static int
cr_reconnect(void *ctx)
{
	struct ccid_reader *c = ctx;

	return ccid_reconnect(c->d);
}

static size_t
cr_max_rapdu(void *ctx)
{
	struct ccid_reader *c = ctx;
	struct doc_card card;

	doc_card_ccid(c->d, &card);	/* one rule for the limit: card.c */
	return card.max_rapdu;
}

static void
cr_close(void *ctx)
{
	struct ccid_reader *c = ctx;

	if (c == NULL)
		return;
	if (c->release != NULL)
		c->release(c->owner);
	free(c);
}

static const struct doc_reader_ops ccid_reader_ops = {
	.name = "ccid",
	.usage = "ccid",
	.power_on = cr_power_on,
	.power_off = cr_power_off,
	.card_present = cr_card_present,
	.wait_event = cr_wait_event,
	.transmit = cr_transmit,
	.reconnect = cr_reconnect,
	.max_rapdu = cr_max_rapdu,
	.close = cr_close,
};

int
doc_reader_new_ccid(struct ccid_dev *d, void (*release)(void *owner), void *owner,
    const char *desc, struct doc_reader **out)
{
	struct ccid_reader *c;

	if (d == NULL || out == NULL) {
		if (release != NULL)
			release(owner);
		return EG_ERR_INVAL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		if (release != NULL)
			release(owner);
		return EG_ERR_NOMEM;
	}
	c->d = d;
	c->release = release;
	c->owner = owner;
	return doc_reader_new(&ccid_reader_ops, c, desc, out);
}

/* ---- usb: a CCID reader through libusb ------------------------------------------------ */

struct usb_reader {
	struct usb_libusb *lu;
	struct usb_transport t;
	struct usb_profile_table *own_pt;	/* loaded here when none was given */
	struct ccid_dev *ccid;
};

static void
usb_reader_release(void *owner)
{
	struct usb_reader *u = owner;

	if (u == NULL)
		return;
	ccid_free(&u->ccid);
	usb_libusb_free(&u->lu);
	free(u->own_pt);
	free(u);
}

static const char *
readers_path(void)
{
	return access(EGATE_READERS_INSTALLED, R_OK) == 0 ? EGATE_READERS_INSTALLED :
	    EGATE_READERS_SRC;
}

static int
open_usb(const char *arg, const struct doc_reader_opts *o, struct doc_reader **out, char *err,
    size_t errlen)
{
	const struct usb_profile_table *pt = o->profiles;
	struct usb_dev_info found[16];
	struct usb_match m;
	struct ccid_info info;
	struct ccid_opts co;
	struct usb_reader *u;
	unsigned vid = 0, pid = 0;
	size_t n = 0;
	char tail, desc[160];
	int ret;

	if (*arg != '\0' && sscanf(arg, "%4x:%4x%c", &vid, &pid, &tail) != 2) {
		eg_errbuf(err, errlen, "reader '%s': usb takes usb or usb:VID:PID (hex)", arg);
		return EG_ERR_INVAL;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return EG_ERR_NOMEM;
	if (pt == NULL) {
		ret = EG_ERR_NOMEM;
		if ((u->own_pt = calloc(1, sizeof(*u->own_pt))) == NULL)
			goto fail;
		(void)usb_profile_load_file(readers_path(), u->own_pt, NULL);
		pt = u->own_pt;
	}
	if ((ret = usb_libusb_new(&u->lu)) != EG_OK) {
		eg_errbuf(err, errlen, "libusb unavailable: %s", eg_strerror(ret));
		goto fail;
	}
	u->t = usb_libusb_transport(u->lu);
	if (*arg == '\0') {
		if (usb_libusb_enumerate(u->lu, USB_CLASS_SMART_CARD, pt, found, 16, &n) != EG_OK ||
		    n == 0) {
			eg_errbuf(err, errlen, "%s", "no CCID reader found");
			ret = EG_ERR_NOT_FOUND;
			goto fail;
		}
		vid = found[0].vid;
		pid = found[0].pid;
	}
	memset(&m, 0, sizeof(m));
	m.vid = (uint16_t)vid;
	m.pid = (uint16_t)pid;
	memset(&co, 0, sizeof(co));
	co.log = o->log;
	if ((ret = ccid_open(&u->ccid, &u->t, &m, pt, &co)) != EG_OK) {
		eg_errbuf(err, errlen, "no usable CCID reader %04X:%04X: %s", vid, pid,
		    eg_strerror(ret));
		goto fail;
	}
	ccid_get_info(u->ccid, &info);
	snprintf(desc, sizeof(desc), "usb:%04X:%04X %s", info.vid, info.pid, info.name);
	return doc_reader_new_ccid(u->ccid, usb_reader_release, u, desc, out);
fail:
	usb_reader_release(u);
	return ret;
}

/* ---- vpcd: a virtual reader a virtual card connects to ----------------------------------- */

struct vpcd_reader {
	struct vpcd *v;
	bool reported;		/* the connected card was reported as placed */
};

static int
vr_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct vpcd_reader *v = ctx;

	return vpcd_power_on(v->v, atr, cap, atr_len);
}

static int
vr_power_off(void *ctx)
{
	struct vpcd_reader *v = ctx;

	return vpcd_power_off(v->v);
}

static int
vr_card_present(void *ctx, bool *present)
{
	struct vpcd_reader *v = ctx;

	*present = vpcd_connected(v->v) != 0;
	return EG_OK;
}

/* The card side connecting is "placed", hanging up "removed". While it
 * stays connected nothing happens: wait the time out. */
static int
vr_wait_event(void *ctx, unsigned timeout_ms, enum doc_reader_event *ev)
{
	struct vpcd_reader *v = ctx;
	struct timespec ts;
	int ret;

	if (!vpcd_connected(v->v)) {
		if (v->reported) {
			v->reported = false;
			*ev = DOC_READER_CARD_REMOVED;
			return EG_OK;
		}
		if ((ret = vpcd_accept(v->v, timeout_ms)) != EG_OK)
			return ret;
	}
	if (!v->reported) {
		v->reported = true;
		*ev = DOC_READER_CARD_PLACED;
		return EG_OK;
	}
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return EG_ERR_TIMEOUT;
}

static int
vr_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu, size_t cap,
    size_t *rlen)
{
	struct vpcd_reader *v = ctx;

	return vpcd_transmit(v->v, capdu, clen, rapdu, cap, rlen);
}

static int
vr_reconnect(void *ctx)
{
	(void)ctx;
	return EG_OK;	/* a socket we listen on: nothing to find again */
}

static void
vr_close(void *ctx)
{
	struct vpcd_reader *v = ctx;

	if (v == NULL)
		return;
	vpcd_free(&v->v);
	free(v);
}

static const struct doc_reader_ops vpcd_reader_ops = {
	.name = "vpcd",
	.usage = "vpcd[:PORT]",
	.power_on = vr_power_on,
	.power_off = vr_power_off,
	.card_present = vr_card_present,
	.wait_event = vr_wait_event,
	.transmit = vr_transmit,
	.reconnect = vr_reconnect,
	.close = vr_close,
};

static int
open_vpcd(const char *arg, const struct doc_reader_opts *o, struct doc_reader **out, char *err,
    size_t errlen)
{
	unsigned long port = VPCD_DEFAULT_PORT;
	struct vpcd_reader *v;
	char desc[32], *end;
	int ret;

	if (*arg != '\0') {
		errno = 0;
		port = strtoul(arg, &end, 10);
		if (*end != '\0' || errno != 0 || port == 0 || port > 65535) {
			eg_errbuf(err, errlen, "reader 'vpcd:%s': the port must be 1..65535", arg);
			return EG_ERR_INVAL;
		}
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return EG_ERR_NOMEM;
	if ((ret = vpcd_new(&v->v, (uint16_t)port, 0)) != EG_OK) {
		eg_errbuf(err, errlen, "vpcd: cannot listen on port %lu: %s", port, eg_strerror(ret));
		goto fail;
	}
	if (o->vpcd_wait_ms > 0 && (ret = vpcd_accept(v->v, o->vpcd_wait_ms)) != EG_OK) {
		eg_errbuf(err, errlen, "vpcd: no card side connected to port %lu within %u s", port,
		    o->vpcd_wait_ms / 1000);
		goto fail;
	}
	snprintf(desc, sizeof(desc), "vpcd:%lu", port);
	return doc_reader_new(&vpcd_reader_ops, v, desc, out);
fail:
	vr_close(v);
	return ret;
}

/* ---- the spec ------------------------------------------------------------------------------ */

void
doc_reader_spec_help(const struct doc_reader_opts *o, char *buf, size_t cap)
{
	size_t n;

	if (cap == 0)
		return;
	n = (size_t)snprintf(buf, cap, "usb[:VID:PID], vpcd[:PORT]");
	for (size_t i = 0; o != NULL && o->extra != NULL && o->extra[i] != NULL && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, ", %s", o->extra[i]->usage);
}

int
doc_reader_open(const char *spec, const struct doc_reader_opts *o, struct doc_reader **out,
    char *err, size_t errlen)
{
	static const struct doc_reader_opts defaults = { 0 };
	const char *arg = "";
	char help[256];
	size_t namelen;

	if (out != NULL)
		*out = NULL;
	if (spec == NULL || out == NULL) {
		eg_errbuf(err, errlen, "%s", "no reader spec");
		return EG_ERR_INVAL;
	}
	if (o == NULL)
		o = &defaults;
	namelen = strcspn(spec, ":");
	if (spec[namelen] == ':')
		arg = spec + namelen + 1;
	if (namelen == 3 && strncmp(spec, "usb", 3) == 0)
		return open_usb(arg, o, out, err, errlen);
	if (namelen == 4 && strncmp(spec, "vpcd", 4) == 0)
		return open_vpcd(arg, o, out, err, errlen);
	for (size_t i = 0; o->extra != NULL && o->extra[i] != NULL; i++) {
		const struct doc_reader_backend *b = o->extra[i];

		if (strlen(b->name) == namelen && strncmp(b->name, spec, namelen) == 0)
			return b->open(b->self, arg, o, out, err, errlen);
	}
	doc_reader_spec_help(o, help, sizeof(help));
	eg_errbuf(err, errlen, "reader '%.64s': unknown backend (this build takes %s)", spec, help);
	return EG_ERR_INVAL;
}
