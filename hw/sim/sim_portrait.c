/* SPDX-License-Identifier: Apache-2.0 */
/* sim_portrait.c — DG2 portraits as an issuer makes them (see
 * sim_portrait.h). TEST AND SIMULATION ONLY. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "egate/error.h"
#include "egate/secure.h"
#include "egate_build.h"
#include "sim_portrait.h"
#include "sim_traveller.h"

#define PT_CACHE_MAX	16
#define PT_PHOTO_MAX	(8u << 20)	/* largest test photo read */
#define PT_PATH_MAX	4096

/* Token frame (ISO/IEC 19794-5 §8.3): W/ED = 4, eye midpoint at (W/2, 0.6 W). */
#define PT_ED		(SIM_PORTRAIT_W / 4.0)
#define PT_EYE_Y	(0.6 * SIM_PORTRAIT_W)

struct pt_entry {
	char path[PT_PATH_MAX];
	enum sim_dg2 kind;
	size_t budget;
	uint8_t *img;
	size_t len;
	uint16_t w, h;
};

struct sim_portraits {
	struct face_ctx *fc;
	struct pt_entry e[PT_CACHE_MAX];
	size_t n;
	size_t next;		/* the slot replaced when full */
};

/* Encode img as `kind` within budget: JPEG from quality 95 down in steps
 * of 5 (to 20), JPEG 2000 with OpenCV's compression parameter from 1000
 * halved (to 8). */
static int
pt_encode(const struct fcv_image *img, enum sim_dg2 kind, size_t budget,
    struct eg_wbuf *out)
{
	uint8_t *enc = NULL;
	size_t len = 0;
	int q, ret = EG_ERR_OVERFLOW;

	for (q = kind == SIM_DG2_JPEG ? 95 : 1000; q >= (kind == SIM_DG2_JPEG ? 20 : 8);
	    q = kind == SIM_DG2_JPEG ? q - 5 : q / 2) {
		if ((ret = fcv_image_encode(img, kind == SIM_DG2_JPEG ? ".jpg" : ".jp2", q,
		    &enc, &len)) != EG_OK)
			return ret;
		if (len <= budget)
			break;
		eg_secret_free(&enc, len);
		ret = EG_ERR_OVERFLOW;
	}
	if (enc == NULL)
		return ret;
	ret = eg_wbuf_put(out, enc, len);
	eg_secret_free(&enc, len);
	return ret;
}

int
sim_portrait_make(struct face_ctx *fc, const uint8_t *src, size_t len,
    enum sim_dg2 kind, size_t budget, struct eg_wbuf *out, uint16_t *w,
    uint16_t *h)
{
	struct fcv_image photo = { 0 }, por = { 0 };
	struct face_result fr;
	struct face_opts fo = { 0 };
	const float dst[2][2] = {
		{ (float)(SIM_PORTRAIT_W / 2.0 - PT_ED / 2), (float)PT_EYE_Y },
		{ (float)(SIM_PORTRAIT_W / 2.0 + PT_ED / 2), (float)PT_EYE_Y },
	};
	double m[6];
	int ret = EG_ERR_INVAL;

	memset(&fr, 0, sizeof(fr));
	if (fc == NULL || src == NULL || out == NULL || w == NULL || h == NULL ||
	    (kind != SIM_DG2_JPEG && kind != SIM_DG2_JP2) ||
	    budget < SIM_PORTRAIT_MIN_BUDGET)
		goto out;
	/* the face the kiosk would choose, and its eyes (points 0 and 1) */
	if ((ret = face_img_decode(src, len, FACE_MAX_DIM, &photo)) != EG_OK ||
	    (ret = face_analyse(fc, &photo, &fo, &fr)) != EG_OK ||
	    (ret = face_similarity_fit((const float (*)[2])fr.pts.pt, dst, 2, m)) != EG_OK ||
	    (ret = fcv_warp_affine(&photo, m, SIM_PORTRAIT_W, SIM_PORTRAIT_H, &por)) != EG_OK ||
	    (ret = pt_encode(&por, kind, budget, out)) != EG_OK)
		goto out;
	*w = SIM_PORTRAIT_W;
	*h = SIM_PORTRAIT_H;
out:
	face_result_wipe(&fr);
	fcv_image_free(&photo);
	fcv_image_free(&por);
	return ret;
}

int
sim_portraits_new(struct sim_portraits **out)
{
	if (out == NULL)
		return EG_ERR_INVAL;
	*out = calloc(1, sizeof(**out));
	return *out == NULL ? EG_ERR_NOMEM : EG_OK;
}

void
sim_portraits_free(struct sim_portraits **pp)
{
	struct sim_portraits *p;

	if (pp == NULL || (p = *pp) == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		eg_secret_free(&p->e[i].img, p->e[i].len);
	face_ctx_free(&p->fc);
	eg_memzero(p, sizeof(*p));
	free(p);
	*pp = NULL;
}

static int
pt_load_face(struct sim_portraits *p)
{
	const char *prof = access(FACE_PROFILE_INSTALLED, R_OK) == 0 ?
	    FACE_PROFILE_INSTALLED : FACE_PROFILE_SRC;
	const char *dir = getenv("EGATE_MODEL_DIR");

	if (p->fc != NULL)
		return EG_OK;
	if (dir == NULL || dir[0] == '\0')
		dir = EGATE_MODEL_DIR;
	return face_ctx_new(prof, dir, &p->fc, NULL, 0);
}

int
sim_portraits_get(struct sim_portraits *p, const char *path, enum sim_dg2 kind,
    size_t budget, struct eg_wbuf *out, uint16_t *w, uint16_t *h)
{
	struct eg_wbuf photo, por;
	struct pt_entry *e;
	int ret = EG_ERR_INVAL;

	eg_wbuf_init(&photo, PT_PHOTO_MAX, true);
	eg_wbuf_init(&por, PT_PHOTO_MAX, true);
	if (p == NULL || path == NULL || out == NULL || w == NULL || h == NULL ||
	    strlen(path) >= PT_PATH_MAX)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		e = &p->e[i];
		if (e->kind == kind && e->budget == budget && strcmp(e->path, path) == 0) {
			*w = e->w;
			*h = e->h;
			ret = eg_wbuf_put(out, e->img, e->len);
			goto out;
		}
	}
	if ((ret = sim_read_file(path, &photo)) != EG_OK ||
	    (ret = pt_load_face(p)) != EG_OK ||
	    (ret = sim_portrait_make(p->fc, photo.data, photo.len, kind, budget, &por,
	    w, h)) != EG_OK ||
	    (ret = eg_wbuf_put(out, por.data, por.len)) != EG_OK)
		goto out;
	/* keep a copy; when full, replace the slots in turn */
	if (p->n < PT_CACHE_MAX) {
		e = &p->e[p->n++];
	} else {
		e = &p->e[p->next];
		p->next = (p->next + 1) % PT_CACHE_MAX;
		eg_secret_free(&e->img, e->len);
	}
	memset(e, 0, sizeof(*e));
	if ((e->img = malloc(por.len)) == NULL) {
		ret = EG_ERR_NOMEM;
		e->path[0] = '\0';	/* never matches: kind/budget alone cannot */
		e->budget = 0;
		goto out;
	}
	memcpy(e->img, por.data, por.len);
	e->len = por.len;
	memcpy(e->path, path, strlen(path) + 1);
	e->kind = kind;
	e->budget = budget;
	e->w = *w;
	e->h = *h;
out:
	eg_wbuf_free(&photo);
	eg_wbuf_free(&por);
	return ret;
}
