/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camera_image.h — just enough of JPEG and PPM for the simulated camera:
 * what kind of image a file is and its size. Files are untrusted-ish input;
 * both readers are bounded (eg_rbuf) and fuzzed (tests/fuzz/fuzz_camera_image.c).
 *
 * JPEG files are never decoded here: the sim delivers their bytes as MJPEG
 * frames, exactly as a UVC camera would, and the face pipeline decodes.
 * Binary PPM (P6, maxval 255) is the raw format: delivered as BGR24.
 */
#ifndef EGATE_CAMERA_IMAGE_H
#define EGATE_CAMERA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "camera.h"

#define CAMERA_IMAGE_MAX_SIDE 8192

struct camera_image {
	enum camera_pixfmt pixfmt;	/* CAMERA_FMT_MJPEG or CAMERA_FMT_BGR24 */
	uint32_t width;
	uint32_t height;
	size_t pixel_offset;		/* PPM: where the RGB samples start */
};

/*
 * camera_image_probe — identify n bytes at p as a JPEG (SOI, then segments up
 * to a start-of-frame marker giving the size) or a P6 PPM. Borrowed input,
 * nothing allocated. Errors: EG_ERR_FORMAT (neither, or malformed),
 * EG_ERR_TRUNCATED (ends early), EG_ERR_UNSUPPORTED (16-bit PPM, or a side
 * of 0 or above CAMERA_IMAGE_MAX_SIDE).
 */
int camera_image_probe(const uint8_t *p, size_t n, struct camera_image *out);

/*
 * camera_ppm_to_bgr — the RGB samples of a probed PPM as BGR24 into dst
 * (cap bytes, at least width*height*3). EG_ERR_OVERFLOW if dst is too small,
 * EG_ERR_INVAL if img is not a PPM.
 */
int camera_ppm_to_bgr(const uint8_t *p, size_t n, const struct camera_image *img,
    uint8_t *dst, size_t cap);

/*
 * camera_bgr_to_yuyv — BGR24 pixels (stride width*3) as YUYV 4:2:2 into dst
 * (cap bytes, at least width*height*2), BT.601 limited range, chroma of each
 * pixel pair averaged. EG_ERR_INVAL for an odd width, EG_ERR_OVERFLOW if dst
 * is too small.
 */
int camera_bgr_to_yuyv(const uint8_t *bgr, uint32_t width, uint32_t height, uint8_t *dst,
    size_t cap);

#endif
