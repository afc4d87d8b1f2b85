/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_portrait.h — the portrait a passport issuer stores in DG2, made from a
 * test photo the way an issuer makes it. TEST AND SIMULATION ONLY.
 *
 * The test photos (group photos of 150-300 KB) are not what a chip holds:
 * real DG2 portraits are 10-26 KB (docs/reading.md). An issuer crops the
 * enrolment photo around the face and compresses it to a size budget; so
 * does this module:
 *
 *   1. decode the photo and find the face the kiosk would take from it
 *      (face_analyse: the largest face in the profile's capture zone, its
 *      five landmarks);
 *   2. warp it into the ISO/IEC 19794-5 token-frame geometry: 240 x 320
 *      pixels, the eyes level, 60 px apart (a quarter of the width), their
 *      midpoint at x = W/2, y = 0.6 W from the top;
 *   3. encode it as JPEG (quality stepped down from 95 by 5) or JPEG 2000
 *      (OpenCV's compression parameter halved from 1000) until it fits the
 *      budget.
 *
 * Everything goes through the face pipeline's OpenCV wrapper (face.h,
 * face_cv.h). Making one portrait decodes a large photo and loads the face
 * networks, so the results are kept in a cache (struct sim_portraits) that
 * the simulation keeps for its lifetime; a passage then only copies bytes.
 */
#ifndef EGATE_SIM_PORTRAIT_H
#define EGATE_SIM_PORTRAIT_H

#include <stddef.h>
#include <stdint.h>

#include "egate/buf.h"
#include "face.h"

/* How DG2 holds the face (traveller profile key [document] dg2). */
enum sim_dg2 {
	SIM_DG2_JPEG = 0,	/* token-frame portrait, JPEG (default) */
	SIM_DG2_JP2,		/* token-frame portrait, JPEG 2000 (JP2 file) */
	SIM_DG2_PHOTO,		/* the whole test photo as it is (large DG2) */
};

#define SIM_PORTRAIT_W		240
#define SIM_PORTRAIT_H		320
#define SIM_PORTRAIT_BUDGET	(20u * 1024u)	/* default size budget */
#define SIM_PORTRAIT_MIN_BUDGET	(4u * 1024u)

/*
 * sim_portrait_make — the portrait of the face in the photo src (len bytes
 * of JPEG/PNG/JPEG 2000) as `kind` (JPEG or JP2) of at most budget bytes,
 * appended to out; its size in *w x *h. fc is the face pipeline (borrowed).
 * Errors: EG_ERR_INVAL (kind PHOTO, budget under SIM_PORTRAIT_MIN_BUDGET),
 * EG_ERR_NO_FACE (no face in the zone), EG_ERR_OVERFLOW (cannot be made
 * small enough), and those of face_img_decode, face_analyse and the
 * wrapper (EG_ERR_IMAGE, EG_ERR_MODEL, EG_ERR_NOMEM).
 */
int sim_portrait_make(struct face_ctx *fc, const uint8_t *src, size_t len,
    enum sim_dg2 kind, size_t budget, struct eg_wbuf *out, uint16_t *w,
    uint16_t *h);

/* A cache of portraits by (photo path, kind, budget), with the face
 * pipeline it loads on first use. */
struct sim_portraits;

/* sim_portraits_new — an empty cache; nothing is loaded yet. *out is owned
 * by the caller (sim_portraits_free). Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int sim_portraits_new(struct sim_portraits **out);
/* sim_portraits_free — wipe the portraits (faces), free, *p = NULL. */
void sim_portraits_free(struct sim_portraits **p);

/*
 * sim_portraits_get — the portrait of the photo at path (see
 * sim_portrait_make), made on the first call and copied from the cache
 * after that; appended to out, size in *w x *h. The face pipeline is
 * loaded on first use from $EGATE_MODEL_DIR (else the build's model
 * folder) with the shipped model profile. Errors: EG_ERR_IO (photo),
 * those of face_ctx_new and sim_portrait_make.
 */
int sim_portraits_get(struct sim_portraits *p, const char *path,
    enum sim_dg2 kind, size_t budget, struct eg_wbuf *out, uint16_t *w,
    uint16_t *h);

#endif
