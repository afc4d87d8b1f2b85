/* SPDX-License-Identifier: Apache-2.0 */
/* gate_hidrelay.h — the USBRelay HID board as a gate relay (internal to
 * firmware/gate; gate_hidrelay.c, hidrelay_proto.h). */
#ifndef EGATE_GATE_HIDRELAY_H
#define EGATE_GATE_HIDRELAY_H

#include <stdint.h>

#include "egate/log.h"
#include "egate/usb_transport.h"
#include "gate_engine.h"

extern const struct gate_relay_ops gate_hidrelay_ops;

/*
 * gate_hidrelay_new — open the first HID board vid:pid over usb (borrowed;
 * NULL: a libusb context of its own), check that it is a USBRelay board
 * with at least `channel` channels and that it answers GET_REPORT. *out is
 * the relay's ctx for gate_hidrelay_ops (its close() frees it). why gets
 * one line. Errors: EG_ERR_NOT_FOUND, EG_ERR_NO_DEVICE, EG_ERR_PERM,
 * EG_ERR_BUSY, EG_ERR_UNSUPPORTED (not a USBRelay board), EG_ERR_INVAL (no
 * such channel), EG_ERR_FORMAT (malformed descriptors), EG_ERR_DEVICE (no
 * or a malformed GET_REPORT answer), EG_ERR_IO, EG_ERR_NOMEM.
 */
int gate_hidrelay_new(uint16_t vid, uint16_t pid, unsigned channel, const struct usb_transport *usb,
    const struct eg_log *log, void **out, char *why, size_t cap);

#endif
