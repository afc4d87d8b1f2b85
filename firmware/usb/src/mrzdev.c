/* SPDX-License-Identifier: Apache-2.0 */
/* mrzdev.c — CDC-ACM MRZ line reader driver (see mrzdev.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/mrzdev.h"
#include "egate/secure.h"

#define MRZDEV_RX 512

struct mrzdev {
	const struct usb_transport *t;
	void *h;
	uint8_t rx[MRZDEV_RX];		/* bytes received, not yet framed */
	size_t rx_off, rx_len;
	char cur[MRZDEV_MAX_LINE + 1];	/* the line being assembled */
	size_t cur_len;
	bool cur_bad;			/* non-printable byte in this line */
	bool cur_long;			/* line grew past MRZDEV_MAX_LINE */
};

int
mrzdev_open(struct mrzdev **out, const struct usb_transport *t,
    const struct usb_match *m)
{
	struct usb_match mm;
	struct mrzdev *d = NULL;
	int ret = EG_ERR_INVAL;

	if (out == NULL)
		goto out;
	*out = NULL;
	if (t == NULL || t->ops == NULL || m == NULL)
		goto out;
	mm = *m;
	if (mm.iface_class == 0)
		mm.iface_class = USB_CLASS_CDC_DATA;
	ret = EG_ERR_NOMEM;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto out;
	d->t = t;
	if ((ret = t->ops->open(t->backend, &mm, &d->h)) != EG_OK)
		goto out;
	*out = d;
	d = NULL;
out:
	mrzdev_free(&d);
	return ret;
}

void
mrzdev_free(struct mrzdev **pd)
{
	struct mrzdev *d;

	if (pd == NULL || *pd == NULL)
		return;
	d = *pd;
	if (d->h != NULL)
		d->t->ops->close(d->t->backend, d->h);
	eg_memzero(d, sizeof(*d));
	free(d);
	*pd = NULL;
}

static void
mrzdev_line_reset(struct mrzdev *d)
{
	eg_memzero(d->cur, sizeof(d->cur));
	d->cur_len = 0;
	d->cur_bad = d->cur_long = false;
}

int
mrzdev_read_line(struct mrzdev *d, char *line, size_t cap, unsigned timeout_ms)
{
	uint64_t deadline;
	bool tried = false;
	int ret;

	if (d == NULL || line == NULL || cap == 0)
		return EG_ERR_INVAL;
	line[0] = '\0';
	deadline = mrzdev_now_ms() + timeout_ms;
	for (;;) {
		while (d->rx_off < d->rx_len) {
			uint8_t c = d->rx[d->rx_off++];

			if (c == '\r' || c == '\n') {
				if (d->cur_len == 0 && !d->cur_long && !d->cur_bad)
					continue;	/* empty line or LF of CR LF */
				if (d->cur_long || d->cur_len >= cap)
					ret = EG_ERR_OVERFLOW;
				else if (d->cur_bad)
					ret = EG_ERR_FORMAT;
				else {
					memcpy(line, d->cur, d->cur_len);
					line[d->cur_len] = '\0';
					ret = EG_OK;
				}
				mrzdev_line_reset(d);
				return ret;
			}
			if (c < 0x20 || c > 0x7e)
				d->cur_bad = true;
			if (d->cur_len >= MRZDEV_MAX_LINE)
				d->cur_long = true;
			else
				d->cur[d->cur_len++] = (char)c;
		}
		{
			uint64_t now = mrzdev_now_ms();
			size_t got = 0;

			if (tried && now >= deadline)
				return EG_ERR_TIMEOUT;
			tried = true;
			eg_memzero(d->rx, sizeof(d->rx));
			d->rx_off = d->rx_len = 0;
			ret = d->t->ops->bulk_in(d->h, d->rx, sizeof(d->rx), &got,
			    (unsigned)(deadline > now ? deadline - now : 1));
			if (ret != EG_OK)
				return ret;
			d->rx_len = got <= sizeof(d->rx) ? got : sizeof(d->rx);
		}
	}
}

static int
mrzdev_line(void *ctx, char *line, size_t cap, unsigned timeout_ms)
{
	return mrzdev_read_line(ctx, line, cap, timeout_ms);
}

int
mrzdev_read_doc(struct mrzdev *d, struct mrzdev_doc *doc, unsigned timeout_ms)
{
	if (d == NULL) {
		if (doc != NULL)
			eg_memzero(doc, sizeof(*doc));
		return EG_ERR_INVAL;
	}
	return mrzdev_doc_assemble(doc, mrzdev_line, d, timeout_ms);
}
