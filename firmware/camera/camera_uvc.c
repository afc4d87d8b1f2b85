/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camera_uvc.c — the USB Video Class backend, through libuvc.
 *
 * libuvc runs its own libusb event thread and calls camera_uvc_frame_cb for
 * every assembled frame; the callback copies the frame into a small ring of
 * preallocated buffers (camera_ring.h) and the consumer pulls from there.
 *
 * NOT tested against a real camera: the machine this was written on has no
 * USB camera. The device-listing path ("no UVC camera found"), the callback
 * and the descriptor walk are tested; streaming from hardware is not. See
 * docs/camera.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camera.h"
#include "camera_ring.h"
#include "camera_uvc.h"
#include "egate/error.h"

#define UVC_DEFAULT_SLOTS 4
#define UVC_MAX_FRAME_BYTES (64u << 20)
#define UVC_DEFAULT_FPS 30

/* UVC auto-exposure mode bits (UVC 1.5, 4.2.2.1.2) */
#define UVC_AE_MANUAL 0x01
#define UVC_AE_AUTO 0x02
#define UVC_AE_APERTURE_PRIORITY 0x08

struct uvc {
	uvc_context_t *ctx;
	uvc_device_t *dev;
	uvc_device_handle_t *devh;
	uint16_t vid;
	uint16_t pid;
	uvc_stream_ctrl_t ctrl;
	bool have_ctrl;
	struct camera_format fmt;
	unsigned ring_slots;
	struct camera_ring *ring;
};

int
camera_uvc_err(int e)
{
	switch (e) {
	case UVC_SUCCESS: return EG_OK;
	case UVC_ERROR_INVALID_PARAM: return EG_ERR_INVAL;
	case UVC_ERROR_ACCESS: return EG_ERR_PERM;
	case UVC_ERROR_NO_DEVICE: return EG_ERR_NO_DEVICE;
	case UVC_ERROR_NOT_FOUND: return EG_ERR_NOT_FOUND;
	case UVC_ERROR_BUSY: return EG_ERR_BUSY;
	case UVC_ERROR_TIMEOUT: return EG_ERR_TIMEOUT;
	case UVC_ERROR_OVERFLOW: return EG_ERR_OVERFLOW;
	case UVC_ERROR_NO_MEM: return EG_ERR_NOMEM;
	case UVC_ERROR_NOT_SUPPORTED:
	case UVC_ERROR_INVALID_MODE:
	case UVC_ERROR_PIPE: return EG_ERR_UNSUPPORTED;	/* control stalled */
	case UVC_ERROR_INVALID_DEVICE: return EG_ERR_DEVICE;
	default: return EG_ERR_IO;
	}
}

enum camera_pixfmt
camera_uvc_pixfmt(enum uvc_frame_format f)
{
	switch (f) {
	case UVC_FRAME_FORMAT_MJPEG: return CAMERA_FMT_MJPEG;
	case UVC_FRAME_FORMAT_YUYV: return CAMERA_FMT_YUYV;
	case UVC_FRAME_FORMAT_BGR: return CAMERA_FMT_BGR24;
	default: return CAMERA_FMT_NONE;
	}
}

static enum uvc_frame_format
to_uvc_format(enum camera_pixfmt f)
{
	switch (f) {
	case CAMERA_FMT_MJPEG: return UVC_FRAME_FORMAT_MJPEG;
	case CAMERA_FMT_YUYV: return UVC_FRAME_FORMAT_YUYV;
	default: return UVC_FRAME_FORMAT_UNKNOWN;
	}
}

