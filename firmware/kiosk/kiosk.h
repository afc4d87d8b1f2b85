/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk.h — the passage core of egate-kiosk (docs/kiosk.md).
 *
 * The passage machine (passage.h) decides; this module does. For each
 * transition it carries out the effects PX_* in order on the kiosk's
 * devices — document reader, MRZ source, camera, PAD, gate, display — and
 * on the face pipeline, the watchlist gallery and the spool, and turns each
 * result into the next passage event. It knows the devices only through
 * their ops tables (struct kiosk_devices): the same core runs real devices
 * (egate-kiosk's daemon loop, kiosk_daemon.h) and simulated ones (the
 * simulation runner of hw/sim/, which the product does not link).
 *
 * Trust comes only from the configuration: [trust] csca (a folder of CSCA
 * certificates or master lists) and crl_dir, and later what the host pushes
 * (policy_apply.h). A kiosk without a trust anchor does not start.
 *
 * Privacy: the MRZ, the chip's data (DG1, DG2), decoded frames and
 * embeddings live only in the kiosk's work area, in memory; PX_WIPE zeroes
 * it (kiosk_work_wiped tells). The spooled record (PX_REPORT) holds the
 * explanation, the issuing state and document type, the document number
 * and name only sealed to the host's key ([host] seal_cert, proto/seal.h;
 * sealed as soon as they are read, before the wipe), and no biometric data.
 */
#ifndef EGATE_KIOSK_H
#define EGATE_KIOSK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "camera.h"
#include "doc/reader.h"
#include "egate/conf.h"
#include "egate/log.h"
#include "egate/mrzsrc.h"
#include "face.h"
#include "outputs.h"
#include "passage.h"

struct kiosk;
struct uplink;
struct kiosk_inbox;

/* ---- presentation-attack detection ------------------------------------------- */

/* One frame of the presentation the face was captured from. */
struct kiosk_pad_frame {
	const struct fcv_image *img;	/* decoded BGR24 */
	uint64_t t_ns;			/* capture time, CLOCK_MONOTONIC */
};

#define KIOSK_PAD_FRAMES 8		/* frames of one presentation kept for PAD */
#define KIOSK_CAPTURE_WINDOW 3		/* frames with a face compared by quality
					 * in one capture attempt */
#define KIOSK_PAD_MAX_ITEMS 12

struct kiosk_pad_result {
	double score;			/* fused live score 0..1 */
	size_t n;			/* the cues behind it: PI_PAD_CUE items */
	struct passage_explain_item items[KIOSK_PAD_MAX_ITEMS];
};

struct kiosk_pad_ops {
	const char *name;
	/* check — score one presentation: frames[0..n) oldest first (n >= 1),
	 * the face analysed on frames[key] in *fr. Fills *out: the fused live
	 * score (the policy's liveness_threshold decides, in the machine) and
	 * the cues behind it as PI_PAD_CUE items (sub = the cue's name, value
	 * and threshold when it scored, detail otherwise). Everything is
	 * borrowed for the call. Errors: any eg_err; the kiosk then takes 0 (no
	 * evidence of liveness: the PAD alarm fires). */
	int (*check)(void *ctx, struct face_ctx *face, const struct kiosk_pad_frame *frames,
	    size_t n, size_t key, const struct face_result *fr, const struct passage_policy *p,
	    struct kiosk_pad_result *out);
};

/* The first implementation: the single-frame detector of firmware/face
 * (face_pad_minifas) on the key frame; one cue, "minifas". ctx unused. */
extern const struct kiosk_pad_ops kiosk_pad_single;

/* ---- the devices ---------------------------------------------------------------- */

/*
 * Every device of a lane behind its ops table. Borrowed by the kiosk; the
 * owner may replace members between passages (never while
 * kiosk_run_passage or kiosk_idle runs). The camera is streaming.
 */
struct kiosk_devices {
	struct doc_reader *reader;		/* doc/reader.h */
	struct mrz_source *mrz;			/* egate/mrzsrc.h */
	struct camera *camera;			/* camera.h */
	const struct gate_ops *gate;		/* outputs.h: the gate contract */
	void *gate_ctx;
	const struct display_ops *display;	/* outputs.h; NULL: no display */
	void *display_ctx;
	const struct kiosk_pad_ops *pad;	/* NULL: kiosk_pad_single */
	void *pad_ctx;
};

