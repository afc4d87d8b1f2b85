/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate_hidrelay.c — the USB HID relay board as the gate's relay
 * (hidrelay_proto.h): one channel switched with SET_REPORT and read back
 * with GET_REPORT, over the USB transport (usb_transport.h: libusb in the
 * product, any transport in a test). The engine (gate_engine.c) does the
 * rest; with no GPIO door sensor beside it, the door it reports is this
 * read-back.
 */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "egate/hidrelay_proto.h"
#include "egate/usb_libusb.h"
#include "gate_hidrelay.h"

#define HR_TIMEOUT_MS 500u	/* one control transfer */

struct hidrelay {
	struct usb_libusb *lu;		/* own context, when none was given */
	struct usb_transport t;
	void *dev;			/* the transport's handle; NULL when closed */
	struct usb_match m;
	unsigned channel;		/* 1..8 */
	unsigned channels;		/* what the product string says */
	uint8_t iface;
	char id[HIDRELAY_ID_LEN + 1];	/* the board's ID (feature report bytes 0..4) */
	char product[32];
	char detail[64];
	const struct eg_log *log;
};

static int
hr_control(struct hidrelay *h, uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
    uint8_t *data, size_t len, size_t *got)
{
	if (h->dev == NULL)
		return EG_ERR_NO_DEVICE;
	return h->t.ops->control(h->dev, rt, req, value, index, data, len, got, HR_TIMEOUT_MS);
}

/* The product string says what the board is and how many channels it has. */
static int
hr_identify(struct hidrelay *h, char *why, size_t cap)
{
	uint8_t buf[256], index = 0;
	size_t got = 0;
	int ret;

	if ((ret = hr_control(h, HIDRELAY_RT_STD_DEVICE_IN, HIDRELAY_REQ_GET_DESCRIPTOR,
	    HIDRELAY_DT_DEVICE << 8, 0, buf, HIDRELAY_DEVICE_DESC_LEN, &got)) != EG_OK) {
		eg_errbuf(why, cap, "hidrelay: device descriptor: %s", eg_err_name(ret));
		return ret;
	}
	if ((ret = hidrelay_parse_iproduct(buf, got, &index)) != EG_OK) {
		eg_errbuf(why, cap, "hidrelay %04x:%04x: %s", h->m.vid, h->m.pid, ret ==
		    EG_ERR_NOT_FOUND ? "no product string: not a USBRelay board" :
		    "malformed device descriptor");
		return ret == EG_ERR_NOT_FOUND ? EG_ERR_UNSUPPORTED : EG_ERR_FORMAT;
	}
	if ((ret = hr_control(h, HIDRELAY_RT_STD_DEVICE_IN, HIDRELAY_REQ_GET_DESCRIPTOR,
	    (uint16_t)(HIDRELAY_DT_STRING << 8 | index), HIDRELAY_LANGID_EN_US, buf, sizeof(buf),
	    &got)) != EG_OK) {
		eg_errbuf(why, cap, "hidrelay: product string: %s", eg_err_name(ret));
		return ret;
	}
	ret = hidrelay_parse_product(buf, got, h->product, sizeof(h->product), &h->channels);
	if (ret == EG_ERR_UNSUPPORTED) {
		eg_errbuf(why, cap, "hidrelay %04x:%04x is '%.31s', not a USBRelay board", h->m.vid,
		    h->m.pid, h->product);
		return ret;
	}
	if (ret != EG_OK) {
		eg_errbuf(why, cap, "hidrelay: malformed product string (%s)", eg_err_name(ret));
		return EG_ERR_FORMAT;
	}
	if (h->channel > h->channels) {
		eg_errbuf(why, cap, "hidrelay: channel %u, but the board (%s) has %u", h->channel,
		    h->product, h->channels);
		return EG_ERR_INVAL;
	}
	return EG_OK;
}

static int
hr_read_raw(struct hidrelay *h, uint8_t *state, char *why, size_t cap)
{
	uint8_t buf[HIDRELAY_REPORT_LEN];
	size_t got = 0;
	int ret;

	memset(buf, 0, sizeof(buf));
	if ((ret = hr_control(h, HIDRELAY_RT_CLASS_IFACE_IN, HIDRELAY_REQ_GET_REPORT,
	    HIDRELAY_REPORT_FEATURE_ID0, h->iface, buf, sizeof(buf), &got)) != EG_OK) {
		eg_errbuf(why, cap, "GET_REPORT: %s", eg_err_name(ret));
		return ret == EG_ERR_NO_DEVICE ? ret : EG_ERR_DEVICE;
	}
	if (hidrelay_parse_state(buf, got, state, h->id) != EG_OK) {
		eg_errbuf(why, cap, "GET_REPORT: %zu bytes, not %u", got, HIDRELAY_REPORT_LEN);
		return EG_ERR_DEVICE;
	}
	return EG_OK;
}

