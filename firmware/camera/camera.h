/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camera.h — the kiosk camera: one ops table per backend, chosen at run time
 * from a spec string (docs/camera.md).
 *
 *   uvc              the first USB Video Class camera (libuvc)
 *   uvc:VID:PID      a UVC camera by USB ids, in hex ("uvc:046d:0825")
 *   NAME:ARG         a backend the caller adds (camera_options.extra); the
 *                    simulated camera is one (camera_sim_ops, its own
 *                    library, which the product does not link):
 *     sim:SCENE_FILE   the simulated camera playing a scene script
 *     sim:DIR          the simulated camera playing the images in DIR in
 *                      name order (.jpg/.jpeg as MJPEG, .ppm as BGR24), looping
 *
 * Use:
 *   camera_open(spec, &opt, &cam, err, sizeof(err));
 *   camera_set_format(cam, &(struct camera_format){CAMERA_FMT_MJPEG, 640, 480, 30}, NULL);
 *   camera_start(cam);
 *   while (camera_next_frame(cam, 1000, &f) == EG_OK) { use f.data; camera_release_frame(cam, &f); }
 *   camera_stop(cam); camera_free(&cam);
 *
 * Frames are raw: MJPEG bytes as the camera sent them, or YUYV / BGR24
 * pixels. Decoding is the consumer's business (firmware/face). The camera
 * layer never writes a frame anywhere: frames live in memory owned by the
 * camera until released.
 *
 * Threading: a struct camera is used by one thread at a time. The UVC backend
 * has its own libusb thread internally; the consumer only pulls.
 */
#ifndef EGATE_CAMERA_H
#define EGATE_CAMERA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/log.h"

enum camera_pixfmt {
	CAMERA_FMT_NONE = 0,	/* "any" in set_format, unknown elsewhere */
	CAMERA_FMT_MJPEG,	/* one JPEG image per frame, stride 0 */
	CAMERA_FMT_YUYV,	/* YUV 4:2:2, 2 bytes per pixel */
	CAMERA_FMT_BGR24,	/* 3 bytes per pixel, B G R */
};

/* A streaming mode. fps 0 in camera_set_format means "the camera's default". */
struct camera_format {
	enum camera_pixfmt pixfmt;
	uint32_t width;
	uint32_t height;
	uint32_t fps;
};

/* One mode a camera offers: a format and size with its frame-rate range. */
struct camera_mode {
	enum camera_pixfmt pixfmt;
	uint32_t width;
	uint32_t height;
	uint32_t fps_min;
	uint32_t fps_max;
};

/*
 * A frame handed out by camera_next_frame. data/len belong to the camera
 * and stay valid until camera_release_frame (or camera_stop/camera_free).
 * sequence counts every frame the sensor produced, delivered or not: a gap
 * is a drop. timestamp_ns is CLOCK_MONOTONIC, strictly increasing.
 */
struct camera_frame {
	enum camera_pixfmt format;
	uint32_t width;
	uint32_t height;
	uint32_t stride;	/* bytes per row; 0 for MJPEG */
	const uint8_t *data;
	size_t len;
	uint64_t timestamp_ns;
	uint64_t sequence;
	/* private to the backend */
	uint32_t slot_;
};

/* Counters since camera_start. fps = (delivered - 1) / (last - first ts). */
struct camera_stats {
	uint64_t delivered;	/* frames given to the consumer */
	uint64_t dropped;	/* frames lost: ring full, oversize, sequence gaps */
	double fps;		/* achieved delivery rate; 0 with < 2 frames */
};

enum camera_exposure {
	CAMERA_EXPOSURE_AUTO,
	CAMERA_EXPOSURE_MANUAL,
};

struct camera_ops;

struct camera_options {
	/* sim only: deliver frames without sleeping (timestamps still follow
	 * the requested frame rate exactly). For tests. */
	bool fast;
	/* backends besides uvc, NULL-terminated (may be NULL): the simulated
	 * camera for the tests, the demo and the simulation runner */
	const struct camera_ops *const *extra;
	void *backend_ctx;	/* for an extra backend's open (its own state) */
	/* frames in the UVC ring (0: default 4) */
	unsigned ring_slots;
	const struct eg_log *log;	/* may be NULL */
};

struct camera;	/* opaque */

/*
 * The backend interface. Every op gets the camera; backends keep their state
 * in camera_priv(cam) and describe failures with camera_set_error().
 * Return values are EG_OK or a negative enum eg_err.
 */
struct camera_ops {
	const char *name;
	const char *usage;	/* the specs it takes, for messages */
	/* open: arg is the spec after "NAME:" ("" if none). */
	int (*open)(struct camera *cam, const char *arg, const struct camera_options *opt);
	void (*close)(struct camera *cam);
	int (*list_modes)(struct camera *cam, struct camera_mode *modes, size_t cap, size_t *n);
	int (*set_format)(struct camera *cam, const struct camera_format *want,
	    struct camera_format *got);
	int (*start)(struct camera *cam);
	int (*stop)(struct camera *cam);
	int (*next_frame)(struct camera *cam, int timeout_ms, struct camera_frame *f);
	void (*release_frame)(struct camera *cam, struct camera_frame *f);
	int (*set_exposure)(struct camera *cam, enum camera_exposure mode, uint32_t value_100us);
	void (*stats)(struct camera *cam, struct camera_stats *st);
};

