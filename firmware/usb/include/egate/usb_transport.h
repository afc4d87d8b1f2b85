/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_transport.h — the one device interface of the USB drivers.
 *
 * Drivers (CCID, the MRZ line reader) never call libusb: they hold a
 * `struct usb_transport` — a const ops table plus the backend's own state —
 * and a device handle that the backend's open() returned. Backends:
 *
 *   usb_libusb_ops  real devices through libusb-1.0   (usb_libusb.h)
 *   usb_sim_ops     simulated devices in-process       (usb_sim.h)
 *   (tests/fuzz)    a fuzz backend whose bulk_in returns fuzzer bytes
 *
 * A handle is bound to ONE interface of the device (chosen by class in
 * struct usb_match): bulk_out/bulk_in/interrupt_in use that interface's
 * endpoints, so drivers never deal in endpoint addresses.
 *
 * Every op returns an eg_err:
 *   EG_OK
 *   EG_ERR_NO_DEVICE  the device was unplugged (the handle stays valid
 *                     until close; every further op fails the same way)
 *   EG_ERR_TIMEOUT    nothing arrived / could be sent within timeout_ms
 *   EG_ERR_IO         endpoint stalled (call clear_halt) or other I/O error
 *   EG_ERR_OVERFLOW   the device sent more than the caller's buffer holds
 *   EG_ERR_PERM       no permission to open the device (see hw/udev/)
 *   EG_ERR_NOT_FOUND  open(): no matching device
 *   EG_ERR_FORMAT     open(): a matching device whose configuration
 *                     descriptors cannot be parsed (libusb refuses them)
 *   EG_ERR_BUSY       open(): another process or driver holds the interface
 *   EG_ERR_INVAL      bad arguments
 * A timeout of 0 means "no timeout" for libusb; drivers always pass one.
 */
#ifndef EGATE_USB_TRANSPORT_H
#define EGATE_USB_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#define USB_CLASS_HID          0x03
#define USB_CLASS_CDC_DATA     0x0A
#define USB_CLASS_SMART_CARD   0x0B
#define USB_CLASS_VIDEO        0x0E

/* Which endpoint of the bound interface (for clear_halt). */
enum usb_ep {
	USB_EP_BULK_OUT = 0,
	USB_EP_BULK_IN = 1,
	USB_EP_INTR_IN = 2,
};

/*
 * What to open. A zero field matches anything. When bus and address are
 * non-zero they select one device; otherwise the first device whose VID/PID
 * match (and, if serial[0], whose serial matches) is taken. iface_class picks
 * the interface to bind (required, e.g. USB_CLASS_SMART_CARD); when
 * iface_subclass or iface_protocol is non-zero, the interface must have
 * that one too (a HID boot keyboard: 3/1/1). The simulator's transport
 * (usb_sim.h) matches the class only.
 */
struct usb_match {
	uint16_t vid, pid;
	uint8_t bus, address;
	uint8_t iface_class;
	char serial[64];
	uint8_t iface_subclass, iface_protocol;
};

/* Device identity and the bound interface, as the device reports them. */
struct usb_dev_info {
	uint16_t vid, pid, bcd_device;
	uint8_t bus, address;
	uint8_t iface_number;
	uint8_t iface_class;
	uint8_t iface_subclass, iface_protocol;	/* 0 from the simulator */
	uint16_t max_packet_in;	/* wMaxPacketSize of the bulk-in endpoint */
	uint8_t has_intr_in;	/* the interface has an interrupt-in endpoint */
	char serial[64];	/* iSerialNumber string, "" when none */
};

struct usb_transport_ops {
	const char *name;
	/* open — bind a device interface. *dev receives the backend's handle,
	 * owned by the caller and released with close(). */
	int (*open)(void *backend, const struct usb_match *m, void **dev);
	/* close — release a handle (NULL allowed); safe after unplug. */
	void (*close)(void *backend, void *dev);
	int (*bulk_out)(void *dev, const uint8_t *data, size_t len,
	    unsigned timeout_ms);
	/* bulk_in / interrupt_in — read one transfer of up to cap bytes. */
	int (*bulk_in)(void *dev, uint8_t *buf, size_t cap, size_t *got,
	    unsigned timeout_ms);
	int (*interrupt_in)(void *dev, uint8_t *buf, size_t cap, size_t *got,
	    unsigned timeout_ms);
	/* control — a control transfer; direction from bit 7 of request_type.
	 * For IN transfers up to len bytes land in data and *got says how many. */
	int (*control)(void *dev, uint8_t request_type, uint8_t request,
	    uint16_t value, uint16_t index, uint8_t *data, size_t len,
	    size_t *got, unsigned timeout_ms);
	/* get_descriptors — identity in *info (may be NULL) and the bound
	 * interface's class-specific descriptor bytes (the "extra" bytes after
	 * the interface descriptor, e.g. the 54-byte CCID descriptor) copied
	 * into extra[0..cap), length in *len. EG_ERR_OVERFLOW if cap is short. */
	int (*get_descriptors)(void *dev, struct usb_dev_info *info,
	    uint8_t *extra, size_t cap, size_t *len);
	/* clear_halt — clear a stall on one endpoint of the bound interface. */
	int (*clear_halt)(void *dev, enum usb_ep ep);
};

/* A transport: an ops table and the backend state it is called with.
 * Plain value, owned by whoever set it up (usb_libusb_new, usb_sim_bus_new,
 * a test); it must outlive every driver opened through it. */
struct usb_transport {
	const struct usb_transport_ops *ops;
	void *backend;
};

#endif
