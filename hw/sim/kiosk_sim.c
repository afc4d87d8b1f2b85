/* SPDX-License-Identifier: Apache-2.0 */
/* kiosk_sim.c — one simulated lane for scenario playback (see kiosk_sim.h).
 * The test photos are public images, not traveller data; the scenes made
 * from them live in a private temporary folder removed by kiosk_sim_free. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/match.h"
#include "egate/mrz.h"
#include "egate/secure.h"
#include "egate/usb_profile.h"
#include "egate/usb_sim.h"
#include "kiosk_sim.h"
#include "sim_ccid.h"
#include "sim_doc_reader.h"
#include "sim_mrz.h"
#include "sim_reader.h"
#include "sim_tmpdir.h"
#include "sim_traveller.h"

struct kiosk_sim {
	struct kiosk_sim_opts o;
	struct sim_pki *pki;
	struct usb_profile_table *pt;
	char testdata[512];
	char tmpdir[128];		/* $TMPDIR/egate-kiosk-sim.XXXXXX */
	struct face_ctx *face;		/* the kiosk's, during prepare */
	struct sim_gate gate;
	struct text_display disp;
	struct kiosk_devices dev;
	/* the traveller's devices */
	struct sim_traveller trav;
	struct usb_sim_bus *mrz_bus;
	struct usb_transport mrz_t;	/* borrowed by the MRZ source */
	struct sim_mrz *mrz_sim;
	struct mrz_source *mrz;
	struct doc_reader *reader;
	struct camera *cam;
};

static const struct camera_ops *const sim_cameras[] = { &camera_sim_ops, NULL };

static int embed_image(struct kiosk_sim *k, const struct fcv_image *img, struct face_result *r);

/* ---- images ---------------------------------------------------------------- */

static int
read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	int ret = EG_ERR_IO;

	*out = NULL;
	if (f == NULL)
		return EG_ERR_IO;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || n > (16L << 20) ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	ret = EG_ERR_NOMEM;
	if ((*out = malloc((size_t)n)) == NULL)
		goto out;
	ret = EG_ERR_IO;
	if (fread(*out, 1, (size_t)n, f) != (size_t)n) {
		free(*out);
		*out = NULL;
		goto out;
	}
	*len = (size_t)n;
	ret = EG_OK;
out:
	fclose(f);
	return ret;
}

static int
write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ret = EG_OK;

	if (f == NULL)
		return EG_ERR_IO;
	if (fwrite(p, 1, len, f) != len)
		ret = EG_ERR_IO;
	if (fclose(f) != 0)
		ret = EG_ERR_IO;
	return ret;
}

static int
decode_file(const char *path, struct fcv_image *img)
{
	uint8_t *b = NULL;
	size_t n = 0;
	int ret;

	if ((ret = read_file(path, &b, &n)) != EG_OK)
		return ret;
	ret = face_img_decode(b, n, FACE_MAX_DIM, img);
	eg_secret_free(&b, n);
	return ret;
}

static int
encode_to(const struct fcv_image *img, const char *path)
{
	uint8_t *b = NULL;
	size_t n = 0;
	int ret;

	if ((ret = fcv_image_encode(img, ".jpg", 92, &b, &n)) != EG_OK)
		return ret;
	ret = write_file(path, b, n);
	eg_secret_free(&b, n);
	return ret;
}

static void
fill(struct fcv_image *img, int x0, int y0, int w, int h, uint8_t v)
{
	for (int y = y0; y < y0 + h && y < img->height; y++)
		memset(img->data + (size_t)y * img->stride + (size_t)x0 * 3, v,
		    (size_t)(x0 + w <= img->width ? w : img->width - x0) * 3);
}

/* A grey scene with nobody in it. */
static int
make_empty(const char *path)
{
	struct fcv_image img = { 0 };
	int ret;

	if ((ret = fcv_image_alloc(640, 480, &img)) != EG_OK)
		return ret;
	fill(&img, 0, 0, 640, 480, 128);
	ret = encode_to(&img, path);
	fcv_image_free(&img);
	return ret;
}


/* Paint every detected face but the one nearest (cx, cy) mid-grey: the
 * neighbours of a group photo leave the scene. */
