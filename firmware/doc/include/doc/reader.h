/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reader.h — the document reader: where the passport lies. One object over
 * one ops table per backend, chosen at run time from a spec string, for
 * `egate read` and for egate-kiosk alike (docs/devices.md):
 *
 *   usb              the first USB CCID reader (libusb, the CCID driver)
 *   usb:VID:PID      a CCID reader by USB ids, in hex ("usb:076b:5422")
 *   vpcd[:PORT]      a vpcd virtual reader (vsmartcard), default port 35963
 *   NAME:ARG         a backend the caller adds (doc_reader_opts.extra): the
 *                    simulated reader "sim:PROFILE" of hw/sim/ is one; the
 *                    product links none
 *
 * Use:
 *   doc_reader_open("usb", &o, &r, err, sizeof(err));
 *   doc_reader_wait_event(r, 500, &ev);        // a card placed / removed
 *   doc_reader_card(r, &card); doc_read(&card, ...);
 *   doc_reader_card_present(r, &present);      // after a failed read
 *   ... EG_ERR_NO_DEVICE: doc_reader_reconnect(r) until EG_OK
 *   doc_reader_free(&r);
 *
 * Every call returns an eg_err; EG_ERR_NO_DEVICE means the reader is gone
 * (every call fails that way until doc_reader_reconnect succeeds).
 * A struct doc_reader is used by one thread at a time.
 */
#ifndef EGATE_DOC_READER_H
#define EGATE_DOC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/read.h"
#include "egate/ccid.h"
#include "egate/log.h"
#include "egate/usb_profile.h"

enum doc_reader_event {
	DOC_READER_NONE = 0,
	DOC_READER_CARD_PLACED,
	DOC_READER_CARD_REMOVED,
	DOC_READER_HW_ERROR,		/* the reader reported a hardware error */
};

const char *doc_reader_event_str(enum doc_reader_event e);

/*
 * The backend interface. ctx is what open() returned. Return values are
 * EG_OK or a negative enum eg_err.
 */
struct doc_reader_ops {
	const char *name;		/* the spec's NAME */
	const char *usage;		/* "usb[:VID:PID]" for messages */
	int (*power_on)(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len);
	int (*power_off)(void *ctx);
	/* card_present — is a card in the reader now (asks the reader). */
	int (*card_present)(void *ctx, bool *present);
	/* wait_event — a card placed or removed within timeout_ms:
	 * EG_OK with *ev set, EG_ERR_TIMEOUT when nothing happened. */
	int (*wait_event)(void *ctx, unsigned timeout_ms, enum doc_reader_event *ev);
	int (*transmit)(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu,
	    size_t cap, size_t *rlen);
	/* reconnect — after EG_ERR_NO_DEVICE: EG_OK once the reader is back,
	 * EG_ERR_NOT_FOUND / EG_ERR_NO_DEVICE while it is not. */
	int (*reconnect)(void *ctx);
	/* max_rapdu — the longest response APDU one exchange carries (0:
	 * short APDUs only); see doc_card.max_rapdu. */
	size_t (*max_rapdu)(void *ctx);
	void (*close)(void *ctx);
};

struct doc_reader;
struct doc_reader_opts;

/* A backend a caller adds to the built-in ones (usb, vpcd). open() builds
 * the reader for the spec's ARG (after "NAME:"; "" if none), usually with
 * doc_reader_new_ccid(). self is the backend's own state (borrowed). */
struct doc_reader_backend {
	const char *name;
	const char *usage;
	void *self;
	int (*open)(void *self, const char *arg, const struct doc_reader_opts *o,
	    struct doc_reader **out, char *err, size_t errlen);
};

struct doc_reader_opts {
	/* CCID reader profiles (borrowed; NULL: the installed readers.ini, or
	 * the source tree's when running from a build) */
	const struct usb_profile_table *profiles;
	/* vpcd: wait this long at open for the card side to connect (0: do
	 * not wait; wait_event reports it as CARD_PLACED when it does) */
	unsigned vpcd_wait_ms;
	const struct eg_log *log;	/* may be NULL */
	/* more backends, NULL-terminated (may be NULL) */
	const struct doc_reader_backend *const *extra;
};

/*
 * doc_reader_open — parse spec, pick the backend and open the reader.
 * o may be NULL (defaults). On success *out is owned by the caller
 * (doc_reader_free). err (may be NULL) gets one line on failure.
 * Errors: EG_ERR_INVAL (bad spec; err lists the backends of this build),
 * EG_ERR_NO_DEVICE / EG_ERR_NOT_FOUND (no such reader), EG_ERR_PERM (no
 * access: hw/udev/), EG_ERR_FORMAT (bad CCID descriptor), EG_ERR_UNSUPPORTED
 * (a TPDU-level reader), EG_ERR_IO (libusb unavailable), EG_ERR_NOMEM, and
 * those of the extra backends.
 */
int doc_reader_open(const char *spec, const struct doc_reader_opts *o, struct doc_reader **out,
    char *err, size_t errlen);
/* doc_reader_free — close (through the backend) and free; *r = NULL. NULL-safe. */
void doc_reader_free(struct doc_reader **r);

/*
 * doc_reader_new — a reader over a backend's ops and state (for backends;
 * doc_reader_open does this for the built-in ones). desc is copied (one
 * line for logs: "usb:076B:5422 OMNIKEY 5422"). ops must outlive the
 * reader; ctx is handed to ops->close by doc_reader_free. desc should
 * start with the spec's NAME and a ':' (doc_reader_backend_name).
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM (ctx is then closed).
 */
int doc_reader_new(const struct doc_reader_ops *ops, void *ctx, const char *desc,
    struct doc_reader **out);

/*
 * doc_reader_new_ccid — a reader over an open CCID device d (any
 * usb_transport: libusb, the simulator, umockdev): power, slot status,
 * NotifySlotChange (GetSlotStatus polling for readers without an interrupt
 * endpoint), transmit and reconnect through the CCID driver. d stays the
 * caller's; release(owner) is called by doc_reader_free (may be NULL) to
 * free it and whatever it hangs off. Errors as doc_reader_new (release is
 * then called).
 */
int doc_reader_new_ccid(struct ccid_dev *d, void (*release)(void *owner), void *owner,
    const char *desc, struct doc_reader **out);

/* doc_reader_desc — one line naming the reader (static to r). */
const char *doc_reader_desc(const struct doc_reader *r);
/* doc_reader_backend_name — the spec's NAME ("usb", "vpcd", "sim"): the
 * description up to its first ':' or space. */
const char *doc_reader_backend_name(const struct doc_reader *r);

/* doc_reader_card — the card transport of doc_read() over this reader
 * (borrows r: valid while r is). */
void doc_reader_card(struct doc_reader *r, struct doc_card *card);

int doc_reader_power_off(struct doc_reader *r);
int doc_reader_card_present(struct doc_reader *r, bool *present);
int doc_reader_wait_event(struct doc_reader *r, unsigned timeout_ms, enum doc_reader_event *ev);
int doc_reader_reconnect(struct doc_reader *r);

/* doc_reader_spec_help — the specs this build accepts, for messages:
 * "usb[:VID:PID], vpcd[:PORT]" plus the extra backends of o (may be NULL). */
void doc_reader_spec_help(const struct doc_reader_opts *o, char *buf, size_t cap);

#endif
