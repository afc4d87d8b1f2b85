/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_hidkbd.h — an emulated "keyboard wedge" MRZ reader on the umockdev
 * testbed: a USB HID boot keyboard (interface 3/1/1, interrupt IN 0x81)
 * that types text, one press report and one release report per character
 * (US layout: '<' is Shift+','; '\n' is Enter), the reader the MRZ
 * source's `hid` backend drives (firmware/usb/src/mrzhid.c). TEST ONLY.
 * Raw reports (any length) make the readers that misbehave.
 */
#ifndef EGATE_TEST_UMOCK_HIDKBD_H
#define EGATE_TEST_UMOCK_HIDKBD_H

#include <stddef.h>
#include <stdint.h>

#include "umock.h"

#define UMOCK_HIDKBD_VID 0x1209
#define UMOCK_HIDKBD_PID 0x0005

struct umock_hidkbd;

/* umock_hidkbd_add — plug the reader (report protocol, nothing typed).
 * boot: an interface of the boot subclass (else subclass 0: only found by
 * VID:PID). *out: umock_hidkbd_free after umock_free. EG_ERR_NOMEM, or as
 * umock_dev_add. */
int umock_hidkbd_add(struct umock *u, bool boot, struct umock_hidkbd **out);
void umock_hidkbd_free(struct umock_hidkbd **k);
struct umock_dev *umock_hidkbd_dev(struct umock_hidkbd *k);

/* Under the lock (umock_dev_lock): queue text to type (A-Z, 0-9, '<',
 * '\n'; EG_ERR_INVAL for anything else, EG_ERR_OVERFLOW when the queue is
 * full), or one raw report of len (<= 16) bytes. */
int umock_hidkbd_type(struct umock_hidkbd *k, const char *text);
int umock_hidkbd_report(struct umock_hidkbd *k, const uint8_t *rep, size_t len);
/* Under the lock: queue a transfer that the link spoils — it completes with
 * URB status err (-EPROTO: a CRC error, -EPIPE: a stall, -EOVERFLOW:
 * babble) in its turn. EG_ERR_INVAL for err >= 0, EG_ERR_OVERFLOW. */
int umock_hidkbd_link_error(struct umock_hidkbd *k, int err);
/* Under the lock: the protocol the host set (0 boot, 1 report: the power-on
 * default), how many SET_PROTOCOL requests came, reports still queued. */
unsigned umock_hidkbd_protocol(struct umock_hidkbd *k);
unsigned umock_hidkbd_set_protocols(struct umock_hidkbd *k);
size_t umock_hidkbd_queued(struct umock_hidkbd *k);
/* Under the lock: drop every queued report (a reader unplugged loses
 * what it had not sent). */
void umock_hidkbd_clear(struct umock_hidkbd *k);
/* Under the lock: SET_PROTOCOL stalls from now on (a reader that is no boot
 * keyboard after all). */
void umock_hidkbd_refuse_protocol(struct umock_hidkbd *k, bool refuse);

#endif