static int
mask_others(struct kiosk_sim *k, struct fcv_image *img, double cx, double cy)
{
	struct face_box b[FACE_MAX_FACES];
	size_t n = 0, best = 0;
	double bd = 1e300;
	int ret;

	if ((ret = face_detect(k->face, img, b, FACE_MAX_FACES, &n)) != EG_OK)
		return ret;
	for (size_t i = 0; i < n; i++) {
		double dx = (b[i].x1 + b[i].x2) / 2 - cx, dy = (b[i].y1 + b[i].y2) / 2 - cy;
		if (dx * dx + dy * dy < bd) {
			bd = dx * dx + dy * dy;
			best = i;
		}
	}
	for (size_t i = 0; i < n; i++) {
		double w = b[i].x2 - b[i].x1, h = b[i].y2 - b[i].y1;
		int x0 = (int)(b[i].x1 - 0.15 * w), y0 = (int)(b[i].y1 - 0.15 * h);
		int x1 = (int)(b[i].x2 + 0.15 * w), y1 = (int)(b[i].y2 + 0.15 * h);

		if (i == best)
			continue;
		x0 = x0 < 0 ? 0 : x0;
		y0 = y0 < 0 ? 0 : y0;
		x1 = x1 > img->width ? img->width : x1;
		y1 = y1 > img->height ? img->height : y1;
		if (x1 > x0 && y1 > y0)
			fill(img, x0, y0, x1 - x0, y1 - y0, 128);
	}
	return EG_OK;
}

/* Paint both eyes of the face in img shut: the eye region filled with the
 * mean colour of the cheek below it, and a dark lid line across. */
static int
close_eyes(struct kiosk_sim *k, struct fcv_image *img)
{
	static const int corner[2][2] = { { 36, 39 }, { 42, 45 } };
	struct face_result fr;
	int ret;

	memset(&fr, 0, sizeof(fr));
	if ((ret = embed_image(k, img, &fr)) != EG_OK)
		goto out;
	for (int e = 0; e < 2; e++) {
		const float *a = fr.pts.lm68[corner[e][0]], *b = fr.pts.lm68[corner[e][1]];
		double w = b[0] - a[0], cy = (a[1] + b[1]) / 2, sum[3] = { 0, 0, 0 };
		int x0 = (int)(a[0] - 0.25 * w), x1 = (int)(b[0] + 0.25 * w);
		int y0 = (int)(cy - 0.45 * w), y1 = (int)(cy + 0.35 * w);
		int sy0 = (int)(cy + 0.8 * w), sy1 = (int)(cy + 1.1 * w), cnt = 0;

		if (w < 4 || x0 < 0 || y0 < 0 || x1 >= img->width || sy1 >= img->height) {
			ret = EG_ERR_NO_FACE;
			goto out;
		}
		for (int y = sy0; y < sy1; y++)
			for (int x = x0; x < x1; x++, cnt++)
				for (int c = 0; c < 3; c++)
					sum[c] += img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)c];
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++)
				for (int c = 0; c < 3; c++)
					img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)c] =
					    (uint8_t)(sum[c] / (cnt > 0 ? cnt : 1));
		for (int y = (int)cy; y < (int)cy + 2 + (int)(w / 12); y++)
			for (int x = (int)a[0]; x < (int)b[0]; x++)
				for (int c = 0; c < 3; c++)
					img->data[(size_t)y * img->stride + (size_t)x * 3 + (size_t)c] = 40;
	}
out:
	face_result_wipe(&fr);
	return ret;
}

/*
 * A live presentation: SIM_LIVE_FRAMES frames (at 30 fps, about half a
 * second, made to loop seamlessly) of the portrait por whose face is
 * centred at (fcx, fcy), bh high. As a person stands in front of a camera:
 * the head (a soft ellipse around the face) sways by a small similarity —
 * up to 2 % of the face's height across, 1.2 % up and down, 0.6 degrees —
 * in front of the still room, and blinks (the eyes shut in frames
 * SIM_BLINK_AT and SIM_BLINK_AT + 1). Frame j is written to
 * "<base>-<jj>.jpg". The sway is periodic in SIM_LIVE_FRAMES, so a camera
 * looping over the frames shows no jump.
 */
#define SIM_BLINK_AT 9

