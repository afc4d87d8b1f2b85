/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock.h — emulated USB devices where the kernel would be. TEST ONLY.
 *
 * A umockdev testbed (libumockdev, Debian 12: 0.17) fakes /sys and /dev for
 * a process that runs with libumockdev-preload.so in LD_PRELOAD. On top of
 * it this library puts USB devices whose /dev/bus/usb/BBB/DDD node answers
 * the usbdevfs ioctls libusb issues (claim, SUBMITURB / REAPURB for control,
 * bulk and interrupt transfers, CLEAR_HALT, ...) from a device model:
 *
 *   umock_usb.c   the testbed and the usbdevfs engine (this header)
 *   umock_ccid.c  a CCID reader: the simulated reader hw/sim/sim_ccid.c
 *                 (with the simulated ePassport or any sim_card inside)
 *   umock_acm.c   a CDC-ACM MRZ reader: hw/sim/sim_mrz.c
 *   umock_uvc.c   a UVC camera streaming MJPEG or YUYV frames (bulk)
 *   umock_hidrelay.c  the gate's USBRelay HID board
 *   umock_hidkbd.c    a keyboard-wedge MRZ reader (HID boot keyboard)
 *
 * So the production code (usb_libusb.c, ccid.c, mrzdev.c, camera_uvc.c and
 * libusb / libuvc themselves) runs unchanged: enumeration through libudev
 * and sysfs, descriptor parsing from the sysfs `descriptors` file, open,
 * claim and every transfer through usbdevfs ioctls.
 *
 * Threads: umockdev answers ioctls on its own worker thread; each device has
 * a lock held around every call into its model, so a test thread changes a
 * model (insert a card, feed MRZ text, arm a fault) between
 * umock_dev_lock() and umock_dev_unlock().
 *
 * Unplug and replug go through the testbed like the kernel's: the device's
 * pending and later URBs fail with ENODEV, a "remove" uevent is sent and the
 * sysfs entry and node disappear; a replug creates the device again with the
 * next device address and sends "add" (libusb's udev monitor sees both).
 *
 * One struct umock per process: the testbed sets $UMOCKDEV_DIR, which the
 * preload library reads.
 */
#ifndef EGATE_TEST_UMOCK_H
#define EGATE_TEST_UMOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct umock;
struct umock_dev;

/* umock_preloaded — the process runs with libumockdev-preload in LD_PRELOAD
 * (umockdev's own check only works once a testbed exists, and caches). */
bool umock_preloaded(void);

/*
 * umock_new — a testbed. The programs under test must run under the preload
 * (this process, or children started after it: they inherit $UMOCKDEV_DIR).
 * EG_ERR_NOMEM, EG_ERR_IO.
 */
int umock_new(struct umock **out);
/* umock_free — remove every device and the testbed; *u = NULL. NULL ok. */
void umock_free(struct umock **u);
/* umock_root — the testbed's root directory ($UMOCKDEV_DIR). */
const char *umock_root(const struct umock *u);

/* Outcome of one request of the model, as the kernel reports URB status. */
#define UMOCK_PENDING (-1000)	/* IN: nothing yet, the URB stays queued */

/*
 * A device model. Every callback runs with the device lock held, on the
 * testbed's worker thread, and must not block. Returns are >= 0 for
 * success or a negative errno for the URB's status: -EPIPE (stall),
 * -EOVERFLOW (babble), -EPROTO, -ENODEV; UMOCK_PENDING for an IN transfer
 * that has no data yet.
 */
struct umock_dev_ops {
	/* control — a class or vendor request on EP0 (standard ones are
	 * answered by the engine from the descriptors). setup is the 8-byte
	 * setup packet; data holds wLength bytes (OUT: to read, IN: to fill).
	 * Returns the bytes transferred. NULL: such requests stall. */
	int (*control)(void *ctx, const uint8_t setup[8], uint8_t *data,
	    size_t len);
	/* out — a bulk or interrupt OUT transfer on endpoint ep. */
	int (*out)(void *ctx, uint8_t ep, const uint8_t *data, size_t len);
	/* in — a bulk or interrupt IN transfer: up to cap bytes into buf,
	 * returns the count, or UMOCK_PENDING. */
	int (*in)(void *ctx, uint8_t ep, uint8_t *buf, size_t cap);
	/* clear_halt — the host cleared a stall (may be NULL). */
	void (*clear_halt)(void *ctx, uint8_t ep);
	/* set_interface — SET_INTERFACE (may be NULL: any alt accepted). */
	int (*set_interface)(void *ctx, unsigned iface, unsigned alt);
	/* released — the host released interface iface (may be NULL). */
	void (*released)(void *ctx, unsigned iface);
};

#define UMOCK_MAX_STRINGS 8

/* What the device says about itself. All bytes are copied. */
struct umock_dev_desc {
	const uint8_t *desc;	/* device descriptor (18 bytes) followed by the
				 * whole configuration descriptor, as on the wire
				 * (and in sysfs `descriptors`) */
	size_t len;
	const char *strings[UMOCK_MAX_STRINGS];	/* string index 1.. (ASCII) */
	unsigned speed_mbps;	/* 12, 480, ...; 0: 480 */
};

/*
 * umock_dev_add — plug a device into the testbed (bus 1, next address) and
 * send "add". ops/ctx are borrowed and must outlive the device. The engine
 * does not check the descriptors: a malformed set is exactly what some tests
 * want. *out belongs to the testbed (freed by umock_free).
 * EG_ERR_INVAL, EG_ERR_NOMEM, EG_ERR_IO (the testbed refused the device).
 */
int umock_dev_add(struct umock *u, const struct umock_dev_desc *desc,
    const struct umock_dev_ops *ops, void *ctx, struct umock_dev **out);

/* umock_dev_unplug — the device leaves (see above). No-op when gone. */
void umock_dev_unplug(struct umock_dev *d);
/* umock_dev_replug — it comes back with the next address. EG_OK or as
 * umock_dev_add. */
int umock_dev_replug(struct umock_dev *d);
/* umock_dev_gone — true between unplug and replug. */
bool umock_dev_gone(struct umock_dev *d);
/* umock_dev_gone_async — for models: ask for an unplug from inside a
 * callback (a reader that dies mid-transfer). URBs fail with ENODEV at once;
 * the uevent and sysfs removal follow on the next umock_dev_sync() (any
 * thread but the worker) or umock_dev_unplug(). */
void umock_dev_gone_async(struct umock_dev *d);
/* umock_dev_sync — finish an unplug requested with umock_dev_gone_async. */
void umock_dev_sync(struct umock_dev *d);

/* The lock around the model (see Threads). Not recursive. */
void umock_dev_lock(struct umock_dev *d);
void umock_dev_unlock(struct umock_dev *d);

/* Identity now: bus 1, the current address; the node path
 * "/dev/bus/usb/001/DDD" into path[0..cap). */
uint8_t umock_dev_address(struct umock_dev *d);
void umock_dev_node(struct umock_dev *d, char *path, size_t cap);

/* Counters (for tests and the benchmark). */
struct umock_stats {
	unsigned ioctls;	/* every usbdevfs ioctl answered */
	unsigned submits;	/* SUBMITURB */
	unsigned reaps;		/* URBs handed back by REAPURB(NDELAY) */
	unsigned reap_empty;	/* REAPURBNDELAY with nothing to give: EAGAIN */
	unsigned discards;	/* DISCARDURB that found the URB */
	unsigned controls;	/* control URBs */
	unsigned stalls;	/* URBs completed with -EPIPE */
	unsigned claims;	/* CLAIMINTERFACE / DISCONNECT_CLAIM */
	unsigned detach_claims;	/* DISCONNECT_CLAIM: claimed with the kernel's
				 * driver detached (libusb's auto-detach) */
	unsigned reattaches;	/* USBDEVFS_IOCTL(CONNECT): the kernel's driver
				 * asked back (auto-detach, on release) */
	unsigned clear_halts;
	unsigned enodev;	/* requests refused with ENODEV */
};
void umock_dev_stats(struct umock_dev *d, struct umock_stats *st);

/* ---- descriptor building (tests build malformed sets too) --------------- */

struct umock_buf {
	uint8_t b[4096];
	size_t n;
	bool overflow;
};
void umock_put(struct umock_buf *b, const void *p, size_t n);
void umock_put_u8(struct umock_buf *b, uint8_t v);
void umock_put_le16(struct umock_buf *b, uint16_t v);
void umock_put_le32(struct umock_buf *b, uint32_t v);
/* umock_put_device — an 18-byte device descriptor (strings 1, 2, 3). */
void umock_put_device(struct umock_buf *b, uint8_t cls, uint16_t vid,
    uint16_t pid, uint16_t bcd, uint8_t mps0);
/* umock_put_config — a configuration header; wTotalLength is patched by
 * umock_config_done(b, at) where at is b->n before this call. */
void umock_put_config(struct umock_buf *b, uint8_t nifaces);
void umock_config_done(struct umock_buf *b, size_t at);
void umock_put_iface(struct umock_buf *b, uint8_t num, uint8_t alt,
    uint8_t neps, uint8_t cls, uint8_t sub, uint8_t proto);
void umock_put_ep(struct umock_buf *b, uint8_t addr, uint8_t type,
    uint16_t mps, uint8_t interval);

/* ---- simulated devices of hw/sim/ behind the engine (umock_sim.c) ------- */

struct usb_sim_device_ops;
struct umock_sim;

/* Endpoints the bridge gives a simulated device. */
#define UMOCK_EP_OUT  0x01
#define UMOCK_EP_IN   0x82
#define UMOCK_EP_INTR 0x83

/*
 * umock_sim_desc — the descriptors of a simulated device (hw/sim/, any
 * struct usb_sim_device_ops): its describe() gives VID:PID, bcdDevice,
 * interface class, wMaxPacketSize and the class-specific bytes (the CCID
 * descriptor). A smart-card reader gets one interface (bulk OUT, bulk IN,
 * interrupt IN when it has one); a CDC data device gets a CDC-ACM
 * communication interface (0, with its functional descriptors and an
 * interrupt endpoint) and the data interface (1). Tests edit the bytes to
 * make malformed sets. EG_OK or the describe() error.
 */
int umock_sim_desc(const struct usb_sim_device_ops *ops, void *dev,
    struct umock_buf *out);

/*
 * umock_sim_add — put simulated device dev (borrowed) on the testbed with
 * descriptors desc (NULL: umock_sim_desc's) and strings manufacturer /
 * product (serial: describe()'s). replug (may be NULL) is called to bring
 * the simulated device back before a replug (sim_ccid_replug). The bridge
 * calls ops under the device lock; a simulated unplug (generation 0) fails
 * the transfers with ENODEV at once (umock_dev_sync finishes it).
 * *out belongs to the caller (umock_sim_free), after umock_free of u.
 */
int umock_sim_add(struct umock *u, const struct usb_sim_device_ops *ops,
    void *dev, const struct umock_buf *desc, const char *manufacturer,
    const char *product, void (*replug)(void *dev), struct umock_sim **out);
void umock_sim_free(struct umock_sim **s);
struct umock_dev *umock_sim_dev(struct umock_sim *s);
/* umock_sim_unplug / umock_sim_replug — the simulated device and its USB
 * presence together (the simulator's own unplug must be called by the
 * caller when it has one). */
void umock_sim_unplug(struct umock_sim *s);
int umock_sim_replug(struct umock_sim *s);

/* Faults of the USB link itself (the simulators cover the protocol's), for
 * the NEXT IN transfer that has data on endpoint ep. Taken under the lock. */
enum umock_in_fault {
	UMOCK_IN_OK = 0,
	UMOCK_IN_TRUNCATE,	/* only the first n bytes arrive */
	UMOCK_IN_BABBLE,	/* the device sent more than asked: -EOVERFLOW */
	UMOCK_IN_PROTO,		/* CRC / bit-stuffing error: -EPROTO */
	UMOCK_IN_SILENT,	/* the data is lost: the transfer never ends */
};
void umock_sim_arm_in(struct umock_sim *s, uint8_t ep, enum umock_in_fault f,
    size_t n);

#endif
