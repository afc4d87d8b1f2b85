/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mrzdev.h — driver for MRZ (OCR) line readers that present themselves as a
 * CDC-ACM serial line: the reader scans the document's machine-readable zone
 * and sends each MRZ line as ASCII terminated by CR, LF or CR LF.
 *
 * The driver reads bulk-in transfers through a usb_transport, frames lines,
 * and enforces a bound on line length. It does NOT check the MRZ check digits
 * (that is the MRZ parser's job): it only delivers the lines.
 *
 * MRZ text is personal data: the driver wipes its buffers when freed.
 */
#ifndef EGATE_MRZDEV_H
#define EGATE_MRZDEV_H

#include <stddef.h>
#include <stdint.h>

#include "egate/usb_transport.h"

#define MRZDEV_MAX_LINE 88	/* twice the longest MRZ line (TD3: 44) */

struct mrzdev;

/* One document's MRZ: TD1 (3 lines of 30), TD2 (2 x 36) or TD3 (2 x 44). */
struct mrzdev_doc {
	char line[3][MRZDEV_MAX_LINE + 1];
	unsigned nlines;
	unsigned width;		/* 30, 36 or 44 */
};

/*
 * mrzdev_open — open the first device matching m through t; m->iface_class
 * 0 means CDC data (0x0A). t is borrowed and must outlive the device.
 * Errors as the transport's open(), EG_ERR_NOMEM.
 */
int mrzdev_open(struct mrzdev **out, const struct usb_transport *t,
    const struct usb_match *m);
/* mrzdev_free — close, wipe buffers, free; sets *d to NULL. NULL allowed. */
void mrzdev_free(struct mrzdev **d);

/*
 * mrzdev_read_line — the next non-empty line, without its CR/LF, as a
 * NUL-terminated string in line[0..cap). Waits at most timeout_ms overall.
 * EG_OK; EG_ERR_TIMEOUT; EG_ERR_OVERFLOW for a line over MRZDEV_MAX_LINE
 * or over cap-1 (the line is discarded up to its end, the next call reads
 * the next line); EG_ERR_FORMAT for a line holding bytes outside printable
 * ASCII (discarded likewise); EG_ERR_NO_DEVICE and other transport errors.
 */
int mrzdev_read_line(struct mrzdev *d, char *line, size_t cap,
    unsigned timeout_ms);

/*
 * mrzdev_read_doc — read lines until they form one MRZ: the first line's
 * length (30, 36 or 44) fixes the format, the following lines must have the
 * same length, and every character must be A-Z, 0-9 or '<'. A line that
 * breaks this is reported (EG_ERR_FORMAT) and the document discarded; the
 * next call starts afresh. Errors as mrzdev_read_line.
 */
int mrzdev_read_doc(struct mrzdev *d, struct mrzdev_doc *doc,
    unsigned timeout_ms);

/*
 * mrzdev_doc_assemble — the document rule of mrzdev_read_doc over any line
 * source (mrzdoc.c; the CDC-ACM driver and the HID keyboard reader share
 * it): read_line(ctx, line, cap, timeout_ms) answers as mrzdev_read_line,
 * and is given what is left of timeout_ms. On any error doc is wiped.
 * Errors: EG_ERR_INVAL, EG_ERR_FORMAT, and whatever read_line returns.
 */
typedef int (*mrzdev_line_fn)(void *ctx, char *line, size_t cap, unsigned timeout_ms);
int mrzdev_doc_assemble(struct mrzdev_doc *doc, mrzdev_line_fn read_line, void *ctx,
    unsigned timeout_ms);

/* mrzdev_now_ms — CLOCK_MONOTONIC in ms: the deadlines of every MRZ reader
 * backend (mrzdoc.c). */
uint64_t mrzdev_now_ms(void);

#endif