static int
live_frames(struct kiosk_sim *k, const struct fcv_image *por, double fcx, double fcy,
    double bh, const char *base)
{
	struct fcv_image closed = { 0 }, w = { 0 }, out = { 0 };
	double ax = 0.02 * bh, ay = 0.012 * bh, rot = 0.6 * M_PI / 180;
	char path[1100];
	int ret;

	if ((ret = fcv_image_crop(por, &(struct fcv_rect){ 0, 0, por->width, por->height }, 0, 0,
	    &closed)) != EG_OK || (ret = close_eyes(k, &closed)) != EG_OK)
		goto out;
	for (int j = 0; j < SIM_LIVE_FRAMES && ret == EG_OK; j++) {
		const struct fcv_image *src = j == SIM_BLINK_AT || j == SIM_BLINK_AT + 1 ? &closed : por;
		double th = 2 * M_PI * j / SIM_LIVE_FRAMES, a = rot * sin(th + 0.7);
		double tx = ax * sin(th), ty = ay * sin(2 * th + 1.0), m[6], det, iv[6];

		m[0] = cos(a);
		m[1] = -sin(a);
		m[3] = sin(a);
		m[4] = cos(a);
		m[2] = fcx + tx - (m[0] * fcx + m[1] * fcy);
		m[5] = fcy + ty - (m[3] * fcx + m[4] * fcy);
		det = m[0] * m[4] - m[1] * m[3];
		iv[0] = m[4] / det;
		iv[1] = -m[1] / det;
		iv[3] = -m[3] / det;
		iv[4] = m[0] / det;
		iv[2] = -(iv[0] * m[2] + iv[1] * m[5]);
		iv[5] = -(iv[3] * m[2] + iv[4] * m[5]);
		if ((ret = fcv_warp_affine(src, m, por->width, por->height, &w)) != EG_OK ||
		    (ret = fcv_image_crop(por, &(struct fcv_rect){ 0, 0, por->width, por->height },
		    0, 0, &out)) != EG_OK)
			break;
		for (int y = 0; y < por->height; y++)
			for (int x = 0; x < por->width; x++) {
				/* the head where the warp put it, over the still room */
				double u = iv[0] * x + iv[1] * y + iv[2], v = iv[3] * x + iv[4] * y + iv[5];
				double dx = (u - fcx) / (0.62 * bh), dy = (v - fcy - 0.1 * bh) / (0.85 * bh);
				double al = (1.0 - sqrt(dx * dx + dy * dy)) / 0.15;
				uint8_t *o = out.data + (size_t)y * out.stride + (size_t)x * 3;
				const uint8_t *h = w.data + (size_t)y * w.stride + (size_t)x * 3;

				al = al > 1 ? 1 : al;
				if (al <= 0)
					continue;
				for (int c = 0; c < 3; c++)
					o[c] = (uint8_t)(al * h[c] + (1 - al) * o[c] + 0.5);
			}
		snprintf(path, sizeof(path), "%s-%02d.jpg", base, j);
		ret = encode_to(&out, path);
		fcv_image_free(&w);
		fcv_image_free(&out);
	}
out:
	fcv_image_free(&closed);
	fcv_image_free(&w);
	fcv_image_free(&out);
	return ret;
}

/*
 * A one-person scene from a (group) test photo: the region around its
 * largest face (3.2 x 4 face heights, the face a little above the centre),
 * kept inside the photo (shifted, or made smaller, where the photo ends: a
 * black band beyond the photo would be a straight edge around the face, a
 * print's border to PAD), the other faces painted out. Without `printed`
 * the person is live: SIM_LIVE_FRAMES frames "<base>-<jj>.jpg"
 * (live_frames), and with closed_path the still portrait with the eyes
 * shut there too. With `printed`, that portrait is shown still at half
 * size on white paper (a 6 % margin) in front of a grey background instead,
 * written to base itself.
 */
