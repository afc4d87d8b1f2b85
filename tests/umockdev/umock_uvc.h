/* SPDX-License-Identifier: Apache-2.0 */
/*
 * umock_uvc.h — an emulated UVC camera on the umockdev testbed (see
 * umock_uvc.c). TEST ONLY. Its VID:PID is 1209:0003 (pid.codes test range).
 */
#ifndef EGATE_TEST_UMOCK_UVC_H
#define EGATE_TEST_UMOCK_UVC_H

#include "umock.h"

#define UMOCK_UVC_VID 0x1209
#define UMOCK_UVC_PID 0x0003

/* A fault of the NEXT frame the camera sends. */
enum umock_uvc_fault {
	UMOCK_UVC_OK = 0,
	UMOCK_UVC_ERROR_BIT,	/* every payload has the error bit (0x40) */
	UMOCK_UVC_BAD_HEADER,	/* bHeaderLength larger than the payload */
	UMOCK_UVC_TRUNCATED,	/* only n bytes, then EOF */
	UMOCK_UVC_NO_EOF,	/* no EOF bit: the frame ends with the FID flip */
	UMOCK_UVC_OVERSIZE,	/* more bytes than dwMaxVideoFrameSize */
};

struct umock_uvc;

/* umock_uvc_desc — the camera's descriptors (w x h MJPEG and YUY2 at one
 * frame interval, 100 ns units). EG_OK or EG_ERR_OVERFLOW. */
int umock_uvc_desc(uint16_t w, uint16_t h, uint32_t interval,
    struct umock_buf *out);
/* umock_uvc_add — plug a camera of w x h at fps (desc NULL: umock_uvc_desc).
 * Frames: YUYV is a grey ramp until umock_uvc_set_yuyv; MJPEG streams
 * nothing until umock_uvc_set_mjpeg. *out: umock_uvc_free after umock_free. */
int umock_uvc_add(struct umock *u, uint16_t w, uint16_t h, unsigned fps,
    const struct umock_buf *desc, struct umock_uvc **out);
void umock_uvc_free(struct umock_uvc **c);
struct umock_dev *umock_uvc_dev(struct umock_uvc *c);
/* The frames (copied); YUYV must be w*h*2 bytes. Call under the lock. */
int umock_uvc_set_mjpeg(struct umock_uvc *c, const void *jpeg, size_t len);
int umock_uvc_set_yuyv(struct umock_uvc *c, const void *data, size_t len);
/* umock_uvc_arm — a fault for the next frame (n: TRUNCATED's length).
 * Under the lock. */
void umock_uvc_arm(struct umock_uvc *c, enum umock_uvc_fault f, size_t n);
/* umock_uvc_set_fault — the same fault for EVERY frame from now on (a camera
 * that only sends broken frames) until UMOCK_UVC_OK. Under the lock. */
void umock_uvc_set_fault(struct umock_uvc *c, enum umock_uvc_fault f, size_t n);
/* umock_uvc_set_payload — dwMaxPayloadTransferSize (default 1024): the bytes
 * of one bulk transfer, header included; larger payloads mean fewer URBs
 * per frame. Before the host's probe. EG_OK, EG_ERR_INVAL. */
int umock_uvc_set_payload(struct umock_uvc *c, uint32_t bytes);
/* Frames started so far, and the exposure controls as the host set them
 * (under the lock). */
unsigned umock_uvc_frames(struct umock_uvc *c);
void umock_uvc_exposure(struct umock_uvc *c, uint8_t *ae_mode,
    uint32_t *exposure);

#endif
