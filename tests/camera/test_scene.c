/* SPDX-License-Identifier: Apache-2.0 */
/* test_scene — the scene script parser and the image header readers. */
#include <string.h>

#include "camera_image.h"
#include "eg_check.h"
#include "egate/error.h"
#include "scene.h"

static struct scene *
parse_ok(const char *text)
{
	struct scene *s = NULL;
	char err[256];

	ck_assert_msg(scene_parse(text, strlen(text), "t.scene", &s, err, sizeof(err)) == EG_OK,
	    "unexpected error: %s", err);
	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(test_scene_full)
{
	struct scene *s = parse_ok(
	    "# comment\n"
	    "\n"
	    "fps 15\r\n"
	    "at 0s show empty.jpg\n"
	    "  at 1.5s   show  a file with spaces.jpg  \n"
	    "at 1500ms drop 3\n"
	    "at 2 show empty.jpg\n"
	    "at 2.125s unplug");

	ck_assert_uint_eq(s->fps, 15);
	ck_assert_uint_eq(s->nevents, 5);
	ck_assert_uint_eq(s->nimages, 2);
	ck_assert_str_eq(s->images[0], "empty.jpg");
	ck_assert_str_eq(s->images[1], "a file with spaces.jpg");
	ck_assert_int_eq(s->events[0].op, SCENE_SHOW);
	ck_assert_uint_eq(s->events[0].arg, 0);
	ck_assert_uint_eq(s->events[1].at_ms, 1500);
	ck_assert_uint_eq(s->events[1].arg, 1);
	ck_assert_uint_eq(s->events[1].line, 5);
	ck_assert_int_eq(s->events[2].op, SCENE_DROP);
	ck_assert_uint_eq(s->events[2].at_ms, 1500);
	ck_assert_uint_eq(s->events[2].arg, 3);
	ck_assert_uint_eq(s->events[3].at_ms, 2000);
	ck_assert_uint_eq(s->events[3].arg, 0);	/* same image, same index */
	ck_assert_int_eq(s->events[4].op, SCENE_UNPLUG);
	ck_assert_uint_eq(s->events[4].at_ms, 2125);
	ck_assert_uint_eq(s->events[4].line, 8);
	scene_free(&s);
	ck_assert_ptr_null(s);
	scene_free(&s);
}
END_TEST

START_TEST(test_scene_default_fps)
{
	struct scene *s = parse_ok("at 0s show x.jpg\nat 0.5s loop\n");

	ck_assert_uint_eq(s->fps, 30);
	ck_assert_int_eq(s->events[1].op, SCENE_LOOP);
	scene_free(&s);
}
END_TEST

/* each bad script, and the start of the message it must give */
static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "", "t.scene:1: no events" },
	{ "# only a comment\n", "t.scene:2: no events" },
	{ "at 1s show a.jpg\n", "t.scene:1: the first event must be 'at 0s show FILE'" },
	{ "at 0s drop 2\n", "t.scene:1: the first event must be" },
	{ "at 0s show a.jpg\nat 2s show b.jpg\nat 1s show a.jpg\n", "t.scene:3: time 1000 ms is before" },
	{ "at 0s show a.jpg\nat 1s unplug\nat 2s show a.jpg\n", "t.scene:3: nothing can follow" },
	{ "at 0s show a.jpg\nat 0s loop\n", "t.scene:2: 'loop' at 0s" },
	{ "at 0s show\n", "t.scene:1: 'show' needs an image file" },
	{ "at 0s show a.jpg\nat 1s drop\n", "t.scene:2: 'drop' needs a frame count" },
	{ "at 0s show a.jpg\nat 1s drop 0\n", "t.scene:2: 'drop' needs" },
	{ "at 0s show a.jpg\nat 1s drop 100001\n", "t.scene:2: 'drop' needs" },
	{ "at 0s show a.jpg\nat 1s drop 2x\n", "t.scene:2: 'drop' needs" },
	{ "at 0s show a.jpg\nat 1s unplug now\n", "t.scene:2: unexpected text after 'unplug'" },
	{ "at 0s show a.jpg\nat 1s explode\n", "t.scene:2: unknown action 'explode'" },
	{ "at 0s show a.jpg\nat 1s\n", "t.scene:2: 'at TIME' needs an action" },
	{ "at soon show a.jpg\n", "t.scene:1: 'at' needs a time" },
	{ "at 1.2345s show a.jpg\n", "t.scene:1: 'at' needs a time" },
	{ "at 1.5ms show a.jpg\n", "t.scene:1: 'at' needs a time" },
	{ "at 1.s show a.jpg\n", "t.scene:1: 'at' needs a time" },
	{ "at -1s show a.jpg\n", "t.scene:1: 'at' needs a time" },
	{ "at 86401s show a.jpg\n", "t.scene:1: 'at' needs a time" },
	{ "at 99999999999999999999s show a.jpg\n", "t.scene:1: 'at' needs a time" },
	{ "fps 0\n", "t.scene:1: 'fps' needs a frame rate" },
	{ "fps 241\n", "t.scene:1: 'fps' needs a frame rate" },
	{ "fps 30 60\n", "t.scene:1: unexpected text after 'fps N'" },
	{ "at 0s show a.jpg\nfps 30\n", "t.scene:2: 'fps' must come before" },
	{ "show a.jpg\n", "t.scene:1: unknown statement 'show'" },
	{ "at 0s show a.jpg\nat 1s show b\0c.jpg\n", "t.scene:2: NUL byte" },
};

