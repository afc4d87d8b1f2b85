/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face.h — the face pipeline of the kiosk: decode, detect, choose the face in
 * the capture zone, landmarks, 5-point similarity alignment, embedding,
 * quality gate and a (weak, replaceable) presentation-attack check.
 *
 * The networks and all their preprocessing are data: a model profile (INI,
 * see firmware/face/models/ and docs/face.md) names each ONNX file, its
 * SHA-256 (verified before the file is handed to OpenCV), input size,
 * channel order and normalisation, the decoding parameters and the quality
 * limits. OpenCV is reached only through face_cv.h.
 *
 * Face images and embeddings are personal data: every buffer holding one is
 * wiped when freed, and nothing here writes them to disk or logs.
 */
#ifndef EGATE_FACE_H
#define EGATE_FACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "face_cv.h"

#define FACE_EMB_MAX 512	/* largest embedding a profile may declare */
#define FACE_MAX_DIM 8192	/* images wider or higher than this are refused */
#define FACE_MAX_FACES 64	/* detections kept after NMS */

/* ---- model profile ----------------------------------------------------- */

enum face_net_id {
	FACE_NET_DETECT, FACE_NET_LANDMARK, FACE_NET_FEATURE,
	FACE_NET_LIVENESS, FACE_NET_POSE, FACE_NET_EYE,
	FACE_NET_COUNT
};

struct face_net_prof {
	char file[128];		/* relative to the model directory */
	char sha256[65];	/* hex */
	long long width, height;
	int chan;		/* enum fcv_chan */
	double mean[3], std[3];
	char outputs[96];	/* comma-separated output names */
};

struct face_quality_limits {
	long long min_face_px;	/* detected box height in pixels */
	double max_yaw, max_pitch, max_roll;	/* degrees, absolute */
	double min_eye_open;	/* probability of class "open", each eye */
	double min_sharpness;	/* Laplacian variance on the 128x128 face */
	double min_brightness, max_brightness;	/* mean grey level */
};

struct face_profile {
	char name[64];
	char version[32];
	struct face_net_prof net[FACE_NET_COUNT];
	double score_threshold;	/* detector */
	double nms_iou;
	bool letterbox;		/* pad the frame to the detector's aspect ratio */
	long long embedding_size;
	double live_threshold;	/* p(live) at or above passes */
	double match_threshold;	/* cosine at or above is a match */
	double zone[4];		/* capture zone x, y, w, h as fractions of the frame */
	struct face_quality_limits q;
};

/*
 * face_profile_load — read and check a profile INI into *out.
 * Errors: EG_ERR_IO (unreadable), EG_ERR_CONFIG (bad content; errbuf gets
 * "file:line: [section] key: message"). errbuf may be NULL.
 */
int face_profile_load(const char *path, struct face_profile *out, char *errbuf, size_t errlen);

/* ---- context: the loaded networks ---------------------------------------- */

struct face_ctx;

/*
 * face_ctx_new — load the profile at profile_path and every network it names
 * from model_dir. Each model file is read once into memory, its SHA-256
 * compared with the profile's (mbedTLS), and only then parsed by OpenCV.
 * The caller frees *out with face_ctx_free.
 * Errors: EG_ERR_IO / EG_ERR_CONFIG (profile), EG_ERR_NOT_FOUND (model file
 * missing — run scripts/install-deps), EG_ERR_CHECKSUM (a model's hash
 * differs: refused), EG_ERR_MODEL (OpenCV cannot load it), EG_ERR_NOMEM.
 * A one-line explanation goes to errbuf (may be NULL).
 */
int face_ctx_new(const char *profile_path, const char *model_dir, struct face_ctx **out,
    char *errbuf, size_t errlen);

/* face_ctx_free — release the networks; sets *ctx to NULL; safe on NULL. */
void face_ctx_free(struct face_ctx **ctx);

/* face_ctx_profile — the profile in use (owned by ctx). */
const struct face_profile *face_ctx_profile(const struct face_ctx *ctx);

/* ---- images ------------------------------------------------------------ */

enum face_img_fmt { FACE_IMG_UNKNOWN, FACE_IMG_JPEG, FACE_IMG_PNG, FACE_IMG_JP2, FACE_IMG_J2K };

/*
 * face_img_probe — find the format and the dimensions from the header of
 * len bytes, without decoding (JPEG SOFn, PNG IHDR, JP2 ihdr box, J2K SIZ).
 * Errors: EG_ERR_FORMAT (not one of the four or a malformed header),
 * EG_ERR_TRUNCATED (header cut short).
 */
int face_img_probe(const uint8_t *p, size_t len, enum face_img_fmt *fmt, uint32_t *w, uint32_t *h);

/* face_img_fmt_str — "jpeg", "png", "jp2", "j2k" or "unknown" (static). */
const char *face_img_fmt_str(enum face_img_fmt f);

/*
 * face_img_decode — probe, refuse anything over max_dim in either dimension
 * before decoding (EG_ERR_OVERFLOW), then decode into *out (free with
 * fcv_image_free). Errors: those of face_img_probe, EG_ERR_OVERFLOW,
 * EG_ERR_IMAGE (decoder failed, e.g. truncated data), EG_ERR_NOMEM.
 */
