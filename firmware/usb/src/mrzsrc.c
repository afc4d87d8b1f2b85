/* SPDX-License-Identifier: Apache-2.0 */
/* mrzsrc.c — the MRZ source over its backends (see mrzsrc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/mrzsrc.h"
#include "egate/secure.h"
#include "egate/usb_libusb.h"

struct mrz_source {
	const struct mrz_source_ops *ops;
	void *ctx;
	char desc[128];
};

int
mrz_source_new(const struct mrz_source_ops *ops, void *ctx, const char *desc,
    struct mrz_source **out)
{
	struct mrz_source *s;

	if (ops == NULL || out == NULL || (s = calloc(1, sizeof(*s))) == NULL) {
		if (ops != NULL && ops->close != NULL)
			ops->close(ctx);
		return ops == NULL || out == NULL ? EG_ERR_INVAL : EG_ERR_NOMEM;
	}
	s->ops = ops;
	s->ctx = ctx;
	snprintf(s->desc, sizeof(s->desc), "%s", desc != NULL ? desc : ops->name);
	*out = s;
	return EG_OK;
}

void
mrz_source_free(struct mrz_source **sp)
{
	struct mrz_source *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	if (s->ops->close != NULL)
		s->ops->close(s->ctx);
	free(s);
	*sp = NULL;
}

int
mrz_source_read_doc(struct mrz_source *s, struct mrzdev_doc *doc, unsigned timeout_ms)
{
	if (s == NULL || doc == NULL)
		return EG_ERR_INVAL;
	return s->ops->read_doc(s->ctx, doc, timeout_ms);
}

int
mrz_source_reconnect(struct mrz_source *s)
{
	return s->ops->reconnect != NULL ? s->ops->reconnect(s->ctx) : EG_ERR_UNSUPPORTED;
}

const char *
mrz_source_desc(const struct mrz_source *s)
{
	return s->desc;
}

/* ---- acm: mrzdev on a usb_transport ------------------------------------------------- */

struct acm {
	const struct usb_transport *t;
	struct usb_match m;
	struct mrzdev *d;		/* NULL while gone */
	void (*release)(void *owner);
	void *owner;
};

static int
acm_read_doc(void *ctx, struct mrzdev_doc *doc, unsigned timeout_ms)
{
	struct acm *a = ctx;

	if (a->d == NULL)
		return EG_ERR_NO_DEVICE;
	return mrzdev_read_doc(a->d, doc, timeout_ms);
}

static int
acm_reconnect(void *ctx)
{
	struct acm *a = ctx;

	mrzdev_free(&a->d);
	return mrzdev_open(&a->d, a->t, &a->m);
}

static void
acm_close(void *ctx)
{
	struct acm *a = ctx;

	if (a == NULL)
		return;
	mrzdev_free(&a->d);
	if (a->release != NULL)
		a->release(a->owner);
	free(a);
}

static const struct mrz_source_ops acm_ops = {
	.name = "acm",
	.read_doc = acm_read_doc,
	.reconnect = acm_reconnect,
	.close = acm_close,
};

int
mrz_source_new_acm(const struct usb_transport *t, const struct usb_match *m,
    void (*release)(void *owner), void *owner, const char *desc, struct mrz_source **out)
{
	struct acm *a;
	int ret;

	if (t == NULL || m == NULL || out == NULL) {
		if (release != NULL)
			release(owner);
		return EG_ERR_INVAL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		if (release != NULL)
			release(owner);
		return EG_ERR_NOMEM;
	}
	a->t = t;
	a->m = *m;
	a->release = release;
	a->owner = owner;
	if ((ret = mrzdev_open(&a->d, t, m)) != EG_OK) {
		acm_close(a);
		return ret;
	}
	return mrz_source_new(&acm_ops, a, desc, out);
}

/* acm and hid over libusb: the context and the transport live with the source */
struct acm_usb {
	struct usb_libusb *lu;
	struct usb_transport t;
};

