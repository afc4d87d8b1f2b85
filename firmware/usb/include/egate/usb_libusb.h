/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_libusb.h — the libusb-1.0 backend of usb_transport (real hardware).
 *
 * All libusb state hangs off struct usb_libusb (its own libusb_context); there
 * are no globals, so several can coexist (tests, the kiosk, a CLI tool).
 *
 *   struct usb_libusb *lu;
 *   usb_libusb_new(&lu);
 *   struct usb_transport t = usb_libusb_transport(lu);
 *   ccid_open(&dev, &t, &match, &profiles, NULL);
 *   ...
 *   usb_libusb_free(&lu);      // after every device opened through it
 */
#ifndef EGATE_USB_LIBUSB_H
#define EGATE_USB_LIBUSB_H

#include <stddef.h>

#include "egate/usb_profile.h"
#include "egate/usb_transport.h"

struct usb_libusb;

extern const struct usb_transport_ops usb_libusb_ops;

/* usb_libusb_new — a libusb context. EG_OK, EG_ERR_NOMEM, or EG_ERR_IO when
 * libusb cannot initialise (e.g. no usbfs in a container). */
int usb_libusb_new(struct usb_libusb **lu);
/* usb_libusb_free — release the context; sets *lu to NULL. NULL allowed. */
void usb_libusb_free(struct usb_libusb **lu);

struct usb_transport usb_libusb_transport(struct usb_libusb *lu);

/*
 * usb_libusb_enumerate — list attached devices that have an interface of
 * class iface_class (e.g. 0x0B) OR whose VID:PID is in profiles (may be NULL).
 * Up to cap entries go to out[] (identity only; iface fields describe the
 * first matching interface); *n is the number found (may exceed cap).
 * EG_OK or EG_ERR_IO.
 */
int usb_libusb_enumerate(struct usb_libusb *lu, uint8_t iface_class,
    const struct usb_profile_table *profiles, struct usb_dev_info *out,
    size_t cap, size_t *n);

/* Hotplug: cb(user, arrived, info) for every arrival/departure of a device
 * matching as for usb_libusb_enumerate. Events are delivered from inside
 * usb_libusb_handle_events(). EG_ERR_UNSUPPORTED when libusb lacks hotplug. */
typedef void (*usb_hotplug_cb)(void *user, int arrived,
    const struct usb_dev_info *info);
int usb_libusb_hotplug_start(struct usb_libusb *lu, uint8_t iface_class,
    const struct usb_profile_table *profiles, usb_hotplug_cb cb, void *user);
/* usb_libusb_handle_events — run libusb's event loop for up to timeout_ms. */
int usb_libusb_handle_events(struct usb_libusb *lu, unsigned timeout_ms);

#endif
