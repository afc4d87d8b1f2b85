/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camera_uvc.h — the parts of the UVC backend that are plain functions over
 * libuvc's structs, exposed so tests can drive them without a camera:
 * the frame callback (libuvc's thread -> ring) and the mode enumeration
 * from format descriptors.
 */
#ifndef EGATE_CAMERA_UVC_H
#define EGATE_CAMERA_UVC_H

#include <libuvc/libuvc.h>

#include "camera.h"
#include "camera_ring.h"

/*
 * camera_uvc_frame_cb — libuvc's frame callback; user is a struct
 * camera_ring. Copies the frame into a free slot (no allocation), counts a
 * drop when it cannot (ring full, oversize, unknown format) or when the
 * device's sequence number jumps. Never calls into libuvc.
 */
void camera_uvc_frame_cb(uvc_frame_t *frame, void *user);

/* camera_uvc_pixfmt — libuvc's frame format as ours (NONE if we have no
 * equivalent). */
enum camera_pixfmt camera_uvc_pixfmt(enum uvc_frame_format f);

/*
 * camera_uvc_modes — the modes described by a format descriptor list
 * (uvc_get_format_descs), MJPEG and YUY2 only; up to cap into modes, the
 * total into *n.
 */
void camera_uvc_modes(const uvc_format_desc_t *descs, struct camera_mode *modes, size_t cap,
    size_t *n);

/* camera_uvc_err — libuvc's error as an eg_err. */
int camera_uvc_err(int uvc_err);

#endif
