/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usb_sim.h — the simulator backend of usb_transport: an in-process "bus"
 * of simulated devices (hw/sim/), driven through exactly the same ops table
 * as real hardware.
 *
 * A simulated device is any object with a struct usb_sim_device_ops. The bus
 * forwards transport calls to it synchronously: there is no thread and no
 * waiting, so a bulk_in with nothing queued returns EG_ERR_TIMEOUT at once
 * (the requested timeout is passed on so a simulator can record it).
 *
 * Unplug is modelled by generation(): 0 while unplugged, and a new non-zero
 * value after every re-plug. A handle remembers the generation it was opened
 * at; once that changes, every op on it fails with EG_ERR_NO_DEVICE — as a
 * libusb handle does after a real unplug — and the driver must reopen.
 */
#ifndef EGATE_USB_SIM_H
#define EGATE_USB_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "egate/usb_transport.h"

struct usb_sim_device_ops {
	/* generation — 0 when unplugged, else a plug counter. */
	unsigned (*generation)(void *dev);
	/* describe — as usb_transport_ops.get_descriptors (bus/address are
	 * filled in by the bus). With extra == NULL only *info is filled and
	 * *len gets the size the extra bytes need. */
	int (*describe)(void *dev, struct usb_dev_info *info, uint8_t *extra,
	    size_t cap, size_t *len);
	int (*bulk_out)(void *dev, const uint8_t *data, size_t len,
	    unsigned timeout_ms);
	int (*bulk_in)(void *dev, uint8_t *buf, size_t cap, size_t *got,
	    unsigned timeout_ms);
	int (*interrupt_in)(void *dev, uint8_t *buf, size_t cap, size_t *got,
	    unsigned timeout_ms);		/* may be NULL: no such endpoint */
	int (*control)(void *dev, uint8_t request_type, uint8_t request,
	    uint16_t value, uint16_t index, uint8_t *data, size_t len,
	    size_t *got, unsigned timeout_ms);	/* may be NULL: stalls */
	int (*clear_halt)(void *dev, enum usb_ep ep);
};

struct usb_sim_bus;

#define USB_SIM_MAX_DEVICES 16

extern const struct usb_transport_ops usb_sim_ops;

/* usb_sim_bus_new — an empty bus. EG_OK or EG_ERR_NOMEM; free with
 * usb_sim_bus_free(), which sets *bus to NULL (NULL allowed). The bus does
 * not own the devices added to it. */
int usb_sim_bus_new(struct usb_sim_bus **bus);
void usb_sim_bus_free(struct usb_sim_bus **bus);

/* usb_sim_bus_add — attach a device (borrowed; must outlive the bus and every
 * handle). It gets bus 1 and the next address. EG_ERR_OVERFLOW when full. */
int usb_sim_bus_add(struct usb_sim_bus *bus,
    const struct usb_sim_device_ops *ops, void *dev);

/* usb_sim_bus_transport — the transport value for drivers. */
struct usb_transport usb_sim_bus_transport(struct usb_sim_bus *bus);

#endif