START_TEST(test_scene_errors)
{
	struct scene *s = (struct scene *)1;
	char err[256];
	size_t len;
	const char *t = bad[_i].text;

	/* the NUL case needs its real length */
	len = strlen(t);
	if (strstr(bad[_i].msg, "NUL") != NULL)
		len += 1 + strlen(t + len + 1);
	ck_assert_eg(scene_parse(t, len, "t.scene", &s, err, sizeof(err)), EG_ERR_FORMAT);
	ck_assert_ptr_null(s);
	ck_assert_msg(strncmp(err, bad[_i].msg, strlen(bad[_i].msg)) == 0,
	    "case %d: got '%s', want '%s...'", _i, err, bad[_i].msg);
}
END_TEST

START_TEST(test_scene_limits)
{
	static char text[200000];
	struct scene *s = NULL;
	char err[256];
	size_t n = 0;

	/* a line one byte too long */
	memset(text, 'x', SCENE_MAX_LINE + 1);
	ck_assert_eg(scene_parse(text, SCENE_MAX_LINE + 1, "t", &s, err, sizeof(err)), EG_ERR_FORMAT);
	ck_assert_str_eq(err, "t:1: line longer than 512 bytes");

	/* too many different images */
	for (int i = 0; i <= SCENE_MAX_IMAGES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "at %ds show %d.jpg\n", i, i);
	ck_assert_eg(scene_parse(text, n, "t", &s, err, sizeof(err)), EG_ERR_FORMAT);
	ck_assert_str_eq(err, "t:65: more than 64 different images");

	/* too many events */
	n = 0;
	for (int i = 0; i <= SCENE_MAX_EVENTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "at %ds show a.jpg\n", i);
	ck_assert_eg(scene_parse(text, n, "t", &s, err, sizeof(err)), EG_ERR_FORMAT);
	ck_assert_str_eq(err, "t:1025: more than 1024 events");

	/* exactly the limits is fine; NULL err is allowed */
	n = 0;
	for (int i = 0; i < SCENE_MAX_EVENTS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "at %ds show %d.jpg\n", i,
		    i % SCENE_MAX_IMAGES);
	ck_assert_eg(scene_parse(text, n, "t", &s, NULL, 0), EG_OK);
	ck_assert_uint_eq(s->nevents, SCENE_MAX_EVENTS);
	ck_assert_uint_eq(s->nimages, SCENE_MAX_IMAGES);
	scene_free(&s);
}
END_TEST

/* ---- image headers ---- */