enum kiosk_device { KD_READER, KD_MRZ, KD_CAMERA, KD_GATE, KD_DISPLAY, KD_COUNT };

/* The health of a device, as Heartbeat.devices carries it. */
enum kiosk_health {
	KH_OK = 0,
	KH_DEGRADED,	/* working, but misbehaved (malformed data, broken frames) */
	KH_FAILED,	/* present but not usable (faults, no confirmation) */
	KH_ABSENT,	/* unplugged or never found */
};

/* "reader", "mrz", "camera", "gate", "display"; "ok", "degraded", ... */
const char *kiosk_device_str(enum kiosk_device d);
const char *kiosk_health_str(enum kiosk_health h);

/* ---- the kiosk ---------------------------------------------------------------------- */

struct kiosk_opts {
	const struct eg_kiosk_conf *conf;	/* borrowed */
	const struct passage_policy *policy;	/* borrowed; rewritten between
						 * passages by policy_apply */
	const struct eg_log *log;		/* borrowed; may be NULL */
	FILE *out;			/* officer lines and summaries; NULL: none */
	const char *face_profile;	/* NULL: the installed or source profile */
	const char *model_dir;		/* NULL: conf->model_dir, else EGATE_MODEL_DIR */
	const struct kiosk_devices *dev;	/* borrowed (above) */
	struct uplink *uplink;		/* borrowed; NULL: offline, spool only.
					 * When set, records go through
					 * uplink_submit and the kiosk opens no
					 * spool of its own. */
	struct kiosk_inbox *inbox;	/* borrowed; officer commands from the
					 * host (inbox.h); NULL: none */
	int officer_wait_ms;		/* a referral or hold waits this long for
					 * an officer's command, then the kiosk
					 * closes it itself (logged); 0: at once */
	time_t today;			/* the kiosk's date (expiry, age, certificate
					 * validity); 0: the clock. Simulations fix it. */
	/* asked while waiting for an officer: true cuts the wait short (a
	 * stop was requested); may be NULL */
	bool (*interrupted)(void *ctx);
	void *interrupted_ctx;
	/* called between the steps of a passage and at least once a second
	 * while it waits (gate, officer, between passages): the daemon pets
	 * systemd's watchdog there; may be NULL */
	void (*alive)(void *ctx);
	void *alive_ctx;
};

/* Stage timings of one passage, wall-clock milliseconds. */
enum kiosk_stage { KS_MRZ, KS_CHIP, KS_CAPTURE, KS_LIVENESS, KS_MATCH, KS_WATCHLIST,
	KS_GATE, KS_COUNT };
const char *kiosk_stage_str(enum kiosk_stage s);

struct kiosk_report {
	enum passage_outcome outcome;
	char rule[48];
	struct passage_explanation x;	/* a copy (no personal data in it) */
	unsigned gate_openings;		/* gate open commands carried out */
	bool reported;			/* a record went to the spool */
	uint64_t seq;			/* the spool sequence number of the last one */
	uint64_t referral_seq;		/* the referral's record, 0 = no referral */
	enum passage_outcome officer_outcome;	/* an officer's decision on the
					 * referral (PO_OPEN / PO_REJECT), else PO_NONE */
	char officer[64];		/* who decided */
	enum passage_state end_state;	/* IDLE, or OUT_OF_SERVICE */
	double ms[KS_COUNT];
	double total_ms;
	int capture_frames;		/* frames taken from the camera */
	int broken_frames;		/* of which could not be decoded */
	/* chip traffic, counted at the APDU transport (for modelling a real
	 * reader's link time: bench/bench_passage.c) */
	unsigned chip_apdus;		/* command/response pairs */
	size_t chip_bytes_out;		/* command APDU bytes */
	size_t chip_bytes_in;		/* response APDU bytes */
};

/*
 * kiosk_new — load the trust anchors ([trust] csca and crl_dir; none is an
 * error), the face models, open the spool (conf->spool, unless an uplink
 * is given), load the host's sealing key (conf->seal_cert, checked against
 * conf->ca and conf->host_server_name; conf->id must be the CN of
 * conf->cert). *out is owned by the caller (kiosk_free). err (may be NULL)
 * gets one line. Errors: EG_ERR_INVAL, EG_ERR_CONFIG (no trust anchor,
 * seal_cert refused, id is not the certificate's CN), EG_ERR_DB (spool),
 * those of face_ctx_new and csca_store_*, EG_ERR_NOMEM.
 */
