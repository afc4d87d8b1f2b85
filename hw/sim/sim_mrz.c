/* SPDX-License-Identifier: Apache-2.0 */
/* sim_mrz.c — a simulated CDC-ACM MRZ reader (see sim_mrz.h). */
#include <stdlib.h>
#include <string.h>

#include "egate/error.h"
#include "sim_mrz.h"

#define SIM_MRZ_BUF 8192

struct sim_mrz {
	uint8_t buf[SIM_MRZ_BUF];
	size_t off, len;
	unsigned plugs;		/* generations handed out */
	size_t packet;
	unsigned generation;
};

int
sim_mrz_new(struct sim_mrz **out, size_t packet)
{
	*out = NULL;
	if (packet == 0 || packet > 512)
		return EG_ERR_INVAL;
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return EG_ERR_NOMEM;
	(*out)->packet = packet;
	(*out)->generation = (*out)->plugs = 1;
	return EG_OK;
}

void
sim_mrz_free(struct sim_mrz **m)
{
	if (m == NULL || *m == NULL)
		return;
	free(*m);
	*m = NULL;
}

int
sim_mrz_feed(struct sim_mrz *m, const void *data, size_t len)
{
	if (m->off > 0) {
		memmove(m->buf, m->buf + m->off, m->len - m->off);
		m->len -= m->off;
		m->off = 0;
	}
	if (len > SIM_MRZ_BUF - m->len)
		return EG_ERR_OVERFLOW;
	memcpy(m->buf + m->len, data, len);
	m->len += len;
	return EG_OK;
}

void
sim_mrz_unplug(struct sim_mrz *m)
{
	m->generation = 0;
	m->off = m->len = 0;	/* what was in flight is gone with the device */
}

void
sim_mrz_replug(struct sim_mrz *m)
{
	m->generation = ++m->plugs;
}

static unsigned
mrz_generation(void *dev)
{
	return ((struct sim_mrz *)dev)->generation;
}

static int
mrz_describe(void *dev, struct usb_dev_info *info, uint8_t *extra, size_t cap,
    size_t *len)
{
	(void)dev;
	(void)extra;
	(void)cap;
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->vid = SIM_MRZ_VID;
		info->pid = SIM_MRZ_PID;
		info->iface_class = USB_CLASS_CDC_DATA;
		info->max_packet_in = 64;
	}
	if (len != NULL)
		*len = 0;
	return EG_OK;
}

static int
mrz_bulk_out(void *dev, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	(void)dev;
	(void)data;
	(void)len;
	(void)timeout_ms;
	return EG_OK;		/* commands to the OCR head are ignored */
}

static int
mrz_bulk_in(void *dev, uint8_t *buf, size_t cap, size_t *got,
    unsigned timeout_ms)
{
	struct sim_mrz *m = dev;
	size_t n;

	(void)timeout_ms;
	*got = 0;
	if (m->generation == 0)
		return EG_ERR_NO_DEVICE;
	if (m->off == m->len)
		return EG_ERR_TIMEOUT;
	n = m->len - m->off;
	if (n > m->packet)
		n = m->packet;
	if (n > cap)
		n = cap;
	memcpy(buf, m->buf + m->off, n);
	m->off += n;
	*got = n;
	return EG_OK;
}

static int
mrz_clear_halt(void *dev, enum usb_ep ep)
{
	(void)dev;
	(void)ep;
	return EG_OK;
}

const struct usb_sim_device_ops sim_mrz_device_ops = {
	.generation = mrz_generation,
	.describe = mrz_describe,
	.bulk_out = mrz_bulk_out,
	.bulk_in = mrz_bulk_in,
	.interrupt_in = NULL,
	.control = NULL,
	.clear_halt = mrz_clear_halt,
};