extern const struct camera_ops camera_uvc_ops;
/* the simulated camera: libegate_camera_sim only (camera_sim_dep) */
extern const struct camera_ops camera_sim_ops;

/*
 * camera_open — parse spec, pick the backend and open the device.
 * opt may be NULL (defaults). On success *out owns the camera (camera_free).
 * On failure err (may be NULL; errlen bytes) receives a one-line message.
 * Errors: EG_ERR_INVAL (bad spec; err names the specs this build and
 * opt->extra take), EG_ERR_NO_DEVICE (no such camera),
 * EG_ERR_PERM (no access), EG_ERR_FORMAT (bad scene or image), EG_ERR_IO,
 * EG_ERR_NOMEM.
 */
int camera_open(const char *spec, const struct camera_options *opt, struct camera **out,
    char *err, size_t errlen);
/* camera_free — stop streaming if needed, close, free; *cam = NULL. NULL-safe. */
void camera_free(struct camera **cam);

/* camera_backend_name — "uvc", "sim", ...; static string. */
const char *camera_backend_name(const struct camera *cam);

/*
 * camera_list_modes — the modes the opened camera offers, up to cap of them
 * into modes; *n receives the total number (may exceed cap). EG_OK.
 */
int camera_list_modes(struct camera *cam, struct camera_mode *modes, size_t cap, size_t *n);
/*
 * camera_set_format — choose a mode before camera_start. A zero width/height
 * or CAMERA_FMT_NONE picks the first mode offered; fps 0 the default rate.
 * got (may be NULL) receives the mode chosen. Errors: EG_ERR_UNSUPPORTED
 * (no such mode; camera_error() names what was asked and what exists),
 * EG_ERR_STATE (streaming).
 */
int camera_set_format(struct camera *cam, const struct camera_format *want,
    struct camera_format *got);
/* camera_start / camera_stop — begin and end streaming. Stopping invalidates
 * every frame not yet released. Errors: EG_ERR_STATE, EG_ERR_NO_DEVICE,
 * EG_ERR_IO, EG_ERR_NOMEM. */
int camera_start(struct camera *cam);
int camera_stop(struct camera *cam);
/*
 * camera_next_frame — wait up to timeout_ms for the next frame. On EG_OK *f
 * describes a frame the caller must give back with camera_release_frame.
 * Errors: EG_ERR_TIMEOUT, EG_ERR_NO_DEVICE (camera gone: camera_free it and
 * open again), EG_ERR_BUSY (too many frames held), EG_ERR_STATE (not started).
 */
int camera_next_frame(struct camera *cam, int timeout_ms, struct camera_frame *f);
/* camera_release_frame — give a frame back; *f is cleared. Releasing an
 * empty or foreign frame is ignored. */
void camera_release_frame(struct camera *cam, struct camera_frame *f);
/*
 * camera_set_exposure — automatic exposure, or manual with an exposure time
 * in units of 100 µs (the UVC unit). EG_ERR_UNSUPPORTED where the camera has
 * no such control.
 */
int camera_set_exposure(struct camera *cam, enum camera_exposure mode, uint32_t value_100us);
/* camera_get_stats — counters since camera_start; never fails. */
void camera_get_stats(struct camera *cam, struct camera_stats *st);

/* camera_error — a one-line description of the last failure (static to the
 * camera; "" if none). Valid until the next call on cam. */
const char *camera_error(const struct camera *cam);

/* camera_pixfmt_name / camera_pixfmt_parse — "mjpeg", "yuyv", "bgr24". */
const char *camera_pixfmt_name(enum camera_pixfmt f);
int camera_pixfmt_parse(const char *s, enum camera_pixfmt *out);

/* ---- for backends ---- */

/* camera_priv / camera_set_priv — the backend's state pointer. */
void *camera_priv(struct camera *cam);
void camera_set_priv(struct camera *cam, void *priv);
/* camera_set_error — record a printf-style message for camera_error(). */
void camera_set_error(struct camera *cam, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* camera_log — the logger from the options (may be NULL). */
const struct eg_log *camera_log(const struct camera *cam);
/* camera_now_ns — CLOCK_MONOTONIC in nanoseconds. */
uint64_t camera_now_ns(void);

/* ---- UVC device listing (egate camera list) ---- */

#define CAMERA_MODES_MAX 64

struct camera_uvc_info {
	uint16_t vid;
	uint16_t pid;
	uint8_t bus;
	uint8_t address;
	char manufacturer[64];
	char product[64];
	char serial[64];
	int open_err;			/* EG_OK, or why the modes are unknown */
	size_t nmodes;
	struct camera_mode modes[CAMERA_MODES_MAX];
};

/*
 * camera_uvc_enumerate — every UVC camera libuvc can see, with its modes.
 * On EG_OK *out is a calloc'd array of *n entries (free() it); *n may be 0.
 * On EG_ERR_NO_DEVICE no USB access at all (no usbfs; err says why).
 * Other errors: EG_ERR_NOMEM, EG_ERR_IO.
 */
int camera_uvc_enumerate(struct camera_uvc_info **out, size_t *n, char *err, size_t errlen);

#endif
