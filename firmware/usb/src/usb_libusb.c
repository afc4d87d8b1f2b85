/* SPDX-License-Identifier: Apache-2.0 */
/* usb_libusb.c — libusb-1.0 backend of usb_transport (see usb_libusb.h). */
#include <libusb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/usb_libusb.h"

struct usb_libusb {
	libusb_context *ctx;
	/* hotplug */
	libusb_hotplug_callback_handle hp;
	bool hp_active;
	uint8_t hp_class;
	const struct usb_profile_table *hp_profiles;
	usb_hotplug_cb hp_cb;
	void *hp_user;
};

struct usb_lu_dev {
	libusb_device_handle *h;
	struct usb_dev_info info;
	uint8_t ep_out, ep_in, ep_intr;
	uint8_t extra[512];
	size_t extra_len;
	bool claimed;
};

static int
lu_err(int r)
{
	switch (r) {
	case LIBUSB_SUCCESS: return EG_OK;
	case LIBUSB_ERROR_NO_DEVICE: return EG_ERR_NO_DEVICE;
	case LIBUSB_ERROR_TIMEOUT: return EG_ERR_TIMEOUT;
	case LIBUSB_ERROR_PIPE: return EG_ERR_IO;
	case LIBUSB_ERROR_OVERFLOW: return EG_ERR_OVERFLOW;
	case LIBUSB_ERROR_ACCESS: return EG_ERR_PERM;
	case LIBUSB_ERROR_NOT_FOUND: return EG_ERR_NOT_FOUND;
	case LIBUSB_ERROR_BUSY: return EG_ERR_BUSY;
	case LIBUSB_ERROR_NO_MEM: return EG_ERR_NOMEM;
	case LIBUSB_ERROR_INVALID_PARAM: return EG_ERR_INVAL;
	case LIBUSB_ERROR_NOT_SUPPORTED: return EG_ERR_UNSUPPORTED;
	case LIBUSB_ERROR_INTERRUPTED: return EG_ERR_CANCELLED;
	default: return EG_ERR_IO;
	}
}

int
usb_libusb_new(struct usb_libusb **lu)
{
	int ret = EG_ERR_INVAL;

	if (lu == NULL)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((*lu = calloc(1, sizeof(**lu))) == NULL)
		goto out;
	if (libusb_init(&(*lu)->ctx) != LIBUSB_SUCCESS) {
		free(*lu);
		*lu = NULL;
		ret = EG_ERR_IO;
		goto out;
	}
	ret = EG_OK;
out:
	return ret;
}

void
usb_libusb_free(struct usb_libusb **lu)
{
	if (lu == NULL || *lu == NULL)
		return;
	if ((*lu)->hp_active)
		libusb_hotplug_deregister_callback((*lu)->ctx, (*lu)->hp);
	libusb_exit((*lu)->ctx);
	free(*lu);
	*lu = NULL;
}

struct usb_transport
usb_libusb_transport(struct usb_libusb *lu)
{
	struct usb_transport t = { .ops = &usb_libusb_ops, .backend = lu };

	return t;
}

/* Find the first interface of class cls (any class when 0; and of subclass
 * sub and protocol proto when those are non-zero) in the active
 * configuration; fill identity and endpoints. */