static int
make_portrait(struct kiosk_sim *k, const char *src, const char *base, bool printed,
    const char *closed_path)
{
	struct fcv_image in = { 0 }, por = { 0 }, small = { 0 }, out = { 0 };
	struct face_result fr;
	struct fcv_rect r;
	double bh, cx, cy, f = 1;
	int ret, W, H, w, h, m, x0, y0;

	memset(&fr, 0, sizeof(fr));
	if ((ret = decode_file(src, &in)) != EG_OK || (ret = embed_image(k, &in, &fr)) != EG_OK)
		goto out;
	bh = fr.box.y2 - fr.box.y1;
	cx = (fr.box.x1 + fr.box.x2) / 2;
	cy = (fr.box.y1 + fr.box.y2) / 2;
	r.w = 3.2 * bh;
	r.h = 4.0 * bh;
	if (r.w > in.width)
		f = in.width / r.w;
	if (r.h * f > in.height)
		f = in.height / r.h;
	r.w *= f;
	r.h *= f;
	r.x = cx - r.w / 2;
	r.y = cy - r.h * 0.45;
	r.x = r.x < 0 ? 0 : r.x + r.w > in.width ? in.width - r.w : r.x;
	r.y = r.y < 0 ? 0 : r.y + r.h > in.height ? in.height - r.h : r.y;
	W = (int)r.w;
	H = (int)r.h;
	w = W / 2;
	h = H / 2;
	cx -= r.x;
	cy -= r.y;
	if ((ret = fcv_image_crop(&in, &r, W, H, &por)) != EG_OK ||
	    (ret = mask_others(k, &por, cx, cy)) != EG_OK)
		goto out;
	if (!printed) {
		if ((ret = live_frames(k, &por, cx, cy, bh, base)) != EG_OK || closed_path == NULL)
			goto out;
		if ((ret = close_eyes(k, &por)) == EG_OK)
			ret = encode_to(&por, closed_path);
		goto out;
	}
	r.x = 0;
	r.y = 0;
	r.w = W;
	r.h = H;
	if ((ret = fcv_image_crop(&por, &r, w, h, &small)) != EG_OK ||
	    (ret = fcv_image_alloc(W, H, &out)) != EG_OK)
		goto out;
	m = h * 6 / 100;
	fill(&out, 0, 0, W, H, 110);
	x0 = (W - w) / 2;
	y0 = (H - h) / 2;
	fill(&out, x0 - m, y0 - m, w + 2 * m, h + 2 * m, 250);
	for (int y = 0; y < h; y++)
		memcpy(out.data + (size_t)(y0 + y) * out.stride + (size_t)x0 * 3,
		    small.data + (size_t)y * small.stride, (size_t)w * 3);
	ret = encode_to(&out, base);
out:
	face_result_wipe(&fr);
	fcv_image_free(&in);
	fcv_image_free(&por);
	fcv_image_free(&small);
	fcv_image_free(&out);
	return ret;
}

/* Replace the TD3 expiry date and recompute its check digit and the
 * composite one. */
static int
set_expiry_td3(char *l2, const char *yymmdd)
{
	char comp[64];
	int d;

	if (strlen(l2) != 44)
		return EG_ERR_UNSUPPORTED;
	memcpy(l2 + 21, yymmdd, 6);
	if (mrz_check_digit(l2 + 21, 6, &d) != EG_OK)
		return EG_ERR_FORMAT;
	l2[27] = (char)('0' + d);
	memcpy(comp, l2, 10);
	memcpy(comp + 10, l2 + 13, 7);
	memcpy(comp + 17, l2 + 21, 22);
	if (mrz_check_digit(comp, 39, &d) != EG_OK)
		return EG_ERR_FORMAT;
	l2[43] = (char)('0' + d);
	return EG_OK;
}

static int
write_scene(struct kiosk_sim *k, const struct scenario_passage *sp, char *spec, size_t cap)
{
	char img[1024], path[160], scene[2600], closed[160];
	int ret = EG_OK, n;

	snprintf(path, sizeof(path), "%s/scene.txt", k->tmpdir);
	switch (sp->camera) {
	case SC_CAM_SCENE:
		if (sp->camera_arg[0] == '/' || k->o.sc == NULL)
			n = snprintf(spec, cap, "sim:%s", sp->camera_arg);
		else
			n = snprintf(spec, cap, "sim:%s/%s", k->o.sc->dir, sp->camera_arg);
		return n < 0 || (size_t)n >= cap ? EG_ERR_OVERFLOW : EG_OK;
	case SC_CAM_FACE:
		snprintf(img, sizeof(img), "%s/%s", k->testdata, sp->camera_arg);
		break;
	case SC_CAM_PORTRAIT:
	case SC_CAM_PRINTED:
	case SC_CAM_EYES_CLOSED:
		snprintf(scene, sizeof(scene), "%s/%s", k->testdata, sp->camera_arg);
		snprintf(img, sizeof(img), "%s/%s", k->tmpdir,
		    sp->camera == SC_CAM_PRINTED ? "printed.jpg" : "live");
		snprintf(closed, sizeof(closed), "%s/closed.jpg", k->tmpdir);
		ret = make_portrait(k, scene, img, sp->camera == SC_CAM_PRINTED,
		    sp->camera == SC_CAM_EYES_CLOSED ? closed : NULL);
		break;
	case SC_CAM_EMPTY:
		snprintf(img, sizeof(img), "%s/empty.jpg", k->tmpdir);
		ret = make_empty(img);
		break;
	}
	if (ret != EG_OK)
		return ret;
	if (sp->camera_unplug) {
		/* an empty first frame, then the camera is gone mid-capture */
		char empty[160];

		snprintf(empty, sizeof(empty), "%s/empty.jpg", k->tmpdir);
		if ((ret = make_empty(empty)) != EG_OK)
			return ret;
		n = snprintf(scene, sizeof(scene), "fps 30\nat 0s show %s\nat 10ms unplug\n",
		    empty);
	} else if (sp->camera == SC_CAM_PORTRAIT || sp->camera == SC_CAM_EYES_CLOSED) {
		/* a live person (live_frames), looping; eyes-closed: frames 0 to 5
		 * (0 to 167 ms) closed, then the live frames once, the last one
		 * staying: the kiosk compares KIOSK_CAPTURE_WINDOW (3) frames per
		 * attempt, so two attempts see only closed eyes and the third an
		 * open pair */
		bool shut = sp->camera == SC_CAM_EYES_CLOSED;
		unsigned t0 = shut ? 200 : 0;

		n = shut ? snprintf(scene, sizeof(scene), "fps 30\nat 0s show %s\n", closed) :
		    snprintf(scene, sizeof(scene), "fps 30\n");
		for (int j = 0; j < SIM_LIVE_FRAMES && n > 0 && (size_t)n < sizeof(scene); j++)
			n += snprintf(scene + n, sizeof(scene) - (size_t)n, "at %ums show live-%02d.jpg\n",
			    t0 + (unsigned)(j * 1000 / 30), j);
		if (!shut && n > 0 && (size_t)n < sizeof(scene))
			n += snprintf(scene + n, sizeof(scene) - (size_t)n, "at %ums loop\n",
			    (unsigned)(SIM_LIVE_FRAMES * 1000 / 30));
	} else {
		n = snprintf(scene, sizeof(scene), "fps 30\nat 0s show %s\n", img);
	}
	if (n < 0 || (size_t)n >= sizeof(scene))
		return EG_ERR_OVERFLOW;
	if ((ret = write_file(path, scene, (size_t)n)) != EG_OK)
		return ret;
	n = snprintf(spec, cap, "sim:%s", path);
	return n < 0 || (size_t)n >= cap ? EG_ERR_OVERFLOW : EG_OK;
}


