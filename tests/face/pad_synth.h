/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_synth.h — synthetic presentations for the PAD harness and benchmark:
 * a bona fide presentation (a person in front of a still room: the head
 * moves a little, sometimes blinks) made from one photo, and presentation
 * attacks made from the same photo (prints with and without a paper border,
 * halftone, screens with a pixel grid, glare and refresh banding, phones
 * with a bezel, photos held and moving as a plane, a replayed video), each
 * with its parameters drawn at random from wide ranges by a seed.
 *
 * SYNTHETIC: these are models of attacks written by the same people who
 * wrote the detector. Passing them is no certification (docs/face.md).
 */
#ifndef EGATE_TESTS_PAD_SYNTH_H
#define EGATE_TESTS_PAD_SYNTH_H

#include <stdint.h>

#include "face.h"

#define SYNTH_W 480
#define SYNTH_H 600
#define SYNTH_MAX_FRAMES 16

enum synth_kind {
	SY_BONA_FIDE,
	SY_PRINT_BORDER,	/* print on paper with a white margin, on a room */
	SY_PRINT_FULL,		/* continuous-tone print filling the frame */
	SY_HALFTONE,		/* halftone print filling the frame */
	SY_SCREEN,		/* a monitor filling the frame: grid, glare, banding */
	SY_PHONE,		/* a phone with its bezel, on a room */
	SY_HELD_PHOTO,		/* a photo held by hand: moves as a plane */
	SY_REPLAY,		/* the bona fide video replayed on a monitor */
	SY_KIND_COUNT
};

const char *synth_kind_name(enum synth_kind k);

/* Conditions of capture a real gate sees, drawn per presentation (for bona
 * fide presentations and attacks alike, from a stream of their own): the
 * camera's exposure, the light on the person, glasses, a slight defocus.
 * Bits of synth_pres.cond. */
enum synth_cond {
	SYC_OVER = 1u << 0,		/* over-exposed: gain 1.2-1.6, highlights clip */
	SYC_UNDER = 1u << 1,		/* under-exposed: gain 0.55-0.8 */
	SYC_BACKLIGHT = 1u << 2,	/* a bright window behind: room x1.5-2.2, face
					 * x0.65-0.9, lens flare veil 0-12 */
	SYC_SIDE = 1u << 3,		/* light from one side: +-15-35 % across the face */
	SYC_GLASSES = 1u << 4,		/* spectacles: rims, bridge, temples, tinted lenses */
	SYC_REFLECTION = 1u << 5,	/* a light's small clipped reflection on a lens */
	SYC_BLUR = 1u << 6,		/* slight defocus: lens blur sigma 1.2-2.0 px */
	SYC_COUNT_BITS = 7
};

/* "over", "under", ... for bit i of enum synth_cond (static) */
const char *synth_cond_name(int bit);

struct synth_pres {
	int n;
	struct fcv_image frame[SYNTH_MAX_FRAMES];
	uint16_t *depth[SYNTH_MAX_FRAMES];	/* with_depth only; SYNTH_W x SYNTH_H mm */
	unsigned cond;				/* enum synth_cond bits */
	uint8_t *jpeg[SYNTH_MAX_FRAMES];	/* SYNTH_KEEP_JPEG: each frame as the
						 * camera encoded it (frame[] decodes it) */
	size_t jpeg_len[SYNTH_MAX_FRAMES];
	char desc[400];				/* the parameters drawn */
};

#define SYNTH_DEPTH 1u		/* a depth map per frame */
#define SYNTH_CONDITIONS 2u	/* draw the conditions of enum synth_cond */
#define SYNTH_KEEP_JPEG 4u	/* keep each frame's JPEG bytes (a cache can store them) */

/* The generator's version: a presentation of the same person, kind, seed,
 * frame count and flags is the same picture as long as it stays the same.
 * Bump it with every change to what pad_synth.c draws or paints. */
#define SYNTH_VERSION 2

/*
 * synth_make — one presentation of kind k of nframes (2..SYNTH_MAX_FRAMES)
 * SYNTH_W x SYNTH_H frames. scene is the person's SYNTH_W x SYNTH_H
 * portrait, pts its landmarks in it; room is another SYNTH_W x SYNTH_H
 * picture used as the room behind a print or a phone. flags: SYNTH_DEPTH
 * adds a depth map per frame (a head for the bona fide, the medium's plane
 * for attacks); SYNTH_CONDITIONS draws the conditions of capture (enum
 * synth_cond; without it none, as before they existed). Errors:
 * EG_ERR_NOMEM, EG_ERR_IMAGE, EG_ERR_INVAL.
 */
int synth_make(const struct fcv_image *scene, const struct face_points *pts,
    const struct fcv_image *room, enum synth_kind k, uint64_t seed, int nframes,
    unsigned flags, struct synth_pres *out);

void synth_free(struct synth_pres *p);

/* synth_portrait — the SYNTH_W x SYNTH_H portrait of the face with box b in
 * img (2.6 x 3.25 box heights around it, face at 45 % of the height, kept
 * inside the photo, so the face may sit off-centre), framing jittered by seed
 * (scale +-8 %, shift +-4 %); centre gets where the face's centre landed. */
int synth_portrait(const struct fcv_image *img, const struct face_box *b, uint64_t seed,
    struct fcv_image *out, double centre[2]);

/* synth_unface — every face of boxes b[0..n) but b[keep] painted over by a
 * soft-edged ellipse in the colour around it: one person in the picture, and
 * no straight edge made. In place. Never fails. */
int synth_unface(struct fcv_image *img, const struct face_box *b, size_t n, size_t keep);

/* synth_room — a room without faces from a portrait: every detected face
 * (boxes b[0..n)) painted over in the colour around it, then blurred (out of
 * focus behind a medium). In place. */
int synth_room(struct fcv_image *img, const struct face_box *b, size_t n);
#endif