int kiosk_new(const struct kiosk_opts *o, struct kiosk **out, char *err, size_t errlen);
void kiosk_free(struct kiosk **k);

/*
 * kiosk_run_passage — one traveller whose document is on the reader: run
 * the machine from DOC_PLACED until the passage is over (IDLE, or
 * OUT_OF_SERVICE when a device was lost or the gate is faulty), waiting on
 * the gate's events at the gate and on the officer when referred, and
 * fill *rep. Returns EG_OK for every passage that ran (a referral, an
 * abandoned passage and a lost device included); EG_ERR_STATE when the
 * machine was not IDLE (out of service, held) or the passage got stuck
 * (err says where; the work area is wiped).
 */
int kiosk_run_passage(struct kiosk *k, struct kiosk_report *rep, char *err, size_t errlen);

/* kiosk_policy_from_conf — passage_policy_default() with the [policy]
 * keys of the configuration applied (thresholds of 0 keep the default),
 * accepted_issuers and min_age included. Cannot fail. */
void kiosk_policy_from_conf(const struct eg_kiosk_conf *c, struct passage_policy *p);

/*
 * kiosk_idle — between passages: carry out officer commands from the inbox
 * (HOLD takes the gate out of service until RELEASE; OPEN, overrides and
 * RELEASE without a hold are refused), waiting up to wait_ms for the first
 * one; take the kiosk out of service when the host has been unreachable
 * longer than [host] offline_limit or a device is lost, and back when both
 * are well again. While held it waits up to opts.officer_wait_ms for the
 * release, then releases by itself (logged). Answers every command to the
 * host. Returns EG_OK, or EG_ERR_STATE if a passage is in progress.
 */
int kiosk_idle(struct kiosk *k, int wait_ms);

/* kiosk_in_service — the machine is IDLE: a traveller may start. */
bool kiosk_in_service(const struct kiosk *k);

/*
 * kiosk_set_health — what the owner of the devices knows about one (lost,
 * back, misbehaving). A device becoming FAILED or ABSENT takes an idle
 * kiosk out of service at the next kiosk_idle; every device OK or DEGRADED
 * again (and the host reachable) brings it back. detail (may be NULL) is
 * copied; it goes to the heartbeat and the log, never personal data.
 */
void kiosk_set_health(struct kiosk *k, enum kiosk_device d, enum kiosk_health h,
    const char *detail);
/* kiosk_health — a device's health as the kiosk knows it (*detail borrowed,
 * may be NULL). */
enum kiosk_health kiosk_health(const struct kiosk *k, enum kiosk_device d, const char **detail);

/* kiosk_work_wiped — true when every buffer of the work area (MRZ, chip
 * data, frames, embeddings) is zero / released. */
bool kiosk_work_wiped(const struct kiosk *k);

/* kiosk_passage — the machine (borrowed; for tests and status). */
const struct passage *kiosk_passage(const struct kiosk *k);

/* kiosk_report_print — the summary of a passage as the demo shows it:
 * "== passage TITLE: DECISION, rule R" and the failed checks, the scores
 * with their thresholds, the time per stage. */
void kiosk_report_print(FILE *o, const char *title, const struct kiosk_report *r);

/* Hooks for a pushed policy (policy_apply.h) and the simulation runner,
 * called between passages. */
struct match_gallery;
struct csca_store;
/* kiosk_face — the face pipeline (borrowed): watchlist faces are embedded
 * with it. */
struct face_ctx *kiosk_face(struct kiosk *k);
/* kiosk_embedding_dim — dimension of this kiosk's face embeddings. */
uint32_t kiosk_embedding_dim(const struct kiosk *k);
/* kiosk_swap_watchlist — *g becomes the watchlist (the kiosk owns it; the
 * old one is freed); *g is set to NULL. */
void kiosk_swap_watchlist(struct kiosk *k, struct match_gallery **g);
/* kiosk_trust_store — the CSCA/CRL store in force (borrowed). */
struct csca_store *kiosk_trust_store(struct kiosk *k);

#endif