static int
embed_image(struct kiosk_sim *k, const struct fcv_image *img, struct face_result *r)
{
	struct face_opts fo = { 0 };

	return face_analyse(k->face, img, &fo, r);
}

/* ---- a reader whose simulated fault goes off at the first chip command ---------- */

struct fault_reader {
	struct doc_reader *inner;	/* the CCID reader over the simulated one */
	struct sim_ccid *sc;		/* borrowed from inner */
	enum sim_ccid_fault fault;	/* SIM_CCID_FAULT_NONE: none */
	bool armed;
};

static void
arm(struct fault_reader *f)
{
	if (f->fault != SIM_CCID_FAULT_NONE && !f->armed) {
		sim_ccid_arm(f->sc, f->fault, 0, 0);
		f->armed = true;
	}
}

static int
fr_power_on(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len)
{
	struct fault_reader *f = ctx;
	struct doc_card card;

	arm(f);
	doc_reader_card(f->inner, &card);
	return card.power_on(card.ctx, atr, cap, atr_len);
}

static int
fr_transmit(void *ctx, const uint8_t *capdu, size_t clen, uint8_t *rapdu, size_t cap,
    size_t *rlen)
{
	struct fault_reader *f = ctx;
	struct doc_card card;

	arm(f);
	doc_reader_card(f->inner, &card);
	return card.ops->transmit(card.ctx, capdu, clen, rapdu, cap, rlen);
}

static int
fr_power_off(void *ctx)
{
	struct fault_reader *f = ctx;

	return doc_reader_power_off(f->inner);
}

static int
fr_card_present(void *ctx, bool *present)
{
	struct fault_reader *f = ctx;

	return doc_reader_card_present(f->inner, present);
}

static int
fr_wait_event(void *ctx, unsigned timeout_ms, enum doc_reader_event *ev)
{
	struct fault_reader *f = ctx;

	return doc_reader_wait_event(f->inner, timeout_ms, ev);
}

static int
fr_reconnect(void *ctx)
{
	struct fault_reader *f = ctx;

	return doc_reader_reconnect(f->inner);
}

static size_t
fr_max_rapdu(void *ctx)
{
	struct fault_reader *f = ctx;
	struct doc_card card;

	doc_reader_card(f->inner, &card);
	return card.max_rapdu;
}

static void
fr_close(void *ctx)
{
	struct fault_reader *f = ctx;

	if (f == NULL)
		return;
	doc_reader_free(&f->inner);
	free(f);
}

static const struct doc_reader_ops fault_reader_ops = {
	.name = "sim",
	.usage = "sim",
	.power_on = fr_power_on,
	.power_off = fr_power_off,
	.card_present = fr_card_present,
	.wait_event = fr_wait_event,
	.transmit = fr_transmit,
	.reconnect = fr_reconnect,
	.max_rapdu = fr_max_rapdu,
	.close = fr_close,
};

