/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_umock_uvc.c — the UVC camera backend (camera_uvc.c) through libuvc
 * 0.0.6 and libusb against an emulated camera where the kernel would be
 * (umock_uvc.c): enumeration and descriptor parsing by libuvc, the probe
 * and commit controls, bulk streaming of MJPEG (a real JPEG) and YUYV
 * frames, the exposure controls; and broken streams: payloads with the error
 * bit, bogus headers, a cut YUYV frame, a frame larger than the camera
 * announced, a frame without EOF, the camera unplugged while streaming.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camera.h"
#include "camera_image.h"
#include "eg_check.h"
#include "egate/error.h"
#include "eg_scratch.h"
#include "umock_uvc.h"

#define W 64
#define H 48

struct fx {
	struct umock *u;
	struct umock_uvc *cam_dev;
	struct camera *cam;
	uint8_t jpeg[4096];
	size_t jpeg_len;
};

static void
fx_setup(struct fx *f, enum camera_pixfmt pf)
{
	struct camera_format want = { .pixfmt = pf, .width = W, .height = H };
	struct camera_format got;
	char err[256] = "";
	FILE *fp;

	memset(f, 0, sizeof(*f));
	ck_assert_msg(umock_preloaded(),
	    "run under libumockdev-preload (Debian package umockdev; "
	    "meson test --suite umockdev sets LD_PRELOAD)");
	fp = fopen(CAMERA_JPEG, "rb");
	ck_assert_ptr_nonnull(fp);
	f->jpeg_len = fread(f->jpeg, 1, sizeof(f->jpeg), fp);
	fclose(fp);
	ck_assert_uint_gt(f->jpeg_len, 100);
	ck_assert_eg(umock_new(&f->u), EG_OK);
	ck_assert_eg(umock_uvc_add(f->u, W, H, 100, NULL, &f->cam_dev), EG_OK);
	umock_dev_lock(umock_uvc_dev(f->cam_dev));
	ck_assert_eg(umock_uvc_set_mjpeg(f->cam_dev, f->jpeg, f->jpeg_len), EG_OK);
	umock_dev_unlock(umock_uvc_dev(f->cam_dev));
	ck_assert_msg(camera_open("uvc:1209:0003", NULL, &f->cam, err,
	    sizeof(err)) == EG_OK, "camera_open: %s", err);
	ck_assert_msg(camera_set_format(f->cam, &want, &got) == EG_OK,
	    "set_format: %s", camera_error(f->cam));
	ck_assert_int_eq(got.pixfmt, pf);
	ck_assert_uint_eq(got.width, W);
	ck_assert_uint_eq(got.height, H);
	ck_assert_msg(camera_start(f->cam) == EG_OK, "start: %s",
	    camera_error(f->cam));
}

static void
fx_teardown(struct fx *f)
{
	camera_free(&f->cam);
	umock_free(&f->u);
	umock_uvc_free(&f->cam_dev);
}

static void
arm(struct fx *f, enum umock_uvc_fault flt, size_t n)
{
	umock_dev_lock(umock_uvc_dev(f->cam_dev));
	umock_uvc_arm(f->cam_dev, flt, n);
	umock_dev_unlock(umock_uvc_dev(f->cam_dev));
}

/* The next good frame: MJPEG byte-identical to the JPEG, YUYV the ramp. */
static void
good_frame(struct fx *f, enum camera_pixfmt pf)
{
	struct camera_frame fr;
	struct camera_image img;

	ck_assert_msg(camera_next_frame(f->cam, 5000, &fr) == EG_OK,
	    "next_frame: %s", camera_error(f->cam));
	ck_assert_int_eq(fr.format, pf);
	ck_assert_uint_eq(fr.width, W);
	ck_assert_uint_eq(fr.height, H);
	if (pf == CAMERA_FMT_MJPEG) {
		ck_assert_uint_eq(fr.len, f->jpeg_len);
		ck_assert_int_eq(memcmp(fr.data, f->jpeg, f->jpeg_len), 0);
		ck_assert_eg(camera_image_probe(fr.data, fr.len, &img), EG_OK);
		ck_assert_uint_eq(img.width, W);
	} else {
		ck_assert_uint_eq(fr.stride, W * 2);
		ck_assert_uint_eq(fr.len, W * H * 2);
		ck_assert_uint_eq(fr.data[1], 128);
		ck_assert_uint_eq(fr.data[2 * (W - 1)], (W - 1) * 255 / W);
	}
	camera_release_frame(f->cam, &fr);
}