static int
lu_describe(libusb_device *dev, uint8_t cls, uint8_t sub, uint8_t proto,
    struct usb_lu_dev *out)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;
	int i, a, e, ret;

	memset(out, 0, sizeof(*out));
	if ((ret = lu_err(libusb_get_device_descriptor(dev, &dd))) != EG_OK)
		return ret;
	out->info.vid = dd.idVendor;
	out->info.pid = dd.idProduct;
	out->info.bcd_device = dd.bcdDevice;
	out->info.bus = libusb_get_bus_number(dev);
	out->info.address = libusb_get_device_address(dev);
	if ((ret = lu_err(libusb_get_active_config_descriptor(dev, &cfg))) != EG_OK)
		return ret;
	ret = EG_ERR_NOT_FOUND;
	for (i = 0; i < cfg->bNumInterfaces && ret != EG_OK; i++) {
		for (a = 0; a < cfg->interface[i].num_altsetting; a++) {
			const struct libusb_interface_descriptor *id =
			    &cfg->interface[i].altsetting[a];

			if ((cls != 0 && id->bInterfaceClass != cls) ||
			    (sub != 0 && id->bInterfaceSubClass != sub) ||
			    (proto != 0 && id->bInterfaceProtocol != proto))
				continue;
			out->info.iface_number = id->bInterfaceNumber;
			out->info.iface_class = id->bInterfaceClass;
			out->info.iface_subclass = id->bInterfaceSubClass;
			out->info.iface_protocol = id->bInterfaceProtocol;
			for (e = 0; e < id->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep =
				    &id->endpoint[e];
				uint8_t tt = ep->bmAttributes & 0x03;
				bool in = ep->bEndpointAddress & 0x80;

				if (tt == LIBUSB_TRANSFER_TYPE_BULK && in) {
					out->ep_in = ep->bEndpointAddress;
					out->info.max_packet_in = ep->wMaxPacketSize;
				} else if (tt == LIBUSB_TRANSFER_TYPE_BULK) {
					out->ep_out = ep->bEndpointAddress;
				} else if (tt == LIBUSB_TRANSFER_TYPE_INTERRUPT && in) {
					out->ep_intr = ep->bEndpointAddress;
					out->info.has_intr_in = 1;
				}
			}
			/* libusb puts class-specific descriptors (CCID 0x21) in
			 * the interface's extra bytes; some old readers put them
			 * after the last endpoint instead. */
			if (id->extra_length > 0 &&
			    (size_t)id->extra_length <= sizeof(out->extra)) {
				memcpy(out->extra, id->extra, (size_t)id->extra_length);
				out->extra_len = (size_t)id->extra_length;
			} else if (id->bNumEndpoints > 0 &&
			    id->endpoint[id->bNumEndpoints - 1].extra_length > 0 &&
			    (size_t)id->endpoint[id->bNumEndpoints - 1].extra_length <=
			    sizeof(out->extra)) {
				const struct libusb_endpoint_descriptor *ep =
				    &id->endpoint[id->bNumEndpoints - 1];

				memcpy(out->extra, ep->extra, (size_t)ep->extra_length);
				out->extra_len = (size_t)ep->extra_length;
			}
			ret = EG_OK;
			break;
		}
	}
	libusb_free_config_descriptor(cfg);
	return ret;
}

static bool
lu_wanted(const struct usb_dev_info *info, int has_class,
    const struct usb_profile_table *profiles)
{
	return has_class ||
	    usb_profile_find(profiles, info->vid, info->pid) != NULL;
}

int
usb_libusb_enumerate(struct usb_libusb *lu, uint8_t iface_class,
    const struct usb_profile_table *profiles, struct usb_dev_info *out,
    size_t cap, size_t *n)
{
	libusb_device **list = NULL;
	struct usb_lu_dev tmp;
	ssize_t cnt, i;
	int ret = EG_ERR_INVAL;

	if (lu == NULL || n == NULL || (out == NULL && cap > 0))
		goto out;
	*n = 0;
	cnt = libusb_get_device_list(lu->ctx, &list);
	if (cnt < 0) {
		ret = lu_err((int)cnt);
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		int has = lu_describe(list[i], iface_class, 0, 0, &tmp) == EG_OK;

		if (!has && lu_describe(list[i], 0, 0, 0, &tmp) != EG_OK)
			continue;
		if (!lu_wanted(&tmp.info, has, profiles))
			continue;
		if (*n < cap)
			out[*n] = tmp.info;
		(*n)++;
	}
	ret = EG_OK;
out:
	if (list != NULL)
		libusb_free_device_list(list, 1);
	return ret;
}

static int LIBUSB_CALL
lu_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev,
    void *user)
{
	struct usb_libusb *lu = user;
	struct usb_lu_dev tmp;
	int has;

	(void)ctx;
	/* A departed device may no longer give its configuration; its identity
	 * (VID/PID, bus, address) is still known, so profile matches are
	 * reported either way. */
	has = lu_describe(dev, lu->hp_class, 0, 0, &tmp) == EG_OK;
	if (!has)
		(void)lu_describe(dev, 0, 0, 0, &tmp);
	if (tmp.info.vid != 0 && lu_wanted(&tmp.info, has, lu->hp_profiles))
		lu->hp_cb(lu->hp_user, ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED,
		    &tmp.info);
	return 0;
}

