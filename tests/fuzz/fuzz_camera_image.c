/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_camera_image — probe arbitrary bytes as a JPEG or PPM (the simulated
 * camera's image files) and, for a PPM, convert its pixels: a size within
 * limits on success, every pixel read inside the input. */
#include <stdint.h>
#include <stdlib.h>

#include "camera_image.h"
#include "egate/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct camera_image im;
	uint8_t *bgr;
	size_t need;

	if (camera_image_probe(data, size, &im) != EG_OK)
		return 0;
	if (im.width == 0 || im.height == 0 || im.width > CAMERA_IMAGE_MAX_SIDE ||
	    im.height > CAMERA_IMAGE_MAX_SIDE)
		abort();
	if (im.pixfmt == CAMERA_FMT_MJPEG)
		return 0;
	if (im.pixfmt != CAMERA_FMT_BGR24 || im.pixel_offset > size)
		abort();
	need = (size_t)im.width * im.height * 3;
	if (size - im.pixel_offset < need)
		abort();
	bgr = malloc(need);
	if (bgr == NULL)
		return 0;
	if (camera_ppm_to_bgr(data, size, &im, bgr, need) != EG_OK)
		abort();
	if (im.width % 2 == 0) {
		uint8_t *yuyv = malloc((size_t)im.width * im.height * 2);

		if (yuyv != NULL && camera_bgr_to_yuyv(bgr, im.width, im.height, yuyv,
		    (size_t)im.width * im.height * 2) != EG_OK)
			abort();
		free(yuyv);
	}
	free(bgr);
	return 0;
}