START_TEST(test_list)
{
	struct camera_uvc_info *infos = NULL;
	struct umock *u = NULL;
	struct umock_uvc *c = NULL;
	char err[256];
	size_t n = 0;

	ck_assert_msg(umock_preloaded(), "run under libumockdev-preload");
	ck_assert_eg(umock_new(&u), EG_OK);
	ck_assert_eg(umock_uvc_add(u, W, H, 30, NULL, &c), EG_OK);
	ck_assert_eg(camera_uvc_enumerate(&infos, &n, err, sizeof(err)), EG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(infos[0].vid, UMOCK_UVC_VID);
	ck_assert_uint_eq(infos[0].pid, UMOCK_UVC_PID);
	ck_assert_str_eq(infos[0].product, "UVC camera");
	ck_assert_eg(infos[0].open_err, EG_OK);
	ck_assert_uint_eq(infos[0].nmodes, 2);
	ck_assert_int_eq(infos[0].modes[0].pixfmt, CAMERA_FMT_MJPEG);
	ck_assert_int_eq(infos[0].modes[1].pixfmt, CAMERA_FMT_YUYV);
	ck_assert_uint_eq(infos[0].modes[1].fps_max, 30);
	free(infos);
	umock_free(&u);
	umock_uvc_free(&c);
}
END_TEST

START_TEST(test_stream)
{
	enum camera_pixfmt pf = _i == 0 ? CAMERA_FMT_MJPEG : CAMERA_FMT_YUYV;
	struct camera_stats st;
	struct fx f;
	int i;

	fx_setup(&f, pf);
	for (i = 0; i < 5; i++)
		good_frame(&f, pf);
	camera_get_stats(f.cam, &st);
	ck_assert_uint_ge(st.delivered, 5);
	/* stop and start again: a new commit, frames again */
	ck_assert_eg(camera_stop(f.cam), EG_OK);
	ck_assert_eg(camera_start(f.cam), EG_OK);
	good_frame(&f, pf);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_exposure)
{
	struct fx f;
	uint8_t ae;
	uint32_t exp;

	fx_setup(&f, CAMERA_FMT_MJPEG);
	ck_assert_eg(camera_set_exposure(f.cam, CAMERA_EXPOSURE_MANUAL, 250), EG_OK);
	umock_dev_lock(umock_uvc_dev(f.cam_dev));
	umock_uvc_exposure(f.cam_dev, &ae, &exp);
	umock_dev_unlock(umock_uvc_dev(f.cam_dev));
	ck_assert_uint_eq(ae, 0x01);
	ck_assert_uint_eq(exp, 250);
	ck_assert_eg(camera_set_exposure(f.cam, CAMERA_EXPOSURE_AUTO, 0), EG_OK);
	umock_dev_lock(umock_uvc_dev(f.cam_dev));
	umock_uvc_exposure(f.cam_dev, &ae, &exp);
	umock_dev_unlock(umock_uvc_dev(f.cam_dev));
	ck_assert_uint_eq(ae, 0x08);
	fx_teardown(&f);
}
END_TEST

/* Broken frames: never a crash, never a frame that lies about its size;
 * the stream goes on with good frames. */
START_TEST(test_broken_frames)
{
	static const struct {
		enum umock_uvc_fault f;
		enum camera_pixfmt pf;
		size_t n;
	} bf[] = {
		{ UMOCK_UVC_ERROR_BIT, CAMERA_FMT_MJPEG, 0 },
		{ UMOCK_UVC_BAD_HEADER, CAMERA_FMT_MJPEG, 0 },
		{ UMOCK_UVC_TRUNCATED, CAMERA_FMT_YUYV, W * H },	/* half */
		{ UMOCK_UVC_TRUNCATED, CAMERA_FMT_MJPEG, 200 },
		{ UMOCK_UVC_NO_EOF, CAMERA_FMT_YUYV, 0 },
		{ UMOCK_UVC_OVERSIZE, CAMERA_FMT_YUYV, 0 },
	};
	enum camera_pixfmt pf = bf[_i].pf;
	struct camera_frame fr;
	struct camera_image img;
	struct fx f;
	int i, good = 0;

	fx_setup(&f, pf);
	good_frame(&f, pf);
	arm(&f, bf[_i].f, bf[_i].n);
	/* the next frames: whatever arrives must be whole (YUYV) or be a
	 * JPEG that the image probe judges (a cut one: TRUNCATED) */
	for (i = 0; i < 6; i++) {
		ck_assert_msg(camera_next_frame(f.cam, 5000, &fr) == EG_OK,
		    "next_frame %d: %s", i, camera_error(f.cam));
		if (pf == CAMERA_FMT_YUYV) {
			ck_assert_uint_eq(fr.len, (size_t)fr.stride * fr.height);
		} else {
			int r = camera_image_probe(fr.data, fr.len, &img);

			ck_assert_msg(r == EG_OK || r == EG_ERR_TRUNCATED ||
			    r == EG_ERR_FORMAT, "probe: %s", eg_err_name(r));
			if (r != EG_OK)
				ck_assert_uint_lt(fr.len, f.jpeg_len);
		}
		if (fr.len == (pf == CAMERA_FMT_MJPEG ? f.jpeg_len : W * H * 2u))
			good++;
		camera_release_frame(f.cam, &fr);
	}
	ck_assert_int_ge(good, 4);
	fx_teardown(&f);
}
END_TEST

/* Unplugged while streaming: next_frame ends (timeout or "camera gone"),
 * stopping works; closing ABORTS the process inside libusb 1.0.26 (Debian
 * 12): libuvc's uvc_close resets the alternate setting of the unplugged
 * device, and libusb_set_interface_alt_setting unlocks a mutex it never
 * locked when the device is detached (libusb issue #1200, fixed in 1.0.27
 * by commit 18a64374); libusb_close then fails pthread_mutex_destroy and
 * asserts. This case runs alone as an expected failure (meson.build) until
 * the distribution's libusb has the fix: docs/testing-devices.md. */
START_TEST(test_unplug)
{
	struct camera_frame fr;
	struct fx f;
	int r;

	fx_setup(&f, CAMERA_FMT_MJPEG);
	good_frame(&f, CAMERA_FMT_MJPEG);
	umock_dev_unplug(umock_uvc_dev(f.cam_dev));
	/* frames already in the ring may still come; then it must end */
	for (int i = 0; i < 8; i++) {
		r = camera_next_frame(f.cam, 500, &fr);
		if (r != EG_OK)
			break;
		camera_release_frame(f.cam, &fr);
	}
	ck_assert_msg(r == EG_ERR_TIMEOUT || r == EG_ERR_NO_DEVICE,
	    "after unplug: %s", eg_err_name(r));
	ck_assert_eg(camera_stop(f.cam), EG_OK);
	fx_teardown(&f);
}
END_TEST

/* Malformed descriptors: libuvc must refuse or cope, never crash. */
START_TEST(test_bad_descriptors)
{
	struct umock_buf b;
	struct umock *u = NULL;
	struct umock_uvc *c = NULL;
	struct camera *cam = NULL;
	struct camera_uvc_info *infos = NULL;
	char err[256];
	size_t n = 0, i, vs = 0;
	int r;

	ck_assert_msg(umock_preloaded(), "run under libumockdev-preload");
	ck_assert_eg(umock_uvc_desc(W, H, 333333, &b), EG_OK);
	for (i = 18; i + 2 < b.n; i += b.b[i])
		if (b.b[i + 1] == 0x24 && b.b[i + 2] == 0x06)	/* MJPEG format */
			vs = i;
	ck_assert_uint_gt(vs, 0);
	switch (_i) {
	case 0: b.b[vs + 4] = 9; break;		/* 9 frame descriptors announced */
	case 1: b.b[vs] = 3; break;		/* format descriptor too short */
	case 2: b.b[vs + 11 + 5] = 0; b.b[vs + 11 + 6] = 0; break;	/* width 0 */
	default: b.b[vs + 11 + 25] = 0; break;	/* no frame interval */
	}
	ck_assert_eg(umock_new(&u), EG_OK);
	ck_assert_eg(umock_uvc_add(u, W, H, 30, &b, &c), EG_OK);
	ck_assert_eg(camera_uvc_enumerate(&infos, &n, err, sizeof(err)), EG_OK);
	free(infos);
	r = camera_open("uvc:1209:0003", NULL, &cam, err, sizeof(err));
	if (r == EG_OK) {
		struct camera_format want = { 0 }, got;

		r = camera_set_format(cam, &want, &got);
		if (r == EG_OK && camera_start(cam) == EG_OK)
			(void)camera_stop(cam);
	}
	camera_free(&cam);
	umock_free(&u);
	umock_uvc_free(&c);
}
END_TEST

/*
 * The unplug-close case aborts inside libusb by design (above), so the
 * forked test never frees its umockdev testbed, a folder umockdev makes
 * under $TMPDIR: an unchecked fixture (eg_scratch.h) gives the case a
 * scratch folder of its own, "$TMPDIR/test-umock-uvc.XXXXXX", and removes
 * it, testbed and all, afterwards.
 */

static Suite *
make_suite(void)
{
	Suite *s = suite_create("umockdev-uvc");
	TCase *tc = tcase_create("libuvc");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_list);
	tcase_add_loop_test(tc, test_stream, 0, 2);
	tcase_add_test(tc, test_exposure);
	tcase_add_loop_test(tc, test_broken_frames, 0, 6);
	tcase_add_loop_test(tc, test_bad_descriptors, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_create("unplug-close");
	tcase_set_tags(tc, "libusb1200");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, eg_scratch_setup, eg_scratch_teardown);
	tcase_add_test(tc, test_unplug);
	suite_add_tcase(s, tc);
	return s;
}

EG_CHECK_MAIN()