/* Open the first board matching h->m and check what it is. */
static int
hr_connect(struct hidrelay *h, char *why, size_t cap)
{
	struct usb_dev_info info;
	uint8_t state;
	int ret;

	if ((ret = h->t.ops->open(h->t.backend, &h->m, &h->dev)) != EG_OK) {
		h->dev = NULL;
		if (ret == EG_ERR_NOT_FOUND)
			eg_errbuf(why, cap, "hidrelay: no HID board %04x:%04x", h->m.vid, h->m.pid);
		else if (ret == EG_ERR_PERM)
			eg_errbuf(why, cap, "hidrelay %04x:%04x: no permission (udev rule: "
			    "docs/kiosk.md)", h->m.vid, h->m.pid);
		else
			eg_errbuf(why, cap, "hidrelay %04x:%04x: %s", h->m.vid, h->m.pid,
			    eg_err_name(ret));
		return ret;
	}
	memset(&info, 0, sizeof(info));
	if ((ret = h->t.ops->get_descriptors(h->dev, &info, NULL, 0, NULL)) != EG_OK)
		goto fail;
	h->iface = info.iface_number;
	if ((ret = hr_identify(h, why, cap)) != EG_OK)
		goto fail;
	if ((ret = hr_read_raw(h, &state, why, cap)) != EG_OK)
		goto fail;
	snprintf(h->detail, sizeof(h->detail), "no door sensor: the door is ch%u's read-back",
	    h->channel);
	EG_LOG(h->log, EG_LOG_INFO, "gate.hidrelay", EG_STR("product", h->product),
	    EG_STR("board_id", h->id), EG_UINT("channel", h->channel),
	    EG_UINT("bus", info.bus), EG_UINT("address", info.address));
	return EG_OK;
fail:
	h->t.ops->close(h->t.backend, h->dev);
	h->dev = NULL;
	return ret;
}

static int
hr_set(void *ctx, bool on, char *why, size_t cap)
{
	struct hidrelay *h = ctx;
	uint8_t buf[HIDRELAY_REPORT_LEN];
	int ret;

	memset(buf, 0, sizeof(buf));
	buf[0] = on ? HIDRELAY_CMD_ON : HIDRELAY_CMD_OFF;
	buf[1] = (uint8_t)h->channel;
	if ((ret = hr_control(h, HIDRELAY_RT_CLASS_IFACE_OUT, HIDRELAY_REQ_SET_REPORT,
	    HIDRELAY_REPORT_FEATURE_ID0, h->iface, buf, sizeof(buf), NULL)) != EG_OK) {
		eg_errbuf(why, cap, "SET_REPORT: %s", eg_err_name(ret));
		return ret == EG_ERR_NO_DEVICE ? ret : EG_ERR_DEVICE;
	}
	return EG_OK;
}

static int
hr_read(void *ctx, bool *on, char *why, size_t cap)
{
	struct hidrelay *h = ctx;
	uint8_t state = 0;
	int ret;

	if ((ret = hr_read_raw(h, &state, why, cap)) != EG_OK)
		return ret;
	*on = (state >> (h->channel - 1)) & 1u;
	return EG_OK;
}

/* After an unplug: the same VID:PID again (a replugged board starts with
 * every relay off). */
static int
hr_reopen(void *ctx, char *why, size_t cap)
{
	struct hidrelay *h = ctx;
	int ret;

	if (h->dev != NULL) {
		h->t.ops->close(h->t.backend, h->dev);	/* safe after an unplug */
		h->dev = NULL;
	}
	if ((ret = hr_connect(h, why, cap)) == EG_ERR_NOT_FOUND)
		return EG_ERR_NO_DEVICE;
	return ret;
}

static const char *
hr_detail(void *ctx)
{
	struct hidrelay *h = ctx;

	return h->detail;
}

static void
hr_close(void *ctx)
{
	struct hidrelay *h = ctx;

	if (h == NULL)
		return;
	if (h->dev != NULL)
		h->t.ops->close(h->t.backend, h->dev);
	usb_libusb_free(&h->lu);
	free(h);
}

const struct gate_relay_ops gate_hidrelay_ops = {
	.name = "hidrelay",
	.set = hr_set,
	.read = hr_read,
	.reopen = hr_reopen,
	.detail = hr_detail,
	.close = hr_close,
};

int
gate_hidrelay_new(uint16_t vid, uint16_t pid, unsigned channel, const struct usb_transport *usb,
    const struct eg_log *log, void **out, char *why, size_t cap)
{
	struct hidrelay *h;
	int ret;

	*out = NULL;
	if (channel < 1 || channel > HIDRELAY_MAX_CHANNELS)
		return EG_ERR_INVAL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return EG_ERR_NOMEM;
	h->m.vid = vid;
	h->m.pid = pid;
	h->m.iface_class = HIDRELAY_USB_CLASS_HID;
	h->channel = channel;
	h->log = log;
	if (usb != NULL) {
		h->t = *usb;
	} else {
		if ((ret = usb_libusb_new(&h->lu)) != EG_OK) {
			eg_errbuf(why, cap, "hidrelay: libusb: %s", eg_err_name(ret));
			free(h);
			return ret;
		}
		h->t = usb_libusb_transport(h->lu);
	}
	if ((ret = hr_connect(h, why, cap)) != EG_OK) {
		hr_close(h);
		return ret;
	}
	*out = h;
	return EG_OK;
}
