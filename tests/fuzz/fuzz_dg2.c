/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_dg2 — arbitrary bytes as a DG2 (LDS biometric template + ISO/IEC
 * 19794-5 facial record), and as a bare image header. What parses must point
 * inside the input; small images are decoded as the kiosk would. */
#include <stdlib.h>

#include "egate/error.h"
#include "face.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
image(const uint8_t *p, size_t len)
{
	enum face_img_fmt fmt;
	uint32_t w, h;
	struct fcv_image img;

	if (face_img_probe(p, len, &fmt, &w, &h) != EG_OK)
		return;
	if (fmt == FACE_IMG_UNKNOWN || w == 0 || h == 0)
		abort();
	/* decode only what the limit lets through: the limit is checked on the
	 * header, before any decoder allocates */
	if (face_img_decode(p, len, 64, &img) == EG_OK) {
		if (img.width <= 0 || img.height <= 0 || img.width > 64 || img.height > 64)
			abort();
		fcv_image_free(&img);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct face_dg2 d;

	if (face_dg2_parse(data, size, &d) == EG_OK) {
		if (d.image < data || d.image_len < 4 || d.image + d.image_len > data + size ||
		    d.n_faces == 0 || d.fmt == FACE_IMG_UNKNOWN)
			abort();
		image(d.image, d.image_len);
	}
	image(data, size);
	return 0;
}