void
camera_uvc_frame_cb(uvc_frame_t *frame, void *user)
{
	struct camera_ring *ring = user;
	struct camera_frame meta = { 0 };

	meta.format = camera_uvc_pixfmt(frame->frame_format);
	meta.width = frame->width;
	meta.height = frame->height;
	meta.stride = meta.format == CAMERA_FMT_MJPEG ? 0 : (uint32_t)frame->step;
	meta.sequence = frame->sequence;
	meta.timestamp_ns = camera_now_ns();
	if (meta.format == CAMERA_FMT_NONE) {
		/* a format we did not ask for: count it, deliver nothing */
		(void)camera_ring_push(ring, &meta, NULL, 0);
		return;
	}
	if (meta.format != CAMERA_FMT_MJPEG &&
	    frame->data_bytes != (size_t)meta.stride * meta.height) {
		/* a broken raw frame (payloads lost, or more than the size):
		 * consumers read stride * height bytes, so it is dropped */
		(void)camera_ring_push(ring, &meta, NULL, 0);
		return;
	}
	(void)camera_ring_push(ring, &meta, frame->data, frame->data_bytes);
}

static void
fps_range(const uvc_frame_desc_t *fd, uint32_t *fps_min, uint32_t *fps_max)
{
	uint32_t imin = 0, imax = 0;

	if (fd->intervals != NULL) {
		for (const uint32_t *iv = fd->intervals; *iv != 0; iv++) {
			if (imin == 0 || *iv < imin)
				imin = *iv;
			if (*iv > imax)
				imax = *iv;
		}
	} else {
		imin = fd->dwMinFrameInterval;
		imax = fd->dwMaxFrameInterval;
	}
	/* intervals are in 100 ns units */
	*fps_max = imin != 0 ? 10000000u / imin : 0;
	*fps_min = imax != 0 ? 10000000u / imax : 0;
	if (*fps_min == 0 && *fps_max > 0)
		*fps_min = 1;
}

void
camera_uvc_modes(const uvc_format_desc_t *descs, struct camera_mode *modes, size_t cap,
    size_t *n)
{
	enum camera_pixfmt pf;

	*n = 0;
	for (const uvc_format_desc_t *fmt = descs; fmt != NULL; fmt = fmt->next) {
		if (fmt->bDescriptorSubtype == UVC_VS_FORMAT_MJPEG)
			pf = CAMERA_FMT_MJPEG;
		else if (fmt->bDescriptorSubtype == UVC_VS_FORMAT_UNCOMPRESSED &&
		    memcmp(fmt->fourccFormat, "YUY2", 4) == 0)
			pf = CAMERA_FMT_YUYV;
		else
			continue;
		for (const uvc_frame_desc_t *fd = fmt->frame_descs; fd != NULL; fd = fd->next) {
			if (*n < cap) {
				modes[*n].pixfmt = pf;
				modes[*n].width = fd->wWidth;
				modes[*n].height = fd->wHeight;
				fps_range(fd, &modes[*n].fps_min, &modes[*n].fps_max);
			}
			(*n)++;
		}
	}
}

/* "" or "VID:PID" in hex */
static int
parse_ids(const char *arg, uint16_t *vid, uint16_t *pid)
{
	unsigned v, p;
	int used = 0;

	*vid = *pid = 0;
	if (arg[0] == '\0')
		return EG_OK;
	if (sscanf(arg, "%4x:%4x%n", &v, &p, &used) != 2 || arg[used] != '\0' ||
	    strspn(arg, "0123456789abcdefABCDEF:") != strlen(arg))
		return EG_ERR_INVAL;
	*vid = (uint16_t)v;
	*pid = (uint16_t)p;
	return EG_OK;
}

static void
uvc_release(struct uvc **up)
{
	struct uvc *u = *up;

	if (u == NULL)
		return;
	if (u->devh != NULL)
		uvc_close(u->devh);
	if (u->dev != NULL)
		uvc_unref_device(u->dev);
	if (u->ctx != NULL)
		uvc_exit(u->ctx);
	camera_ring_free(&u->ring);
	free(u);
	*up = NULL;
}

