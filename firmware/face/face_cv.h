/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face_cv.h — the one thin C++ wrapper around OpenCV (core, imgproc,
 * imgcodecs, dnn). Everything here is plain C: the rest of the face pipeline
 * is written in C and never sees a cv:: type or an exception.
 *
 * Every function catches every C++ exception at the boundary and maps it to
 * an eg_err: EG_ERR_NOMEM (std::bad_alloc), EG_ERR_IMAGE (image codecs and
 * image operations), EG_ERR_MODEL (loading or running a network). Images are
 * 8-bit, 3-channel BGR, rows `stride` bytes apart.
 */
#ifndef EGATE_FACE_CV_H
#define EGATE_FACE_CV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An 8-bit BGR image. When it comes from an fcv_* function, data is heap
 * memory owned by the struct and released (and wiped) by fcv_image_free();
 * a caller may also point data at its own buffer and never call free. */
struct fcv_image {
	int width;
	int height;
	size_t stride;		/* bytes per row, >= 3 * width */
	uint8_t *data;
};

/* A rectangle in pixel coordinates (may reach outside the image). */
struct fcv_rect {
	double x, y, w, h;
};

/* How a network's input is made from an image region. */
enum fcv_chan { FCV_CHAN_BGR = 0, FCV_CHAN_RGB = 1, FCV_CHAN_GREY = 2 };

struct fcv_blob_spec {
	int width, height;	/* network input size */
	enum fcv_chan chan;	/* channel order of the input planes */
	float mean[3];		/* per input plane: value = (pixel - mean) / std */
	float std[3];
};

/* Simple measures of a face region for the quality gate, taken on the
 * region converted to grey and resized to 128x128 (so they do not depend on
 * the face's size in pixels). */
struct fcv_stats {
	double laplacian_var;	/* variance of the 3x3 Laplacian: sharpness */
	double mean;		/* mean grey level, 0..255: exposure */
	double dark_frac;	/* fraction of pixels <= 5 */
	double bright_frac;	/* fraction of pixels >= 250 */
};

struct fcv_net;

/*
 * fcv_image_decode — decode JPEG, PNG, JPEG 2000 (JP2 file or raw J2K
 * codestream) bytes into a new BGR image in *out (caller frees with
 * fcv_image_free). The caller checks header dimensions first (face_img_probe);
 * this function checks again after decoding and refuses an image wider or
 * higher than max_dim.
 * Errors: EG_ERR_INVAL (bad arguments), EG_ERR_IMAGE (cannot decode),
 * EG_ERR_OVERFLOW (larger than max_dim), EG_ERR_NOMEM. *out is left empty on error.
 */
int fcv_image_decode(const uint8_t *bytes, size_t len, int max_dim, struct fcv_image *out);

/*
 * fcv_image_encode — encode img as ".jpg" (quality 0..100), ".png" or
 * ".jp2" / ".j2k" (quality = compression ratio x 1000 as OpenCV's
 * IMWRITE_JPEG2000_COMPRESSION_X1000). *out is malloc'd; the caller frees it
 * (wiping: it is a face image). Errors: EG_ERR_INVAL, EG_ERR_IMAGE, EG_ERR_NOMEM.
 */
int fcv_image_encode(const struct fcv_image *img, const char *ext, int quality,
    uint8_t **out, size_t *out_len);

/* fcv_set_threads — OpenCV's worker threads for the whole process (1: none,
 * everything on the calling thread; <= 0: OpenCV's default). For benchmarks
 * pinned to one core. Never fails. */
void fcv_set_threads(int n);

/* fcv_image_alloc — a new zeroed w x h image in *out. Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int fcv_image_alloc(int width, int height, struct fcv_image *out);

/* fcv_image_free — wipe and free the pixels of an image made by an fcv_*
 * function, and empty the struct. Safe on an empty struct. */
void fcv_image_free(struct fcv_image *img);

/*
 * fcv_image_crop — copy the region r of src (pixels outside src are black)
 * resized to out_w x out_h (<= 0: the region's own size) into a new *out.
 * Errors: EG_ERR_INVAL, EG_ERR_IMAGE, EG_ERR_NOMEM.
 */
int fcv_image_crop(const struct fcv_image *src, const struct fcv_rect *r,
    int out_w, int out_h, struct fcv_image *out);

/*
 * fcv_warp_affine — warp src by the 2x3 matrix m (row-major, dst = m * src)
 * into a new out_w x out_h image *out; bilinear, black outside.
 * Errors: EG_ERR_INVAL, EG_ERR_IMAGE, EG_ERR_NOMEM.
 */
int fcv_warp_affine(const struct fcv_image *src, const double m[6], int out_w,
    int out_h, struct fcv_image *out);

/* fcv_image_stats — measures of region r of src (clipped to the image).
 * Errors: EG_ERR_INVAL (empty region), EG_ERR_IMAGE, EG_ERR_NOMEM. */
int fcv_image_stats(const struct fcv_image *src, const struct fcv_rect *r,
    struct fcv_stats *out);

/*
 * fcv_net_load — load an ONNX network from len bytes in memory (the caller
 * has verified their hash; nothing is read from disk here). The caller frees
 * *out with fcv_net_free. Errors: EG_ERR_INVAL, EG_ERR_MODEL, EG_ERR_NOMEM.
 */
int fcv_net_load(const uint8_t *onnx, size_t len, struct fcv_net **out);

/* fcv_net_free — release a network and set *net to NULL; safe on NULL. */
void fcv_net_free(struct fcv_net **net);

/*
 * fcv_net_run — make the input blob from region r of img (NULL: the whole
 * image; pixels outside the image are black) per spec, run the network, and
 * copy each output names[i] (flattened) into outs[i], which holds
 * out_lens[i] floats; on success out_lens[i] is set to the number written.
 * The input blob is wiped after use.
 * Errors: EG_ERR_INVAL, EG_ERR_MODEL (run failed, or an output is larger
 * than its buffer), EG_ERR_IMAGE, EG_ERR_NOMEM.
 */
int fcv_net_run(struct fcv_net *net, const struct fcv_image *img,
    const struct fcv_rect *r, const struct fcv_blob_spec *spec, int nout,
    const char *const *names, float *const *outs, size_t *out_lens);

#ifdef __cplusplus
}
#endif

#endif