/* ---- the lane ----------------------------------------------------------------- */

static const char *
readers_path(void)
{
	return access(EGATE_READERS_INSTALLED, R_OK) == 0 ? EGATE_READERS_INSTALLED :
	    EGATE_READERS_SRC;
}

/* The lines and a second display (kiosk_sim_opts.also), the same messages. */
static int
tee_show(void *ctx, const struct display_msg *m)
{
	struct kiosk_sim *s = ctx;
	int a = text_display_ops.show(&s->disp, m);
	int b = s->o.also->show(s->o.also_ctx, m);

	return a != EG_OK ? a : b;
}

static const struct display_ops tee_display_ops = {
	.name = "text+",
	.show = tee_show,
};

int
kiosk_sim_new(const struct kiosk_sim_opts *o, struct kiosk_sim **out, char *err, size_t errlen)
{
	struct kiosk_sim *s;
	struct eg_cfg_error cerr;
	int ret;

	if (o == NULL || out == NULL)
		return EG_ERR_INVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return EG_ERR_NOMEM;
	s->o = *o;
	ret = EG_ERR_NOMEM;
	if ((s->pt = calloc(1, sizeof(*s->pt))) == NULL)
		goto fail;
	if ((ret = usb_profile_load_file(readers_path(), s->pt, &cerr)) != EG_OK || s->pt->n == 0) {
		eg_errbuf(err, errlen, "reader profiles %s: %s", readers_path(), eg_strerror(ret));
		ret = ret != EG_OK ? ret : EG_ERR_CONFIG;
		goto fail;
	}
	if ((ret = sim_pki_new(&s->pki)) != EG_OK) {
		eg_errbuf(err, errlen, "simulated PKI: %s", eg_strerror(ret));
		goto fail;
	}
	if (o->testdata_dir != NULL)
		snprintf(s->testdata, sizeof(s->testdata), "%s", o->testdata_dir);
	else
		sim_testdata_dir(s->testdata, sizeof(s->testdata));
	if ((ret = sim_tmpdir_make(s->tmpdir, sizeof(s->tmpdir), "egate-kiosk-sim")) != EG_OK) {
		eg_errbuf(err, errlen, "scratch folder for the camera's frames: %s",
		    eg_strerror(ret));
		goto fail;
	}
	sim_gate_init(&s->gate, o->log);
	s->dev.gate = &sim_gate_ops;
	s->dev.gate_ctx = &s->gate;
	if (o->out != NULL) {
		s->disp.out = o->out;
		s->disp.bilingual = o->bilingual;
		s->disp.prefix = "[display] ";
		s->disp.last = PROMPT_COUNT;
		s->dev.display = o->also != NULL ? &tee_display_ops : &text_display_ops;
		s->dev.display_ctx = o->also != NULL ? (void *)s : (void *)&s->disp;
	}
	*out = s;
	return EG_OK;
fail:
	kiosk_sim_free(&s);
	return ret;
}

void
kiosk_sim_release(struct kiosk_sim *s)
{
	camera_free(&s->cam);
	doc_reader_free(&s->reader);
	mrz_source_free(&s->mrz);
	usb_sim_bus_free(&s->mrz_bus);
	sim_mrz_free(&s->mrz_sim);
	eg_memzero(&s->trav, sizeof(s->trav));
	s->dev.reader = NULL;
	s->dev.mrz = NULL;
	s->dev.camera = NULL;
}

void
kiosk_sim_free(struct kiosk_sim **sp)
{
	struct kiosk_sim *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	kiosk_sim_release(s);
	sim_pki_free(&s->pki);
	free(s->pt);
	(void)sim_tmpdir_remove(s->tmpdir);
	free(s);
	*sp = NULL;
}

int
kiosk_sim_write_pki(struct kiosk_sim *s, const char *dir)
{
	return sim_pki_write(s->pki, dir);
}

const struct kiosk_devices *
kiosk_sim_devices(struct kiosk_sim *s)
{
	return &s->dev;
}

struct sim_gate *
kiosk_sim_gate(struct kiosk_sim *s)
{
	return &s->gate;
}

void
kiosk_sim_use_gate(struct kiosk_sim *s, const struct gate_ops *ops, void *ctx)
{
	s->dev.gate = ops != NULL ? ops : &sim_gate_ops;
	s->dev.gate_ctx = ops != NULL ? ctx : &s->gate;
}