static int
uvc_be_open(struct camera *cam, const char *arg, const struct camera_options *opt)
{
	struct uvc *u = NULL;
	int ret = EG_ERR_NOMEM, r;

	u = calloc(1, sizeof(*u));
	if (u == NULL)
		goto out;
	u->ring_slots = opt->ring_slots != 0 ? opt->ring_slots : UVC_DEFAULT_SLOTS;
	if (u->ring_slots > CAMERA_RING_MAX_SLOTS) {
		camera_set_error(cam, "uvc: at most %d ring slots", CAMERA_RING_MAX_SLOTS);
		ret = EG_ERR_INVAL;
		goto out;
	}
	if ((ret = parse_ids(arg, &u->vid, &u->pid)) != EG_OK) {
		camera_set_error(cam, "uvc: '%.40s' is not VID:PID in hex (uvc:046d:0825)", arg);
		goto out;
	}
	r = uvc_init(&u->ctx, NULL);
	if (r != UVC_SUCCESS) {
		u->ctx = NULL;
		camera_set_error(cam, "uvc: no USB access (libuvc: %s)", uvc_strerror(r));
		ret = EG_ERR_NO_DEVICE;
		goto out;
	}
	r = uvc_find_device(u->ctx, &u->dev, u->vid, u->pid, NULL);
	if (r != UVC_SUCCESS) {
		u->dev = NULL;
		if (u->vid != 0 || u->pid != 0)
			camera_set_error(cam, "no UVC camera %04x:%04x found", u->vid, u->pid);
		else
			camera_set_error(cam, "no UVC camera found");
		ret = EG_ERR_NO_DEVICE;
		goto out;
	}
	r = uvc_open(u->dev, &u->devh);
	if (r != UVC_SUCCESS) {
		u->devh = NULL;
		ret = camera_uvc_err(r);
		camera_set_error(cam, "uvc: cannot open the camera: %s%s", uvc_strerror(r),
		    ret == EG_ERR_PERM ? " (check the udev rule in hw/)" : "");
		goto out;
	}
	camera_set_priv(cam, u);
	u = NULL;
	ret = EG_OK;
out:
	uvc_release(&u);
	return ret;
}

static void
uvc_be_close(struct camera *cam)
{
	struct uvc *u = camera_priv(cam);

	uvc_release(&u);
	camera_set_priv(cam, NULL);
}

static int
uvc_be_list_modes(struct camera *cam, struct camera_mode *modes, size_t cap, size_t *n)
{
	struct uvc *u = camera_priv(cam);

	camera_uvc_modes(uvc_get_format_descs(u->devh), modes, cap, n);
	return EG_OK;
}

static int
uvc_be_set_format(struct camera *cam, const struct camera_format *want, struct camera_format *got)
{
	struct uvc *u = camera_priv(cam);
	struct camera_mode modes[CAMERA_MODES_MAX];
	const struct camera_mode *m = NULL;
	size_t n;
	uint32_t fps;
	int r;

	camera_uvc_modes(uvc_get_format_descs(u->devh), modes, CAMERA_MODES_MAX, &n);
	if (n > CAMERA_MODES_MAX)
		n = CAMERA_MODES_MAX;
	for (size_t i = 0; i < n && m == NULL; i++)
		if ((want->pixfmt == CAMERA_FMT_NONE || want->pixfmt == modes[i].pixfmt) &&
		    (want->width == 0 || want->width == modes[i].width) &&
		    (want->height == 0 || want->height == modes[i].height))
			m = &modes[i];
	if (m == NULL) {
		camera_set_error(cam, "uvc: the camera has no %s %ux%u mode; 'egate camera list' shows its modes",
		    want->pixfmt != CAMERA_FMT_NONE ? camera_pixfmt_name(want->pixfmt) : "MJPEG/YUYV",
		    want->width, want->height);
		return EG_ERR_UNSUPPORTED;
	}
	fps = want->fps;
	if (fps == 0)
		fps = m->fps_max < UVC_DEFAULT_FPS && m->fps_max != 0 ? m->fps_max : UVC_DEFAULT_FPS;
	r = uvc_get_stream_ctrl_format_size(u->devh, &u->ctrl, to_uvc_format(m->pixfmt),
	    (int)m->width, (int)m->height, (int)fps);
	if (r == UVC_ERROR_INVALID_MODE && want->fps == 0) {
		/* No rate asked for and the camera does not offer our default
		 * among its discrete intervals (a 60-only camera): take the
		 * first one it offers (libuvc: fps 0) and say which. */
		r = uvc_get_stream_ctrl_format_size(u->devh, &u->ctrl,
		    to_uvc_format(m->pixfmt), (int)m->width, (int)m->height, 0);
		if (r == UVC_SUCCESS && u->ctrl.dwFrameInterval != 0)
			fps = 10000000u / u->ctrl.dwFrameInterval;
	}
	if (r != UVC_SUCCESS) {
		u->have_ctrl = false;
		camera_set_error(cam, "uvc: the camera refuses %s %ux%u at %u fps (offers %u-%u fps): %s",
		    camera_pixfmt_name(m->pixfmt), m->width, m->height, fps, m->fps_min,
		    m->fps_max, uvc_strerror(r));
		return r == UVC_ERROR_NO_DEVICE ? EG_ERR_NO_DEVICE : EG_ERR_UNSUPPORTED;
	}
	u->have_ctrl = true;
	u->fmt.pixfmt = m->pixfmt;
	u->fmt.width = m->width;
	u->fmt.height = m->height;
	u->fmt.fps = fps;
	*got = u->fmt;
	return EG_OK;
}

