/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h — the decision policy the host pushes to its kiosks
 * (PROTOCOL.md, ConfigPush; docs/host.md "Policy bundle"; docs/kiosk.md
 * "Pushed policy").
 *
 * The ONE place where the names of the policy's thresholds and settings are
 * written down: the host's bundle reader (policy_bundle_load), the encoder
 * the host uses to build ConfigPush messages (policy_encode) and the decoder
 * the kiosk uses on what arrives (policy_decode) all work from the tables
 * below, so the two sides cannot disagree on a name or a range.
 *
 * A push carries a complete policy, never a difference: every threshold and
 * every setting must be present exactly once. The decoder refuses unknown
 * names, duplicates, missing names, out-of-range or non-integral values, a
 * bad split (parts out of order, versions differing) and a digest that does
 * not match (proto_config_digest), each with a one-line reason.
 *
 *   host:   policy_bundle_load(path, &p, err) -> policy_encode(&p, max, &pp)
 *           -> pp.part[i] (packed ConfigPush) sent in order, pp.digest logged
 *           with audit_config_add_policy with policy_params_json(&p).
 *   kiosk:  parts unpacked in order -> policy_decode(parts, n, &p, err)
 *           -> applied between passages.
 */
#ifndef EGATE_PROTO_POLICY_H
#define EGATE_PROTO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate.pb-c.h"

/* Numeric policy values: X(ID, name, min, max, integer, help). Sent as
 * ConfigPush.thresholds (doubles; integer ones must be integral). */
#define POLICY_THRESHOLDS(X) \
	X(MATCH,         "match_threshold",      0.0, 1.0, false, \
	    "1:1 face cosine at or above which live face and chip photo match") \
	X(LIVENESS,      "liveness_threshold",   0.0, 1.0, false, \
	    "PAD live score below which the presentation-attack alarm fires") \
	X(WATCHLIST,     "watchlist_threshold",  0.0, 1.0, false, \
	    "watchlist cosine at or above which the search is a hit") \
	X(MAX_CAPTURES,  "max_capture_attempts", 1.0, 10.0, true, \
	    "face captures failing the quality gate before a referral") \
	X(MIN_AGE,       "min_age",              0.0, 120.0, true, \
	    "minimum holder age in years (0: no minimum)")

enum policy_threshold {
#define X_(id, n, lo, hi, i, h) POLICY_T_##id,
	POLICY_THRESHOLDS(X_)
#undef X_
	POLICY_T_COUNT
};

/* Non-numeric policy values: X(ID, name, default, help). Sent as
 * ConfigPush.settings. A setting with a NULL default is required; one with
 * a default may be left out of a bundle or a push (it then has its default),
 * and policy_encode leaves it out while it has its default, so a kiosk that
 * predates it still accepts the push. */
#define POLICY_SETTINGS(X) \
	X(MANDATORY_CHECKS, "mandatory_checks", NULL, \
	    "document checks that must pass, comma-separated (names below)") \
	X(ACCEPTED_ISSUERS, "accepted_issuers", NULL, \
	    "issuing states (UTO) or state:type (UTO:P), comma-separated; empty: all") \
	X(NO_CHIP_AUTH,     "no_chip_auth", NULL, \
	    "chip without Active/Chip Authentication: refer or accept") \
	X(WATCHLIST_ACTION, "watchlist_action", NULL, \
	    "watchlist hit: refer (officer alerted) or refer_silent") \
	X(PAD_CUES,         "pad_cues", "all", \
	    "presentation-attack cues in use: all, or a comma-separated list (names below)") \
	X(PAD_LIVE_SIGN,    "pad_live_sign", "optional", \
	    "a sign of life (blink, micro motion, depth relief) is optional or required")

enum policy_setting {
#define X_(id, n, d, h) POLICY_S_##id,
	POLICY_SETTINGS(X_)
#undef X_
	POLICY_S_COUNT
};

/* Document check names of mandatory_checks (firmware/kiosk/passage.h
 * PASSAGE_DOC_CHECKS, in lower case; the kiosk maps them by name and
 * refuses a policy naming a check it does not know). */
#define POLICY_DOC_CHECKS(X) \
	X(MRZ_VALID, "mrz_valid") \
	X(CHIP_ACCESS, "chip_access") \
	X(PASSIVE_AUTH, "passive_auth") \
	X(DG_HASHES, "dg_hashes") \
	X(DG1_MATCHES_MRZ, "dg1_matches_mrz") \
	X(CHIP_AUTH, "chip_auth") \
	X(NOT_EXPIRED, "not_expired") \
	X(ISSUER_ACCEPTED, "issuer_accepted") \
	X(MIN_AGE, "min_age")