time_t
kiosk_sim_date(const struct scenario *sc)
{
	struct tm tm;

	if (sc == NULL || sc->today_y == 0)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = sc->today_y - 1900;
	tm.tm_mon = sc->today_m - 1;
	tm.tm_mday = sc->today_d;
	tm.tm_hour = 12;
	return timegm(&tm);
}

int
kiosk_sim_watchlist(struct kiosk_sim *s, struct kiosk *k, char *err, size_t errlen)
{
	const struct scenario *sc = s->o.sc;
	struct match_gallery *g = NULL;
	struct match_params mp;
	struct face_result r;
	struct fcv_image img = { 0 };
	char path[1024];
	uint64_t id;
	int ret = EG_OK;

	if (sc == NULL || sc->nwatch == 0)
		return EG_OK;
	s->face = kiosk_face(k);
	memset(&mp, 0, sizeof(mp));
	mp.dim = kiosk_embedding_dim(k);
	mp.format = MATCH_F32;
	if ((ret = match_gallery_new(&mp, &g)) != EG_OK) {
		eg_errbuf(err, errlen, "watchlist gallery: %s", eg_strerror(ret));
		return ret;
	}
	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < sc->nwatch; i++) {
		snprintf(path, sizeof(path), "%s/%s", s->testdata, sc->watch[i]);
		if ((ret = decode_file(path, &img)) == EG_OK &&
		    (ret = embed_image(s, &img, &r)) == EG_OK) {
			id = i + 1;
			ret = r.emb_len == mp.dim ? match_gallery_add(g, r.emb, &id, 1) : EG_ERR_FORMAT;
		}
		fcv_image_free(&img);
		face_result_wipe(&r);
		if (ret != EG_OK) {
			eg_errbuf(err, errlen, "watchlist face %s: %s", path, eg_strerror(ret));
			match_gallery_free(&g);
			return ret;
		}
	}
	kiosk_swap_watchlist(k, &g);
	return EG_OK;
}

