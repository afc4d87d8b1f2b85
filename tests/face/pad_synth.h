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

struct synth_pres {
	int n;
	struct fcv_image frame[SYNTH_MAX_FRAMES];
	uint16_t *depth[SYNTH_MAX_FRAMES];	/* with_depth only; SYNTH_W x SYNTH_H mm */
	char desc[200];				/* the parameters drawn */
};

/*
 * synth_make — one presentation of kind k of nframes (2..SYNTH_MAX_FRAMES)
 * SYNTH_W x SYNTH_H frames. scene is the person's SYNTH_W x SYNTH_H
 * portrait, pts its landmarks in it; room is another SYNTH_W x SYNTH_H
 * picture used as the room behind a print or a phone. with_depth adds a
 * depth map per frame (a head for the bona fide, the medium's plane for
 * attacks). Errors: EG_ERR_NOMEM, EG_ERR_IMAGE, EG_ERR_INVAL.
 */
int synth_make(const struct fcv_image *scene, const struct face_points *pts,
    const struct fcv_image *room, enum synth_kind k, uint64_t seed, int nframes,
    bool with_depth, struct synth_pres *out);

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