enum policy_doc_check {
#define X_(id, n) POLICY_C_##id,
	POLICY_DOC_CHECKS(X_)
#undef X_
	POLICY_C_COUNT
};

/* The presentation-attack cues of pad_cues (firmware/face/pad.h, enum
 * face_pad_cue, same names; the kiosk maps them by name). */
#define POLICY_PAD_CUES(X) \
	X(SPECTRUM, "spectrum") \
	X(RANGE, "range") \
	X(GLARE, "glare") \
	X(BANDING, "banding") \
	X(FRAME, "frame") \
	X(PLANAR_MOTION, "planar_motion") \
	X(MICRO_MOTION, "micro_motion") \
	X(BLINK, "blink") \
	X(DEPTH, "depth") \
	X(MOIRE, "moire")

enum policy_pad_cue {
#define X_(id, n) POLICY_PAD_##id,
	POLICY_PAD_CUES(X_)
#undef X_
	POLICY_PAD_COUNT
};

enum policy_no_chip_auth { POLICY_NCA_REFER = 0, POLICY_NCA_ACCEPT };
enum policy_pad_live_sign { POLICY_PAD_SIGN_OPTIONAL = 0, POLICY_PAD_SIGN_REQUIRED };
enum policy_watchlist_action { POLICY_WL_REFER = 0, POLICY_WL_REFER_SILENT };

/* Limits (a bundle or push above them is refused). */
#define POLICY_SETTING_MAX 255u		/* bytes of a setting value */
#define POLICY_BLOBS_MAX 64u		/* master lists, and CRLs, each */
#define POLICY_TOTAL_MAX (64u * 1024u * 1024u)	/* all blobs together */
#define POLICY_PARTS_MAX 256u
/* Smallest part size policy_encode accepts (room for the non-blob fields). */
#define POLICY_PART_MIN 4096u

struct policy_blob {
	uint8_t *data;
	size_t len;
};

/* A complete policy. Initialise with policy_init(); free with policy_clear(). */
struct policy {
	uint64_t version;			/* >= 1 */
	double threshold[POLICY_T_COUNT];
	char setting[POLICY_S_COUNT][POLICY_SETTING_MAX + 1];	/* as sent */
	/* parsed settings */
	uint32_t mandatory;			/* bit per enum policy_doc_check */
	enum policy_no_chip_auth no_chip_auth;
	enum policy_watchlist_action watchlist_action;
	uint32_t pad_cues;			/* bit per enum policy_pad_cue */
	enum policy_pad_live_sign pad_live_sign;
	/* trust material and watchlist (optional) */
	struct policy_blob master_lists[POLICY_BLOBS_MAX];	/* CMS, DER */
	size_t n_master_lists;
	struct policy_blob crls[POLICY_BLOBS_MAX];		/* X.509 CRL, DER */
	size_t n_crls;
	struct policy_blob gallery;		/* firmware/match gallery file */
};

/* What policy_encode produces: packed ConfigPush messages in part order. */
struct policy_push {
	uint64_t version;
	size_t n;
	uint8_t *part[POLICY_PARTS_MAX];
	size_t len[POLICY_PARTS_MAX];
	uint8_t digest[32];			/* proto_config_digest */
};

const char *policy_threshold_name(enum policy_threshold t);
const char *policy_setting_name(enum policy_setting s);
const char *policy_doc_check_name(enum policy_doc_check c);
const char *policy_pad_cue_name(enum policy_pad_cue c);
/* policy_setting_default — the default of an optional setting, NULL for a
 * required one (static). */
const char *policy_setting_default(enum policy_setting s);
/* policy_threshold_range — the accepted range; *integer set when the value
 * must be a whole number. */
void policy_threshold_range(enum policy_threshold t, double *min, double *max, bool *integer);

/* policy_init — an empty policy (version 0, no threshold and no required
 * setting set; the optional settings at their defaults). Cannot fail. */
void policy_init(struct policy *p);

/* policy_clear — free the blobs and reset to policy_init(); safe twice. */
void policy_clear(struct policy *p);

/*
 * policy_threshold_set — set the threshold called name to v after checking
 * name and range. err (may be NULL) gets a one-line reason.
 * Errors: EG_ERR_NOT_FOUND (unknown name), EG_ERR_CONFIG (out of range, NaN,
 * not a whole number where one is needed).
 */
int policy_threshold_set(struct policy *p, const char *name, double v, char *err, size_t errlen);