int face_img_decode(const uint8_t *p, size_t len, int max_dim, struct fcv_image *out);

/* ---- detection --------------------------------------------------------- */

struct face_box {
	float x1, y1, x2, y2;	/* pixels, as detected */
	float score;
};

/*
 * face_detect — run the detector on img, keep scores >= the profile's
 * threshold, suppress overlaps by IoU (intersection over union) > nms_iou,
 * and write up to max boxes, best first, into boxes; *n is how many.
 * Errors: EG_ERR_INVAL, EG_ERR_MODEL, EG_ERR_NOMEM.
 */
int face_detect(struct face_ctx *ctx, const struct fcv_image *img, struct face_box *boxes,
    size_t max, size_t *n);

/* face_box_iou — intersection over union of two boxes (0 when disjoint). */
double face_box_iou(const struct face_box *a, const struct face_box *b);

/* face_nms — in-place non-maximum suppression of n boxes (any order):
 * sorts by score, drops boxes whose IoU with a kept one exceeds iou;
 * returns how many are kept (at the front). */
size_t face_nms(struct face_box *boxes, size_t n, double iou);

/* face_box_square — the square box of side = box height, same centre. */
struct face_box face_box_square(const struct face_box *b);

/*
 * face_choose — the index of the face to use among n boxes: the largest
 * whose centre lies in the zone (x, y, w, h as fractions of width x height),
 * ties to the one nearest the zone's centre; *in_zone counts the boxes in the
 * zone at least min_px high (>= 2 is a tailgating alarm). Returns -1 if none.
 */
int face_choose(const struct face_box *boxes, size_t n, int width, int height,
    const double zone[4], double min_px, int *in_zone);

/* ---- landmarks and alignment ------------------------------------------- */

struct face_points {
	float pt[5][2];		/* left eye, right eye, nose, mouth left, mouth right */
	float lm68[68][2];	/* the 68 points, image pixels */
};

/* face_landmarks — 68 points on the 64x64 grey crop of the square box, and
 * the 5 alignment points derived from them. Errors: EG_ERR_INVAL, EG_ERR_MODEL. */
int face_landmarks(struct face_ctx *ctx, const struct fcv_image *img, const struct face_box *box,
    struct face_points *out);

/*
 * face_similarity_fit — least-squares similarity (rotation, uniform scale,
 * translation; Umeyama without reflection) mapping src[i] to dst[i] for n >= 2
 * points; m is the 2x3 row-major matrix. Errors: EG_ERR_INVAL (degenerate).
 */
int face_similarity_fit(const float src[][2], const float dst[][2], size_t n, double m[6]);

/* face_align — the 112x112 ArcFace crop of img for the 5 points into *out
 * (free with fcv_image_free). Errors: EG_ERR_INVAL, EG_ERR_IMAGE, EG_ERR_NOMEM. */
int face_align(const struct fcv_image *img, const struct face_points *pts, struct fcv_image *out);

/*
 * face_embed — the L2-normalised embedding of an aligned crop into emb
 * (cap floats, >= the profile's embedding_size); *n = its size.
 * Errors: EG_ERR_INVAL, EG_ERR_OVERFLOW (cap too small), EG_ERR_MODEL.
 */
int face_embed(struct face_ctx *ctx, const struct fcv_image *aligned, float *emb, size_t cap,
    size_t *n);

/* face_cosine — cosine similarity of two embeddings of n floats (0 if either is zero). */
double face_cosine(const float *a, const float *b, size_t n);

/* ---- quality gate ------------------------------------------------------ */

enum face_q {
	FACE_Q_SIZE, FACE_Q_YAW, FACE_Q_PITCH, FACE_Q_ROLL,
	FACE_Q_EYE_LEFT, FACE_Q_EYE_RIGHT, FACE_Q_SHARPNESS, FACE_Q_BRIGHTNESS,
	FACE_Q_COUNT
};

struct face_measure {
	const char *name;	/* static: "face_px", "yaw", ... */
	double value;
	double min, max;	/* pass when min <= value <= max */
	bool pass;
};

struct face_quality {
	struct face_measure m[FACE_Q_COUNT];
	bool retake;		/* any measure failed: capture again */
};

/* face_pose — yaw, pitch, roll in degrees. Errors: EG_ERR_INVAL, EG_ERR_MODEL. */
int face_pose(struct face_ctx *ctx, const struct fcv_image *img, const struct face_box *box,
    double ypr[3]);

/* face_eyes_open — p(open) of the left and right eye. Errors: as face_pose. */
int face_eyes_open(struct face_ctx *ctx, const struct fcv_image *img,
    const struct face_points *pts, double p_open[2]);

/* face_quality_check — all measures against the profile's limits.
 * Errors: those of face_pose, face_eyes_open, fcv_image_stats. */
int face_quality_check(struct face_ctx *ctx, const struct fcv_image *img,
    const struct face_box *box, const struct face_points *pts, struct face_quality *out);

/* ---- presentation-attack detection (PAD) ------------------------------- */

