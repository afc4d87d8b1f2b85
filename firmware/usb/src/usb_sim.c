/* SPDX-License-Identifier: Apache-2.0 */
/* usb_sim.c — the simulator backend of usb_transport (see usb_sim.h). */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/usb_sim.h"

struct usb_sim_slot {
	const struct usb_sim_device_ops *ops;
	void *dev;
	uint8_t address;
};

struct usb_sim_bus {
	struct usb_sim_slot slot[USB_SIM_MAX_DEVICES];
	size_t n;
};

struct usb_sim_handle {
	struct usb_sim_slot *slot;
	unsigned generation;	/* of the device when opened */
};

int
usb_sim_bus_new(struct usb_sim_bus **bus)
{
	if (bus == NULL)
		return EG_ERR_INVAL;
	*bus = calloc(1, sizeof(**bus));
	return *bus != NULL ? EG_OK : EG_ERR_NOMEM;
}

void
usb_sim_bus_free(struct usb_sim_bus **bus)
{
	if (bus == NULL || *bus == NULL)
		return;
	free(*bus);
	*bus = NULL;
}

int
usb_sim_bus_add(struct usb_sim_bus *bus, const struct usb_sim_device_ops *ops,
    void *dev)
{
	if (bus == NULL || ops == NULL || ops->generation == NULL ||
	    ops->describe == NULL || ops->bulk_out == NULL ||
	    ops->bulk_in == NULL || ops->clear_halt == NULL)
		return EG_ERR_INVAL;
	if (bus->n >= USB_SIM_MAX_DEVICES)
		return EG_ERR_OVERFLOW;
	bus->slot[bus->n].ops = ops;
	bus->slot[bus->n].dev = dev;
	bus->slot[bus->n].address = (uint8_t)(bus->n + 2);
	bus->n++;
	return EG_OK;
}

struct usb_transport
usb_sim_bus_transport(struct usb_sim_bus *bus)
{
	struct usb_transport t = { .ops = &usb_sim_ops, .backend = bus };

	return t;
}

static int
sim_describe(struct usb_sim_slot *s, struct usb_dev_info *info, uint8_t *extra,
    size_t cap, size_t *len)
{
	int ret = s->ops->describe(s->dev, info, extra, cap, len);

	if (ret == EG_OK && info != NULL) {
		info->bus = 1;
		info->address = s->address;
	}
	return ret;
}

static int
sim_matches(struct usb_sim_slot *s, const struct usb_match *m)
{
	struct usb_dev_info info;
	size_t len = 0;

	memset(&info, 0, sizeof(info));
	if (s->ops->generation(s->dev) == 0)
		return 0;
	if (sim_describe(s, &info, NULL, 0, &len) != EG_OK)
		return 0;
	if (m->bus != 0 && m->address != 0)
		return m->bus == info.bus && m->address == info.address &&
		    (m->iface_class == 0 || m->iface_class == info.iface_class);
	return (m->vid == 0 || m->vid == info.vid) &&
	    (m->pid == 0 || m->pid == info.pid) &&
	    (m->iface_class == 0 || m->iface_class == info.iface_class) &&
	    (m->serial[0] == '\0' ||
	     strncmp(m->serial, info.serial, sizeof(info.serial)) == 0);
}

static int
sim_open(void *backend, const struct usb_match *m, void **dev)
{
	struct usb_sim_bus *bus = backend;
	struct usb_sim_handle *h;
	size_t i;

	if (bus == NULL || m == NULL || dev == NULL)
		return EG_ERR_INVAL;
	*dev = NULL;
	for (i = 0; i < bus->n; i++) {
		if (!sim_matches(&bus->slot[i], m))
			continue;
		h = calloc(1, sizeof(*h));
		if (h == NULL)
			return EG_ERR_NOMEM;
		h->slot = &bus->slot[i];
		h->generation = h->slot->ops->generation(h->slot->dev);
		*dev = h;
		return EG_OK;
	}
	return EG_ERR_NOT_FOUND;
}

static void
sim_close(void *backend, void *dev)
{
	(void)backend;
	free(dev);
}

/* The handle is live while the device is plugged in at the generation the
 * handle was opened at. */
static struct usb_sim_slot *
sim_live(void *dev)
{
	struct usb_sim_handle *h = dev;

	if (h == NULL || h->slot->ops->generation(h->slot->dev) != h->generation)
		return NULL;
	return h->slot;
}

static int
sim_bulk_out(void *dev, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	struct usb_sim_slot *s = sim_live(dev);

	if (s == NULL)
		return EG_ERR_NO_DEVICE;
	return s->ops->bulk_out(s->dev, data, len, timeout_ms);
}

static int
sim_bulk_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct usb_sim_slot *s = sim_live(dev);

	*got = 0;
	if (s == NULL)
		return EG_ERR_NO_DEVICE;
	return s->ops->bulk_in(s->dev, buf, cap, got, timeout_ms);
}

static int
sim_interrupt_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct usb_sim_slot *s = sim_live(dev);

	*got = 0;
	if (s == NULL)
		return EG_ERR_NO_DEVICE;
	if (s->ops->interrupt_in == NULL)
		return EG_ERR_UNSUPPORTED;
	return s->ops->interrupt_in(s->dev, buf, cap, got, timeout_ms);
}

static int
sim_control(void *dev, uint8_t request_type, uint8_t request, uint16_t value,
    uint16_t index, uint8_t *data, size_t len, size_t *got,
    unsigned timeout_ms)
{
	struct usb_sim_slot *s = sim_live(dev);

	if (got != NULL)
		*got = 0;
	if (s == NULL)
		return EG_ERR_NO_DEVICE;
	if (s->ops->control == NULL)
		return EG_ERR_IO;	/* a real device stalls EP0 */
	return s->ops->control(s->dev, request_type, request, value, index,
	    data, len, got, timeout_ms);
}

static int
sim_get_descriptors(void *dev, struct usb_dev_info *info, uint8_t *extra,
    size_t cap, size_t *len)
{
	struct usb_sim_slot *s = sim_live(dev);

	if (s == NULL)
		return EG_ERR_NO_DEVICE;
	return sim_describe(s, info, extra, cap, len);
}

static int
sim_clear_halt(void *dev, enum usb_ep ep)
{
	struct usb_sim_slot *s = sim_live(dev);

	if (s == NULL)
		return EG_ERR_NO_DEVICE;
	return s->ops->clear_halt(s->dev, ep);
}

const struct usb_transport_ops usb_sim_ops = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.bulk_out = sim_bulk_out,
	.bulk_in = sim_bulk_in,
	.interrupt_in = sim_interrupt_in,
	.control = sim_control,
	.get_descriptors = sim_get_descriptors,
	.clear_halt = sim_clear_halt,
};