int
usb_libusb_hotplug_start(struct usb_libusb *lu, uint8_t iface_class,
    const struct usb_profile_table *profiles, usb_hotplug_cb cb, void *user)
{
	int r;

	if (lu == NULL || cb == NULL || lu->hp_active)
		return EG_ERR_INVAL;
	if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG))
		return EG_ERR_UNSUPPORTED;
	lu->hp_class = iface_class;
	lu->hp_profiles = profiles;
	lu->hp_cb = cb;
	lu->hp_user = user;
	r = libusb_hotplug_register_callback(lu->ctx,
	    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
	    LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY,
	    LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, lu_hotplug, lu,
	    &lu->hp);
	if (r != LIBUSB_SUCCESS)
		return lu_err(r);
	lu->hp_active = true;
	return EG_OK;
}

int
usb_libusb_handle_events(struct usb_libusb *lu, unsigned timeout_ms)
{
	struct timeval tv;

	if (lu == NULL)
		return EG_ERR_INVAL;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
	return lu_err(libusb_handle_events_timeout_completed(lu->ctx, &tv, NULL));
}

static bool
lu_match(const struct usb_match *m, const struct usb_dev_info *info)
{
	if (m->bus != 0 && m->address != 0)
		return m->bus == info->bus && m->address == info->address;
	return (m->vid == 0 || m->vid == info->vid) &&
	    (m->pid == 0 || m->pid == info->pid);
}

static int
lu_open(void *backend, const struct usb_match *m, void **out)
{
	struct usb_libusb *lu = backend;
	libusb_device **list = NULL;
	struct usb_lu_dev *d = NULL;
	ssize_t cnt, i;
	bool bad_desc = false;
	int ret = EG_ERR_INVAL;

	if (lu == NULL || m == NULL || out == NULL)
		goto out;
	*out = NULL;
	ret = EG_ERR_NOMEM;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto out;
	cnt = libusb_get_device_list(lu->ctx, &list);
	if (cnt < 0) {
		ret = lu_err((int)cnt);
		goto out;
	}
	ret = EG_ERR_NOT_FOUND;
	for (i = 0; i < cnt; i++) {
		struct libusb_device_descriptor dd;
		int r;

		r = lu_describe(list[i], m->iface_class, m->iface_subclass,
		    m->iface_protocol, d);
		if (r != EG_OK && r != EG_ERR_NOT_FOUND && ret == EG_ERR_NOT_FOUND &&
		    lu_match(m, &d->info))
			bad_desc = true;	/* it is there, but unreadable */
		if (r != EG_OK || !lu_match(m, &d->info))
			continue;
		if ((r = libusb_open(list[i], &d->h)) != LIBUSB_SUCCESS) {
			ret = lu_err(r);
			d->h = NULL;
			continue;
		}
		if (libusb_get_device_descriptor(list[i], &dd) == 0 &&
		    dd.iSerialNumber != 0)
			(void)libusb_get_string_descriptor_ascii(d->h,
			    dd.iSerialNumber, (unsigned char *)d->info.serial,
			    sizeof(d->info.serial) - 1);
		if (m->serial[0] != '\0' &&
		    strncmp(m->serial, d->info.serial, sizeof(d->info.serial))) {
			libusb_close(d->h);
			d->h = NULL;
			ret = EG_ERR_NOT_FOUND;
			continue;
		}
		(void)libusb_set_auto_detach_kernel_driver(d->h, 1);
		r = libusb_claim_interface(d->h, d->info.iface_number);
		if (r != LIBUSB_SUCCESS) {
			ret = lu_err(r);
			libusb_close(d->h);
			d->h = NULL;
			continue;
		}
		d->claimed = true;
		*out = d;
		d = NULL;
		ret = EG_OK;
		break;
	}
	if (ret == EG_ERR_NOT_FOUND && bad_desc)
		ret = EG_ERR_FORMAT;
out:
	if (list != NULL)
		libusb_free_device_list(list, 1);
	free(d);
	return ret;
}