static int
uvc_be_start(struct camera *cam)
{
	struct uvc *u = camera_priv(cam);
	struct camera_format got;
	size_t slot;
	int r, ret;

	if (!u->have_ctrl) {
		static const struct camera_format any = { 0 };

		if ((ret = uvc_be_set_format(cam, &any, &got)) != EG_OK)
			return ret;
	}
	slot = (size_t)u->fmt.width * u->fmt.height * 2;	/* YUYV; MJPEG is smaller */
	if (u->ctrl.dwMaxVideoFrameSize > slot)
		slot = u->ctrl.dwMaxVideoFrameSize;
	if (slot == 0 || slot > UVC_MAX_FRAME_BYTES) {
		camera_set_error(cam, "uvc: frame size %zu bytes is out of range", slot);
		return EG_ERR_UNSUPPORTED;
	}
	if (u->ring != NULL && camera_ring_slot_size(u->ring) != slot)
		camera_ring_free(&u->ring);
	if (u->ring == NULL && (ret = camera_ring_new(u->ring_slots, slot, &u->ring)) != EG_OK)
		return ret;
	camera_ring_reset(u->ring);
	r = uvc_start_streaming(u->devh, &u->ctrl, camera_uvc_frame_cb, u->ring, 0);
	if (r != UVC_SUCCESS) {
		ret = camera_uvc_err(r);
		camera_set_error(cam, "uvc: cannot start streaming: %s", uvc_strerror(r));
		return ret;
	}
	return EG_OK;
}

static int
uvc_be_stop(struct camera *cam)
{
	struct uvc *u = camera_priv(cam);

	uvc_stop_streaming(u->devh);	/* joins libuvc's thread: no callback after this */
	return EG_OK;
}

static int
uvc_be_next_frame(struct camera *cam, int timeout_ms, struct camera_frame *f)
{
	struct uvc *u = camera_priv(cam);
	int ret;

	ret = camera_ring_pop(u->ring, timeout_ms, f);
	if (ret == EG_ERR_TIMEOUT)
		camera_set_error(cam, "uvc: no frame within %d ms", timeout_ms);
	else if (ret == EG_ERR_NO_DEVICE)
		camera_set_error(cam, "uvc: camera gone");
	return ret;
}

static void
uvc_be_release_frame(struct camera *cam, struct camera_frame *f)
{
	struct uvc *u = camera_priv(cam);

	camera_ring_release(u->ring, f);
}

