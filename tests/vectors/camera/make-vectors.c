/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make-vectors.c — how the tiny synthetic images in this folder were made
 * (libjpeg-turbo). They are drawings, not faces: a grey "hall" and the same
 * hall with a skin-toned ellipse. They exercise the camera layer only.
 *
 *   cc make-vectors.c -ljpeg -o /tmp/mk && (cd tests/vectors/camera && /tmp/mk)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

static void
draw(unsigned char *rgb, int w, int h, int face, int shade)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *p = rgb + 3 * (y * w + x);
			int g = 90 + shade + (y * 60) / h;
			double dx = (x - w / 2.0) / (w / 5.0), dy = (y - h / 2.0) / (h / 3.0);

			p[0] = p[1] = p[2] = (unsigned char)g;
			if (face && dx * dx + dy * dy <= 1.0) {
				p[0] = 224; p[1] = 172; p[2] = 140;
			}
		}
}

static void
write_jpeg(const char *path, int w, int h, int face, int shade)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	unsigned char *rgb = malloc((size_t)w * h * 3);
	FILE *f = fopen(path, "wb");

	draw(rgb, w, h, face, shade);
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 70, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = rgb + 3 * c.next_scanline * (size_t)w;
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	fclose(f);
	free(rgb);
}

static void
write_ppm(const char *path, int w, int h, int face, int shade)
{
	unsigned char *rgb = malloc((size_t)w * h * 3);
	FILE *f = fopen(path, "wb");

	draw(rgb, w, h, face, shade);
	fprintf(f, "P6\n# egate camera test\n%d %d\n255\n", w, h);
	fwrite(rgb, 3, (size_t)w * h, f);
	fclose(f);
	free(rgb);
}

int
main(void)
{
	write_jpeg("scene/empty.jpg", 64, 48, 0, 0);
	write_jpeg("scene/traveller.jpg", 64, 48, 1, 0);
	write_jpeg("frames/frame-01.jpg", 64, 48, 0, 0);
	write_jpeg("frames/frame-02.jpg", 64, 48, 1, 10);
	write_jpeg("frames/frame-03.jpg", 64, 48, 1, 30);
	write_jpeg("mixed/a.jpg", 64, 48, 0, 0);
	write_jpeg("mixed/b.jpg", 32, 24, 0, 0);
	write_ppm("ppm/a.ppm", 8, 6, 0, 0);
	write_ppm("ppm/b.ppm", 8, 6, 1, 0);
	return 0;
}