/*
 * policy_setting_set — set the setting called name to value (copied) after
 * checking it: mandatory_checks a list of known check names (empty: none),
 * accepted_issuers a list of STATE or STATE:TYPE items (upper-case letters,
 * "<" and digits), no_chip_auth refer|accept, watchlist_action
 * refer|refer_silent, pad_cues "all" or a list of cue names (not empty),
 * pad_live_sign optional|required. Errors: EG_ERR_NOT_FOUND (unknown name), EG_ERR_CONFIG
 * (bad value), EG_ERR_OVERFLOW (longer than POLICY_SETTING_MAX).
 */
int policy_setting_set(struct policy *p, const char *name, const char *value, char *err,
    size_t errlen);

/*
 * policy_encode — split p into ConfigPush messages of at most part_max
 * packed bytes each (part_max >= POLICY_PART_MIN; the host uses a little
 * less than the frame maximum), fill version / part / parts / sha256 in each
 * and pack them into *out (caller storage; free with policy_push_clear). p
 * must be complete (policy_complete). A master list or CRL larger than one
 * part is refused; the gallery is cut across parts.
 * Errors: EG_ERR_INVAL (incomplete policy, part_max too small),
 * EG_ERR_OVERFLOW (a blob too large for one part, more than
 * POLICY_PARTS_MAX parts), EG_ERR_NOMEM, EG_ERR_CRYPTO.
 */
int policy_encode(const struct policy *p, size_t part_max, struct policy_push *out);

/* policy_push_clear — free the packed parts; safe twice. */
void policy_push_clear(struct policy_push *pp);

/*
 * policy_params_json — the decision parameters of p as canonical JSON (fixed
 * key order, no whitespace, doubles with 17 significant digits, so equal
 * parameters give equal bytes and the host's audit log keeps them by their
 * SHA-256, audit_config_add_policy):
 *   {"version":N,"thresholds":{"match_threshold":X,...},
 *    "settings":{"mandatory_checks":"...",...},
 *    "master_lists_sha256":["<hex>",...],"crls_sha256":["<hex>",...]}
 * thresholds and settings in the order of the tables above; the trust
 * material only by SHA-256. The watchlist gallery is NEVER in it, not even
 * by digest (biometric data; its size is in the config record's summary).
 * p must be complete (policy_complete). On success *json is a NUL-terminated
 * heap string of *len bytes; the caller frees it with free().
 * Errors: EG_ERR_INVAL (NULL, incomplete policy), EG_ERR_NOMEM, EG_ERR_IO,
 * EG_ERR_CRYPTO (SHA-256 failed).
 */
int policy_params_json(const struct policy *p, char **json, size_t *len);

/* policy_complete — every threshold and setting is set and version >= 1;
 * otherwise false and err names the first missing one. */
bool policy_complete(const struct policy *p, char *err, size_t errlen);

/*
 * policy_decode — the kiosk's side: check the split of parts[0..n) (same
 * version >= 1, part = index, parts = n or n = 1 with parts 0), that the
 * sha256 they carry (mandatory, 32 bytes, the same in every part that has
 * one) equals proto_config_digest of the parts, then read every threshold
 * and setting through policy_threshold_set / policy_setting_set, refuse
 * duplicates and missing names (an optional setting left out has its
 * default), and copy the blobs. On success *out
 * (policy_init'ed or cleared by the caller; owned by the caller) holds the
 * policy and digest (may be NULL) the digest. err gets one line on error.
 * Errors: EG_ERR_INVAL (NULL, n = 0 or > POLICY_PARTS_MAX), EG_ERR_FORMAT
 * (bad split), EG_ERR_MAC (digest missing or mismatch), EG_ERR_NOT_FOUND /
 * EG_ERR_CONFIG / EG_ERR_OVERFLOW (a bad value, as above; EG_ERR_FORMAT for
 * a duplicate or missing name), EG_ERR_NOMEM. On error *out is cleared.
 */
int policy_decode(const Egate__ConfigPush *const *parts, size_t n, struct policy *out,
    uint8_t digest[32], char *err, size_t errlen);

/*
 * policy_bundle_load — read a policy bundle file (docs/host.md): INI read
 * through the schema-checked reader (egate/config.h) with [policy] version,
 * [thresholds] and [settings] named as above (all required but the settings
 * with a default), and optional
 * [files] master_lists, crls (comma-separated DER files) and watchlist_gallery
 * (firmware/match gallery file); relative paths are taken from the bundle's
 * folder. *out (caller storage) gets the policy (policy_clear it).
 * Errors: EG_ERR_IO (bundle or a named file unreadable), EG_ERR_CONFIG
 * (a bad key or value), EG_ERR_OVERFLOW (above the limits), EG_ERR_NOMEM;
 * err gets "file:line: [section] key: reason" or the file concerned.
 */
int policy_bundle_load(const char *path, struct policy *out, char *err, size_t errlen);

#endif