static int
uvc_be_set_exposure(struct camera *cam, enum camera_exposure mode, uint32_t value_100us)
{
	struct uvc *u = camera_priv(cam);
	int r;

	if (mode == CAMERA_EXPOSURE_AUTO) {
		/* most webcams offer aperture priority (auto exposure time)
		 * rather than full auto */
		r = uvc_set_ae_mode(u->devh, UVC_AE_APERTURE_PRIORITY);
		if (r != UVC_SUCCESS)
			r = uvc_set_ae_mode(u->devh, UVC_AE_AUTO);
	} else {
		r = uvc_set_ae_mode(u->devh, UVC_AE_MANUAL);
		if (r == UVC_SUCCESS)
			r = uvc_set_exposure_abs(u->devh, value_100us);
	}
	if (r != UVC_SUCCESS) {
		camera_set_error(cam, "uvc: exposure control refused: %s", uvc_strerror(r));
		return camera_uvc_err(r);
	}
	return EG_OK;
}

static void
uvc_be_stats(struct camera *cam, struct camera_stats *st)
{
	struct uvc *u = camera_priv(cam);

	if (u->ring != NULL)
		camera_ring_stats(u->ring, st);
}

const struct camera_ops camera_uvc_ops = {
	.name = "uvc",
	.usage = "uvc[:VID:PID]",
	.open = uvc_be_open,
	.close = uvc_be_close,
	.list_modes = uvc_be_list_modes,
	.set_format = uvc_be_set_format,
	.start = uvc_be_start,
	.stop = uvc_be_stop,
	.next_frame = uvc_be_next_frame,
	.release_frame = uvc_be_release_frame,
	.set_exposure = uvc_be_set_exposure,
	.stats = uvc_be_stats,
};

static void
copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

int
camera_uvc_enumerate(struct camera_uvc_info **out, size_t *n, char *err, size_t errlen)
{
	uvc_context_t *ctx = NULL;
	uvc_device_t **list = NULL;
	uvc_device_descriptor_t *desc;
	uvc_device_handle_t *devh;
	struct camera_uvc_info *infos = NULL;
	size_t count = 0, nm;
	int r, ret = EG_ERR_NO_DEVICE;

	*out = NULL;
	*n = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	r = uvc_init(&ctx, NULL);
	if (r != UVC_SUCCESS) {
		ctx = NULL;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no USB access (libuvc: %s)", uvc_strerror(r));
		goto out;
	}
	r = uvc_get_device_list(ctx, &list);
	if (r != UVC_SUCCESS) {
		list = NULL;
		ret = camera_uvc_err(r);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "cannot list USB devices (libuvc: %s)", uvc_strerror(r));
		goto out;
	}
	while (list[count] != NULL)
		count++;
	ret = EG_ERR_NOMEM;
	infos = calloc(count > 0 ? count : 1, sizeof(*infos));
	if (infos == NULL)
		goto out;
	for (size_t i = 0; i < count; i++) {
		struct camera_uvc_info *in = &infos[i];

		in->bus = uvc_get_bus_number(list[i]);
		in->address = uvc_get_device_address(list[i]);
		if (uvc_get_device_descriptor(list[i], &desc) == UVC_SUCCESS) {
			in->vid = desc->idVendor;
			in->pid = desc->idProduct;
			copy_str(in->manufacturer, sizeof(in->manufacturer), desc->manufacturer);
			copy_str(in->product, sizeof(in->product), desc->product);
			copy_str(in->serial, sizeof(in->serial), desc->serialNumber);
			uvc_free_device_descriptor(desc);
		}
		r = uvc_open(list[i], &devh);
		in->open_err = camera_uvc_err(r);
		if (r == UVC_SUCCESS) {
			camera_uvc_modes(uvc_get_format_descs(devh), in->modes, CAMERA_MODES_MAX, &nm);
			in->nmodes = nm < CAMERA_MODES_MAX ? nm : CAMERA_MODES_MAX;
			uvc_close(devh);
		}
	}
	*out = infos;
	*n = count;
	infos = NULL;
	ret = EG_OK;
out:
	free(infos);
	if (list != NULL)
		uvc_free_device_list(list, 1);
	if (ctx != NULL)
		uvc_exit(ctx);
	return ret;
}