struct face_pad_result {
	const char *method;	/* static name of the detector */
	double live_score;	/* 0..1, higher = more likely live */
	double threshold;
	bool live;
};

/*
 * A PAD detector. check() looks at the frame and the detected face and fills
 * *out; it returns an eg_err. The built-in one (face_pad_minifas) is weak —
 * see docs/face.md — and exists so a certified detector can replace it
 * without touching the pipeline.
 */
struct face_pad_ops {
	const char *name;
	int (*check)(void *self, const struct fcv_image *img, const struct face_box *box,
	    struct face_pad_result *out);
};

/* The MiniFASNet-like model of the profile; self is the struct face_ctx. */
extern const struct face_pad_ops face_pad_minifas;

/* ---- the whole pipeline ------------------------------------------------ */

enum face_stage {
	FACE_T_DETECT, FACE_T_LANDMARK, FACE_T_ALIGN, FACE_T_EMBED,
	FACE_T_QUALITY, FACE_T_LIVENESS,
	FACE_T_COUNT
};

/* face_stage_str — "detect", "landmarks", ... (static). */
const char *face_stage_str(enum face_stage s);

struct face_opts {
	bool quality;		/* run the quality gate */
	const struct face_pad_ops *pad;	/* NULL: no liveness check */
	void *pad_self;		/* passed to pad->check (face_pad_minifas: the ctx) */
};

struct face_result {
	size_t nfaces;		/* all detections */
	int faces_in_zone;	/* of at least the minimum face size */
	bool tailgating;	/* faces_in_zone >= 2: a result of its own */
	struct face_box box;	/* the chosen face */
	struct face_points pts;
	size_t emb_len;
	float emb[FACE_EMB_MAX];	/* L2-normalised; wiped by face_result_wipe */
	bool has_quality;
	struct face_quality quality;
	bool has_pad;
	struct face_pad_result pad;
	double ms[FACE_T_COUNT];	/* wall time per stage */
};

/*
 * face_analyse — detect, choose the face in the zone, landmarks, align,
 * embed, and (per opts) quality and PAD, into *out.
 * Errors: EG_ERR_NO_FACE (nothing detected in the zone), and those of the
 * stages. The caller wipes *out with face_result_wipe when done.
 */
int face_analyse(struct face_ctx *ctx, const struct fcv_image *img, const struct face_opts *opts,
    struct face_result *out);

/*
 * face_analyse_stages — everything after detection for the face already in
 * out->box: landmarks, align, embed, and (per opts) quality and PAD, with
 * their timings. face_analyse and the gallery functions (face_gallery.h)
 * share it. Errors: those of the stages; *out is then partly filled and
 * the caller wipes it.
 */
int face_analyse_stages(struct face_ctx *ctx, const struct fcv_image *img,
    const struct face_opts *opts, struct face_result *out);

/* face_result_wipe — zero the whole result (embedding and landmarks). */
void face_result_wipe(struct face_result *r);

/* ---- DG2 (ICAO 9303 LDS, ISO/IEC 19794-5:2005 facial record) ----------- */

struct face_dg2 {
	uint16_t n_instances;	/* 7F61 / 02: number of biometric templates */
	uint32_t record_len;	/* facial record header: whole record length */
	uint16_t n_faces;
	uint32_t block_len;	/* facial record data length */
	uint16_t n_points;
	uint8_t gender, eye_colour, hair_colour;
	uint32_t feature_mask;	/* 24 bits */
	uint16_t expression;
	uint8_t pose[3], pose_unc[3];	/* yaw, pitch, roll */
	uint8_t face_image_type, image_data_type;	/* 0 JPEG, 1 JPEG 2000 */
	uint16_t width, height;
	uint8_t colour_space, source_type;
	uint16_t device_type, quality;
	enum face_img_fmt fmt;	/* from the image's own signature */
	const uint8_t *image;	/* points into the caller's DG2 bytes */
	size_t image_len;
};

/*
 * face_dg2_parse — walk DG2 (tag 75) → 7F61 → first 7F60 → 5F2E or 7F2E and
 * parse the facial record of the first face; every length is checked. The
 * image pointer borrows from p. Errors: EG_ERR_TRUNCATED, EG_ERR_FORMAT
 * (wrong tags, "FAC\0" missing, lengths that disagree, no JPEG/JPEG 2000
 * signature), EG_ERR_UNSUPPORTED (record version other than "010\0"),
 * EG_ERR_OVERFLOW, EG_ERR_NOT_FOUND (no biometric data block).
 */
int face_dg2_parse(const uint8_t *p, size_t len, struct face_dg2 *out);

/*
 * face_dg2_build — wrap image bytes (JPEG or JPEG 2000) of w x h pixels in a
 * minimal DG2 with one facial record and no feature points, as a passport
 * chip holds it; for tests and simulators. The caller frees out (secret
 * buffer: it holds a face). Errors: EG_ERR_INVAL, EG_ERR_OVERFLOW, EG_ERR_NOMEM.
 */
struct eg_wbuf;
int face_dg2_build(const uint8_t *img, size_t len, uint16_t w, uint16_t h, struct eg_wbuf *out);

#endif