static void
lu_close(void *backend, void *dev)
{
	struct usb_lu_dev *d = dev;

	(void)backend;
	if (d == NULL)
		return;
	if (d->claimed)
		(void)libusb_release_interface(d->h, d->info.iface_number);
	libusb_close(d->h);
	free(d);
}

static int
lu_xfer(libusb_device_handle *h, uint8_t ep, bool bulk, uint8_t *buf,
    size_t len, size_t *got, unsigned timeout_ms)
{
	int n = 0, r;

	if (len > INT32_MAX)
		return EG_ERR_INVAL;
	r = bulk ? libusb_bulk_transfer(h, ep, buf, (int)len, &n, timeout_ms) :
	    libusb_interrupt_transfer(h, ep, buf, (int)len, &n, timeout_ms);
	if (got != NULL)
		*got = n > 0 ? (size_t)n : 0;
	return lu_err(r);
}

static int
lu_bulk_out(void *dev, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	struct usb_lu_dev *d = dev;
	size_t got = 0;
	int ret;

	if (d->ep_out == 0)
		return EG_ERR_UNSUPPORTED;
	/* libusb's API takes a non-const buffer for both directions. */
	ret = lu_xfer(d->h, d->ep_out, true, (uint8_t *)(uintptr_t)data, len,
	    &got, timeout_ms);
	if (ret == EG_OK && got != len)
		ret = EG_ERR_IO;
	return ret;
}

static int
lu_bulk_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct usb_lu_dev *d = dev;

	*got = 0;
	if (d->ep_in == 0)
		return EG_ERR_UNSUPPORTED;
	return lu_xfer(d->h, d->ep_in, true, buf, cap, got, timeout_ms);
}

static int
lu_interrupt_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct usb_lu_dev *d = dev;

	*got = 0;
	if (d->ep_intr == 0)
		return EG_ERR_UNSUPPORTED;
	return lu_xfer(d->h, d->ep_intr, false, buf, cap, got, timeout_ms);
}

static int
lu_control(void *dev, uint8_t request_type, uint8_t request, uint16_t value,
    uint16_t index, uint8_t *data, size_t len, size_t *got,
    unsigned timeout_ms)
{
	struct usb_lu_dev *d = dev;
	int r;

	if (got != NULL)
		*got = 0;
	if (len > UINT16_MAX)
		return EG_ERR_INVAL;
	r = libusb_control_transfer(d->h, request_type, request, value, index,
	    data, (uint16_t)len, timeout_ms);
	if (r < 0)
		return lu_err(r);
	if (got != NULL)
		*got = (size_t)r;
	return EG_OK;
}

static int
lu_get_descriptors(void *dev, struct usb_dev_info *info, uint8_t *extra,
    size_t cap, size_t *len)
{
	struct usb_lu_dev *d = dev;

	if (info != NULL)
		*info = d->info;
	if (len != NULL)
		*len = d->extra_len;
	if (extra == NULL)
		return EG_OK;
	if (d->extra_len > cap)
		return EG_ERR_OVERFLOW;
	memcpy(extra, d->extra, d->extra_len);
	return EG_OK;
}

static int
lu_clear_halt(void *dev, enum usb_ep ep)
{
	struct usb_lu_dev *d = dev;
	uint8_t addr = ep == USB_EP_BULK_OUT ? d->ep_out :
	    ep == USB_EP_BULK_IN ? d->ep_in : d->ep_intr;

	if (addr == 0)
		return EG_ERR_UNSUPPORTED;
	return lu_err(libusb_clear_halt(d->h, addr));
}

const struct usb_transport_ops usb_libusb_ops = {
	.name = "libusb",
	.open = lu_open,
	.close = lu_close,
	.bulk_out = lu_bulk_out,
	.bulk_in = lu_bulk_in,
	.interrupt_in = lu_interrupt_in,
	.control = lu_control,
	.get_descriptors = lu_get_descriptors,
	.clear_halt = lu_clear_halt,
};