static void
acm_usb_release(void *owner)
{
	struct acm_usb *u = owner;

	if (u == NULL)
		return;
	usb_libusb_free(&u->lu);
	free(u);
}

static int
open_usb(const char *name, const char *arg, const struct mrz_source_opts *o,
    struct mrz_source **out, char *err, size_t errlen)
{
	struct acm_usb *u;
	struct usb_match m;
	unsigned vid = 0, pid = 0;
	char tail, desc[64];
	int ret;

	if (*arg != '\0' && sscanf(arg, "%4x:%4x%c", &vid, &pid, &tail) != 2) {
		eg_errbuf(err, errlen, "MRZ reader '%s:%.32s': %s takes %s or %s:VID:PID (hex)", name,
		    arg, name, name, name);
		return EG_ERR_INVAL;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return EG_ERR_NOMEM;
	if ((ret = usb_libusb_new(&u->lu)) != EG_OK) {
		eg_errbuf(err, errlen, "libusb unavailable: %s", eg_strerror(ret));
		acm_usb_release(u);
		return ret;
	}
	u->t = usb_libusb_transport(u->lu);
	memset(&m, 0, sizeof(m));
	m.vid = (uint16_t)vid;
	m.pid = (uint16_t)pid;
	snprintf(desc, sizeof(desc), "%s:%04X:%04X", name, vid, pid);
	if (strcmp(name, "hid") == 0) {
		ret = mrz_source_new_hid(&u->t, &m, o->log, acm_usb_release, u, desc, out);
		if (ret == EG_ERR_PERM)
			eg_errbuf(err, errlen, "HID MRZ reader %04X:%04X: no permission (udev "
			    "rule: docs/devices.md)", vid, pid);
		else if (ret != EG_OK)
			eg_errbuf(err, errlen, "no usable HID keyboard MRZ reader %04X:%04X: %s",
			    vid, pid, eg_strerror(ret));
		return ret;
	}
	m.iface_class = USB_CLASS_CDC_DATA;
	if ((ret = mrz_source_new_acm(&u->t, &m, acm_usb_release, u, desc, out)) != EG_OK)
		eg_errbuf(err, errlen, "no usable CDC-ACM MRZ reader %04X:%04X: %s", vid, pid,
		    eg_strerror(ret));
	return ret;
}

/* ---- the spec ------------------------------------------------------------------------- */

int
mrz_source_open(const char *spec, const struct mrz_source_opts *o, struct mrz_source **out,
    char *err, size_t errlen)
{
	static const struct mrz_source_opts defaults = { 0 };
	const char *arg = "";
	char help[200];
	size_t namelen, n;

	if (out != NULL)
		*out = NULL;
	if (spec == NULL || out == NULL) {
		eg_errbuf(err, errlen, "%s", "no MRZ reader spec");
		return EG_ERR_INVAL;
	}
	if (o == NULL)
		o = &defaults;
	namelen = strcspn(spec, ":");
	if (spec[namelen] == ':')
		arg = spec + namelen + 1;
	if (namelen == 3 && strncmp(spec, "acm", 3) == 0)
		return open_usb("acm", arg, o, out, err, errlen);
	if (namelen == 3 && strncmp(spec, "hid", 3) == 0)
		return open_usb("hid", arg, o, out, err, errlen);
	for (size_t i = 0; o->extra != NULL && o->extra[i] != NULL; i++) {
		const struct mrz_source_backend *b = o->extra[i];

		if (strlen(b->name) == namelen && strncmp(b->name, spec, namelen) == 0)
			return b->open(b->self, arg, o, out, err, errlen);
	}
	n = (size_t)snprintf(help, sizeof(help), "acm[:VID:PID], hid[:VID:PID]");
	for (size_t i = 0; o->extra != NULL && o->extra[i] != NULL && n < sizeof(help); i++)
		n += (size_t)snprintf(help + n, sizeof(help) - n, ", %s", o->extra[i]->usage);
	eg_errbuf(err, errlen, "MRZ reader '%.64s': unknown backend (this build takes %s)", spec,
	    help);
	return EG_ERR_INVAL;
}
