/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mrzsrc.h — the MRZ source of the kiosk: where the printed MRZ comes from.
 * One object over one ops table per backend, chosen at run time from a spec
 * string (docs/devices.md):
 *
 *   acm              the first CDC-ACM MRZ (OCR) reader, over libusb
 *                    (mrzdev.h: lines of text on the bulk-in endpoint)
 *   acm:VID:PID      one by USB ids, in hex ("acm:1209:0001")
 *   hid              the first "keyboard wedge" MRZ reader: a USB HID boot
 *                    keyboard (interface 3/1/1) that types the MRZ lines,
 *                    each ended by Enter, over libusb (mrzhid.c, hidkbd.h).
 *                    The kernel's usbhid driver is detached while the
 *                    source holds the reader (the MRZ must not reach a
 *                    console) and reattached when it is freed
 *   hid:VID:PID      one by USB ids: its boot keyboard interface, or any
 *                    HID interface of it that sends boot keyboard reports
 *   NAME:ARG         a backend the caller adds (mrz_source_opts.extra); the
 *                    simulated MRZ reader of hw/sim/ is one; the product
 *                    links none
 *
 * Every call returns an eg_err. EG_ERR_NO_DEVICE: the reader is gone (every
 * read fails so until mrz_source_reconnect succeeds). MRZ text is personal
 * data: the backends wipe what they hold; callers wipe what they get.
 */
#ifndef EGATE_MRZSRC_H
#define EGATE_MRZSRC_H

#include <stddef.h>

#include "egate/log.h"
#include "egate/mrzdev.h"

struct mrz_source;
struct mrz_source_opts;

struct mrz_source_ops {
	const char *name;
	/* read_doc — the next document's MRZ within timeout_ms (mrzdev.h's
	 * mrzdev_read_doc: EG_ERR_FORMAT for lines that do not make an MRZ,
	 * EG_ERR_OVERFLOW for an overlong line, EG_ERR_TIMEOUT). */
	int (*read_doc)(void *ctx, struct mrzdev_doc *doc, unsigned timeout_ms);
	/* reconnect — after EG_ERR_NO_DEVICE: EG_OK once it is back. */
	int (*reconnect)(void *ctx);
	void (*close)(void *ctx);
};

struct mrz_source_backend {
	const char *name;
	const char *usage;
	void *self;
	int (*open)(void *self, const char *arg, const struct mrz_source_opts *o,
	    struct mrz_source **out, char *err, size_t errlen);
};

struct mrz_source_opts {
	const struct eg_log *log;	/* may be NULL */
	/* more backends, NULL-terminated (may be NULL) */
	const struct mrz_source_backend *const *extra;
};

/*
 * mrz_source_open — parse spec, pick the backend, open the reader. o may be
 * NULL. *out is owned by the caller (mrz_source_free). err gets one line.
 * Errors: EG_ERR_INVAL (bad spec; err lists what this build takes),
 * EG_ERR_NOT_FOUND (no such device), EG_ERR_PERM, EG_ERR_BUSY, EG_ERR_IO
 * (libusb unavailable), EG_ERR_NOMEM.
 */
int mrz_source_open(const char *spec, const struct mrz_source_opts *o, struct mrz_source **out,
    char *err, size_t errlen);
/* mrz_source_new — for backends: an MRZ source over ops and ctx (handed to
 * ops->close when freed, also on failure); desc starts with the spec's
 * NAME and ':'. Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int mrz_source_new(const struct mrz_source_ops *ops, void *ctx, const char *desc,
    struct mrz_source **out);
void mrz_source_free(struct mrz_source **s);

int mrz_source_read_doc(struct mrz_source *s, struct mrzdev_doc *doc, unsigned timeout_ms);
int mrz_source_reconnect(struct mrz_source *s);
const char *mrz_source_desc(const struct mrz_source *s);

/*
 * mrz_source_new_acm — the acm backend over any usb_transport t (libusb,
 * the simulator): mrzdev_open(t, m) now, and again on reconnect. t is
 * borrowed; release(owner) (may be NULL) runs when the source is freed,
 * also on failure. m is copied. Errors as mrzdev_open, EG_ERR_NOMEM.
 */
int mrz_source_new_acm(const struct usb_transport *t, const struct usb_match *m,
    void (*release)(void *owner), void *owner, const char *desc, struct mrz_source **out);

/*
 * mrz_source_new_hid — the hid backend over any usb_transport t: the HID
 * keyboard interface of the first device matching m (class, subclass and
 * protocol are set here), SET_PROTOCOL(boot), then 8-byte reports from its
 * interrupt-in endpoint, decoded by hidkbd.h; lines that are no MRZ are
 * logged on log (may be NULL) with the reason. t and log are borrowed;
 * release(owner) (may be NULL) runs when the source is freed, also on
 * failure. m is copied. Errors as the transport's open(), EG_ERR_FORMAT (no
 * interrupt-in endpoint), EG_ERR_IO (SET_PROTOCOL refused), EG_ERR_NOMEM.
 * read_doc also returns EG_ERR_IO after several lost reports in a row.
 */
int mrz_source_new_hid(const struct usb_transport *t, const struct usb_match *m,
    const struct eg_log *log, void (*release)(void *owner), void *owner, const char *desc,
    struct mrz_source **out);

#endif
