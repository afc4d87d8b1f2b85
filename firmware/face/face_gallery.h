/* SPDX-License-Identifier: Apache-2.0 */
/*
 * face_gallery.h — glue between the face pipeline and the 1:N galleries of
 * firmware/match (egate face enroll / search): picking one face of a group
 * photo by position, and the label sidecar that maps gallery ids to the
 * names an operator reads.
 *
 * A watchlist is two files: GALLERY (match_gallery_save: ids and embeddings)
 * and GALLERY.labels (this module: ids and labels). Both are personal data —
 * embeddings are biometric templates and labels name people — and are
 * written 0600. Label sets are wiped when freed.
 */
#ifndef EGATE_FACE_GALLERY_H
#define EGATE_FACE_GALLERY_H

#include <stddef.h>
#include <stdint.h>

#include "face.h"

#define FACE_LABEL_MAX 255	/* bytes in one label */
#define FACE_LABELS_MAX 1000000	/* labels in one file */
#define FACE_LABELS_FILE_MAX (64u * 1024u * 1024u)

/*
 * face_analyse_nth — like face_analyse(), but nth >= 1 picks the nth face
 * counted left to right by the centre of its box (ties: top to bottom)
 * among all detections, ignoring the capture zone; nth == 0 is exactly
 * face_analyse() (the largest face in the zone). *out as face_analyse;
 * the caller wipes it with face_result_wipe.
 * Errors: EG_ERR_NO_FACE (fewer than nth faces; out->nfaces says how many),
 * and those of face_analyse.
 */
int face_analyse_nth(struct face_ctx *ctx, const struct fcv_image *img, unsigned nth,
    const struct face_opts *opts, struct face_result *out);

/*
 * face_analyse_box — the stages after detection (landmarks, alignment,
 * embedding, and per opts quality and PAD) for the face in box, chosen by the
 * caller (e.g. the detection nearest the centre of a portrait). The detection
 * fields of *out (nfaces, faces_in_zone, tailgating, ms[FACE_T_DETECT]) are
 * zero. Errors: EG_ERR_INVAL, and those of the stages; *out is wiped on error.
 */
int face_analyse_box(struct face_ctx *ctx, const struct fcv_image *img, const struct face_box *box,
    const struct face_opts *opts, struct face_result *out);

/* face_label_id — the id derived from a label: the first 8 bytes of its
 * SHA-256, big-endian, with the top bit cleared (so never MATCH_ID_NONE). */
uint64_t face_label_id(const char *label);

/* ---- the label sidecar ------------------------------------------------- */

/*
 * File format (text, UTF-8 or any bytes except control characters):
 *   "# egate face labels v1\n"           first line, exactly
 *   "ID<TAB>LABEL\n" per entry          ID: 16 lowercase hex digits
 * Lines starting with '#' after the first are comments. Ids are unique.
 */
struct face_labels;

/* face_labels_new — an empty set in *out (free with face_labels_free).
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int face_labels_new(struct face_labels **out);

/* face_labels_free — wipe and free *l; sets *l = NULL; safe on NULL. */
void face_labels_free(struct face_labels **l);

/*
 * face_labels_parse — parse len bytes (untrusted; bounds-checked) into a new
 * set in *out. On EG_ERR_FORMAT, *line (may be NULL) gets the 1-based line
 * at fault. Errors: EG_ERR_FORMAT (bad header, id, label, duplicate id, no
 * final newline), EG_ERR_OVERFLOW (too many labels), EG_ERR_NOMEM.
 */
int face_labels_parse(const uint8_t *p, size_t len, struct face_labels **out, size_t *line);

/* face_labels_load_file — read and parse path. Errors: EG_ERR_NOT_FOUND
 * (no such file), EG_ERR_IO, EG_ERR_OVERFLOW (over FACE_LABELS_FILE_MAX),
 * and those of face_labels_parse. */
int face_labels_load_file(const char *path, struct face_labels **out, size_t *line);

/* face_labels_save — write l to path (through path.tmp, renamed; 0600).
 * Errors: EG_ERR_INVAL, EG_ERR_IO. */
int face_labels_save(const struct face_labels *l, const char *path);

/*
 * face_labels_add — append id -> label (copied). Errors: EG_ERR_INVAL (NULL,
 * id UINT64_MAX, empty label, longer than FACE_LABEL_MAX, a control
 * character), EG_ERR_STATE (id already present),
 * EG_ERR_OVERFLOW (FACE_LABELS_MAX), EG_ERR_NOMEM.
 */
int face_labels_add(struct face_labels *l, uint64_t id, const char *label);

/* face_labels_find — the label of id (owned by l), or NULL. */
const char *face_labels_find(const struct face_labels *l, uint64_t id);

/* face_labels_count — number of entries. */
size_t face_labels_count(const struct face_labels *l);

/* face_labels_max_id — the largest id present (0 when empty). */
uint64_t face_labels_max_id(const struct face_labels *l);

#endif