START_TEST(test_image_jpeg)
{
	/* SOI, APP0 (2 bytes of payload), fill byte, SOF0 100x50 */
	static const uint8_t j[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 'J', 'F',
		0xFF, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x32, 0x00, 0x64, 0x01, 0x01, 0x11, 0x00 };
	struct camera_image im;

	ck_assert_eg(camera_image_probe(j, sizeof(j), &im), EG_OK);
	ck_assert_int_eq(im.pixfmt, CAMERA_FMT_MJPEG);
	ck_assert_uint_eq(im.width, 100);
	ck_assert_uint_eq(im.height, 50);
	/* every truncation fails cleanly */
	for (size_t n = 0; n < 18; n++)
		ck_assert_int_ne(camera_image_probe(j, n, &im), EG_OK);
}
END_TEST

START_TEST(test_image_jpeg_bad)
{
	static const uint8_t sos_first[] = { 0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02 };
	static const uint8_t short_len[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01 };
	static const uint8_t zero_w[] = { 0xFF, 0xD8, 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x00, 0x10,
		0x00, 0x00, 0x01, 0x01, 0x11, 0x00 };
	static const uint8_t not_marker[] = { 0xFF, 0xD8, 0x12, 0x34 };
	struct camera_image im;

	ck_assert_eg(camera_image_probe(sos_first, sizeof(sos_first), &im), EG_ERR_FORMAT);
	ck_assert_eg(camera_image_probe(short_len, sizeof(short_len), &im), EG_ERR_FORMAT);
	ck_assert_eg(camera_image_probe(zero_w, sizeof(zero_w), &im), EG_ERR_UNSUPPORTED);
	ck_assert_eg(camera_image_probe(not_marker, sizeof(not_marker), &im), EG_ERR_FORMAT);
	ck_assert_eg(camera_image_probe((const uint8_t *)"GIF89a", 6, &im), EG_ERR_FORMAT);
	ck_assert_eg(camera_image_probe(NULL, 0, &im), EG_ERR_TRUNCATED);
}
END_TEST

START_TEST(test_image_ppm)
{
	static const char ppm[] = "P6 # a comment\n2 1\n255\n\x01\x02\x03\x04\x05\x06";
	uint8_t bgr[6], small[5];
	struct camera_image im;

	ck_assert_eg(camera_image_probe((const uint8_t *)ppm, sizeof(ppm) - 1, &im), EG_OK);
	ck_assert_int_eq(im.pixfmt, CAMERA_FMT_BGR24);
	ck_assert_uint_eq(im.width, 2);
	ck_assert_uint_eq(im.height, 1);
	ck_assert_eg(camera_ppm_to_bgr((const uint8_t *)ppm, sizeof(ppm) - 1, &im, bgr, sizeof(bgr)), EG_OK);
	ck_assert_uint_eq(bgr[0], 3);
	ck_assert_uint_eq(bgr[2], 1);
	ck_assert_uint_eq(bgr[3], 6);
	ck_assert_eg(camera_ppm_to_bgr((const uint8_t *)ppm, sizeof(ppm) - 1, &im, small, sizeof(small)),
	    EG_ERR_OVERFLOW);
	/* one sample short */
	ck_assert_eg(camera_image_probe((const uint8_t *)ppm, sizeof(ppm) - 2, &im), EG_ERR_TRUNCATED);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 2 1 65535\n", 13, &im), EG_ERR_UNSUPPORTED);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 2 1 0\n", 9, &im), EG_ERR_FORMAT);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 0 1 255\n", 11, &im), EG_ERR_UNSUPPORTED);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 9000 1 255\n", 14, &im), EG_ERR_UNSUPPORTED);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 99999999999 1 255\n", 21, &im),
	    EG_ERR_UNSUPPORTED);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 x 1 255\n", 11, &im), EG_ERR_FORMAT);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 2 1 255", 10, &im), EG_ERR_TRUNCATED);
	ck_assert_eg(camera_image_probe((const uint8_t *)"P6 2 1 255x", 11, &im), EG_ERR_FORMAT);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("scene");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_scene_full);
	tcase_add_test(tc, test_scene_default_fps);
	tcase_add_loop_test(tc, test_scene_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_scene_limits);
	tcase_add_test(tc, test_image_jpeg);
	tcase_add_test(tc, test_image_jpeg_bad);
	tcase_add_test(tc, test_image_ppm);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
