/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pad_int.h — what the PAD cue files share (not a public interface): grey
 * working images, a small FFT, phase correlation, and the per-cue entry
 * points that pad.c calls. Every grey buffer holds face pixels: pad_grey_free
 * wipes it.
 */
#ifndef EGATE_FACE_PAD_INT_H
#define EGATE_FACE_PAD_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "face.h"
#include "pad.h"

/* A grey image of floats 0..255, row-major, w x h. */
struct pad_grey {
	int w, h;
	float *p;
};

/* A straight edge beside the face on the key frame (pad_edges): the line
 * across = pos + slope * (along - mid) for along in [mid - half, mid + half],
 * native pixels; across is x for a vertical line (left, right), y for a
 * horizontal one (above, below). support 0: no line on that side; -1: the
 * face's surroundings are outside the frame (nothing was searched). */
struct pad_edge {
	double support;		/* fraction of its pixels on one-signed gradient */
	bool vertical;
	double pos, mid, half, slope;
};

enum { PAD_EDGE_LEFT, PAD_EDGE_RIGHT, PAD_EDGE_ABOVE, PAD_EDGE_BELOW, PAD_EDGE_COUNT };

/* What every cue gets: the frames used (key first is NOT implied: key is an
 * index), the face in the key frame and its square box. */
struct pad_in {
	struct face_ctx *ctx;
	const struct face_pad_frame *f[FACE_PAD_MAX_FRAMES];
	size_t n, key;
	struct face_box box;		/* as detected */
	const struct face_points *pts;
	double cx, cy, side;		/* centre and side of the square box */
	int W, H;			/* frame size */
	/* filled by the motion cue for the blink cue: the face's shift in each
	 * frame against the key frame (pixels); valid when has_shift */
	bool has_shift;
	double shift[FACE_PAD_MAX_FRAMES][2];
	/* the key frame's edges beside the face, found once by pad_edges for
	 * the frame cue and the motion cue; valid when edges_found */
	bool edges_found;
	struct pad_edge edge[PAD_EDGE_COUNT];
};

/* pad_grey_native — the region (x0, y0, w, h) of img, at native resolution,
 * pixels outside the image replicated from the nearest edge. */
int pad_grey_native(const struct fcv_image *img, int x0, int y0, int w, int h,
    struct pad_grey *out);
/* pad_grey_scaled — region r of img resized to ow x oh (OpenCV, area
 * interpolation when shrinking; black outside the image). */
int pad_grey_scaled(const struct fcv_image *img, const struct fcv_rect *r, int ow, int oh,
    struct pad_grey *out);
void pad_grey_free(struct pad_grey *g);

/* pad_fft — in-place radix-2 complex FFT of n (a power of two) points;
 * inverse unscaled. */
void pad_fft(float *re, float *im, int n, bool inverse);
/* pad_fft2 — in-place 2-D FFT of an n x n array (n a power of two). */
void pad_fft2(float *re, float *im, int n, bool inverse);

/* pad_phase_corr — the shift (dx, dy) that moves patch a onto patch b (both
 * n x n, n a power of two <= 64) by phase correlation with a sub-pixel
 * peak; *peak is the correlation peak (0..1, confidence). */
void pad_phase_corr(const float *a, const float *b, int n, double *dx, double *dy,
    double *peak);

/* pad_spectra2 — the spectra (Hann window, mean removed) of two real
 * n x n patches a and b (b may be NULL) with one complex FFT; outputs n x n
 * real and imaginary parts. */
void pad_spectra2(const float *a, const float *b, int n, float *are, float *aim, float *bre,
    float *bim);
/* pad_phase_corr2 — phase correlation from spectra (pad_spectra2): for
 * i = 0, 1 the shift moving the patch of spectrum k[i] onto the one of c[i],
 * with one inverse FFT for both (ka[1] NULL: only the first). */
void pad_phase_corr2(const float *const ka[2], const float *const kai[2],
    const float *const ca[2], const float *const cai[2], int n, double dx[2], double dy[2],
    double peak[2]);

/* Percentile p (0..100) of n floats (the array is reordered). */
double pad_percentile(float *v, size_t n, double p);

void pad_cue_detail(struct face_pad_cue_result *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The cues. Each fills raw, unit, detail and state (SCORED or ABSTAINED);
 * pad.c maps raw to the score. Errors: EG_ERR_NOMEM, EG_ERR_IMAGE,
 * EG_ERR_MODEL. */
int pad_cue_spectrum(struct pad_in *in, struct face_pad_cue_result *c);
int pad_cue_banding(struct pad_in *in, struct face_pad_cue_result *c);
int pad_cue_range(struct pad_in *in, struct face_pad_cue_result *c);
int pad_cue_glare(struct pad_in *in, struct face_pad_cue_result *c);
/* pad_edges — finds the straight edge on each side of the face on the key
 * frame (pad_frame.c) into in->edge, once per presentation (later calls
 * return at once). Errors: EG_ERR_NOMEM and pad_grey_scaled's; EG_OK with
 * every support -1 when the face's surroundings are outside the frame. */
int pad_edges(struct pad_in *in);
int pad_cue_frame(struct pad_in *in, struct face_pad_cue_result *c);
/* planar_motion and micro_motion from one analysis */
int pad_cue_motion(struct pad_in *in, struct face_pad_cue_result *planar,
    struct face_pad_cue_result *micro);
int pad_cue_blink(struct pad_in *in, struct face_pad_cue_result *c);
int pad_cue_depth(struct pad_in *in, struct face_pad_cue_result *c);
int pad_cue_moire(struct pad_in *in, struct face_pad_cue_result *c);

#endif