int
kiosk_sim_prepare(struct kiosk_sim *s, struct kiosk *k, const struct scenario_passage *sp,
    char *err, size_t errlen)
{
	struct eg_cfg_error cerr;
	struct usb_match m;
	struct camera_options co;
	struct sim_reader *sr = NULL;
	struct fault_reader *fr = NULL;
	char path[1024], spec[1200], line[8 + 3 * 48], ce[256], desc[160];
	char *mrzline;
	int ret;

	kiosk_sim_release(s);
	s->face = kiosk_face(k);
	if (strchr(sp->traveller, '/') != NULL)
		snprintf(path, sizeof(path), "%s", sp->traveller);
	else
		snprintf(path, sizeof(path), "%s/%s.ini", sim_traveller_dir(), sp->traveller);
	if ((ret = sim_traveller_load_file(path, &s->trav, &cerr)) != EG_OK) {
		eg_errbuf(err, errlen, "traveller %s: %s", path, eg_strerror(ret));
		return ret;
	}
	if (sp->chip_face[0] != '\0') {
		if (strlen(sp->chip_face) >= sizeof(s->trav.face)) {
			eg_errbuf(err, errlen, "%s: chip_face too long", sp->name);
			return EG_ERR_OVERFLOW;
		}
		memcpy(s->trav.face, sp->chip_face, strlen(sp->chip_face) + 1);
	}
	if (sp->expiry[0] != '\0' && (ret = set_expiry_td3(s->trav.mrz2, sp->expiry)) != EG_OK) {
		eg_errbuf(err, errlen, "%s: expiry: %s", sp->name, eg_strerror(ret));
		return ret;
	}
	/* the simulated MRZ reader with this traveller's document on it */
	if ((ret = sim_mrz_new(&s->mrz_sim, 64)) != EG_OK ||
	    (ret = usb_sim_bus_new(&s->mrz_bus)) != EG_OK ||
	    (ret = usb_sim_bus_add(s->mrz_bus, &sim_mrz_device_ops, s->mrz_sim)) != EG_OK)
		goto mrz_fail;
	s->mrz_t = usb_sim_bus_transport(s->mrz_bus);
	memset(&m, 0, sizeof(m));
	m.vid = SIM_MRZ_VID;
	m.pid = SIM_MRZ_PID;
	if ((ret = mrz_source_new_acm(&s->mrz_t, &m, NULL, NULL, "acm:1209:0001 simulated",
	    &s->mrz)) != EG_OK)
		goto mrz_fail;
	for (int i = 0; i < 3; i++) {
		mrzline = i == 0 ? s->trav.mrz1 : i == 1 ? s->trav.mrz2 : s->trav.mrz3;
		if (*mrzline == '\0')
			continue;
		snprintf(line, sizeof(line), "%s\r\n", mrzline);
		if ((ret = sim_mrz_feed(s->mrz_sim, line, strlen(line))) != EG_OK)
			goto mrz_fail;
	}
	eg_memzero(line, sizeof(line));
	s->dev.mrz = s->mrz;
	/* the simulated CCID reader hosting the traveller's chip, with the
	 * scenario's fault armed for the first chip command */
	if ((ret = sim_reader_open(&s->trav, s->pki, s->testdata, s->pt, &s->pt->p[0],
	    &sr)) != EG_OK) {
		eg_errbuf(err, errlen, "simulated reader: %s (chip photo %s)", eg_strerror(ret),
		    s->trav.face);
		return ret;
	}
	if ((fr = calloc(1, sizeof(*fr))) == NULL) {
		sim_reader_free(&sr);
		return EG_ERR_NOMEM;
	}
	fr->sc = sim_reader_sim_ccid(sr);
	fr->fault = sp->reader_unplug ? SIM_CCID_FAULT_UNPLUG : sp->doc_removed ?
	    SIM_CCID_FAULT_REMOVE_CARD : SIM_CCID_FAULT_NONE;
	snprintf(desc, sizeof(desc), "sim:%s on simulated %s", s->trav.name, s->pt->p[0].name);
	if ((ret = sim_doc_reader_wrap(sr, desc, &fr->inner)) != EG_OK) {
		free(fr);
		return ret;
	}
	if ((ret = doc_reader_new(&fault_reader_ops, fr, desc, &s->reader)) != EG_OK)
		return ret;
	s->dev.reader = s->reader;
	/* the simulated camera playing the scene */
	if ((ret = write_scene(s, sp, spec, sizeof(spec))) != EG_OK) {
		eg_errbuf(err, errlen, "camera scene for %s: %s", sp->name, eg_strerror(ret));
		return ret;
	}
	memset(&co, 0, sizeof(co));
	co.fast = true;
	co.log = s->o.log;
	co.extra = sim_cameras;
	if ((ret = camera_open(spec, &co, &s->cam, ce, sizeof(ce))) != EG_OK ||
	    (ret = camera_set_format(s->cam, &(struct camera_format){ CAMERA_FMT_NONE, 0, 0, 0 },
	    NULL)) != EG_OK || (ret = camera_start(s->cam)) != EG_OK) {
		eg_errbuf(err, errlen, "camera: %s %s", eg_strerror(ret), ce);
		return ret;
	}
	s->dev.camera = s->cam;
	/* the gate shut and working again, the traveller walks through it */
	sim_gate_init(&s->gate, s->o.log);
	for (int d = 0; d < KD_COUNT; d++)
		kiosk_set_health(k, (enum kiosk_device)d, KH_OK, NULL);
	return EG_OK;
mrz_fail:
	eg_errbuf(err, errlen, "simulated MRZ reader: %s", eg_strerror(ret));
	return ret;
}

int
kiosk_sim_set_expiry(char *mrz2, const char *yymmdd)
{
	return set_expiry_td3(mrz2, yymmdd);
}

int
kiosk_sim_portrait(struct face_ctx *face, const char *src, const char *path)
{
	struct kiosk_sim tmp;

	char base[1024];
	size_t n = strlen(path);

	memset(&tmp, 0, sizeof(tmp));
	tmp.face = face;
	if (n >= sizeof(base))
		return EG_ERR_OVERFLOW;
	memcpy(base, path, n + 1);
	if (n > 4 && strcmp(base + n - 4, ".jpg") == 0)
		base[n - 4] = '\0';
	return make_portrait(&tmp, src, base, false, NULL);
}

void
kiosk_sim_title(const struct scenario_passage *sp, char *buf, size_t cap)
{
	snprintf(buf, cap, "'%s' (traveller %s, camera %s%s%s)", sp->name, sp->traveller,
	    scenario_camera_str(sp->camera), sp->camera_arg[0] ? ":" : "", sp->camera_arg);
}

bool
kiosk_sim_expectation_met(const struct scenario_passage *sp, const struct kiosk_report *r)
{
	enum passage_outcome want = sp->expect == SC_EXPECT_OPEN ? PO_OPEN :
	    sp->expect == SC_EXPECT_REFER ? PO_REFER : PO_ABANDONED;

	if (sp->expect != SC_EXPECT_ANY && r->outcome != want)
		return false;
	return sp->expect_rule[0] == '\0' || strcmp(sp->expect_rule, r->rule) == 0;
}
