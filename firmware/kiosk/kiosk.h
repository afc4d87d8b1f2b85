/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kiosk.h — egate-kiosk's effect executor (docs/kiosk.md).
 *
 * The passage machine (passage.h) decides; this module does. For each
 * transition it carries out the effects PX_* in order on the devices —
 * MRZ reader, chip reader (doc_read), camera and face pipeline, watchlist
 * gallery, gate, display, spool — and turns each result into the next
 * passage event. In this first slice the devices are the simulated ones
 * (hw/sim/), set up per traveller from a scenario (scenario.h): the
 * simulated MRZ reader delivers the traveller's MRZ, the simulated CCID
 * reader hosts the chip, the simulated camera plays the scene.
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

#include "egate/conf.h"
#include "egate/log.h"
#include "passage.h"
#include "scenario.h"

struct kiosk;

struct uplink;
struct kiosk_inbox;

struct kiosk_opts {
	const struct eg_kiosk_conf *conf;	/* borrowed; reader/camera/mrz must
						 * be sim specs in this slice */
	const struct passage_policy *policy;	/* borrowed */
	const struct eg_log *log;		/* borrowed; may be NULL */
	FILE *out;			/* display lines and summaries; NULL: none */
	const char *face_profile;	/* NULL: the installed or source profile */
	const char *model_dir;		/* NULL: conf->model_dir, else EGATE_MODEL_DIR */
	const char *testdata_dir;	/* NULL: sim_testdata_dir() */
	bool bilingual;			/* display both languages */
	struct uplink *uplink;		/* borrowed; NULL: offline, spool only.
					 * When set, records go through
					 * uplink_submit and the kiosk opens no
					 * spool of its own. */
	struct kiosk_inbox *inbox;	/* borrowed; officer commands from the
					 * host (inbox.h); NULL: none */
	int officer_wait_ms;		/* a referral or hold waits this long for
					 * an officer's command; 0: the simulated
					 * officer closes it at once */
};

/* Stage timings of one passage, wall-clock milliseconds. */
enum kiosk_stage { KS_MRZ, KS_CHIP, KS_CAPTURE, KS_LIVENESS, KS_MATCH, KS_WATCHLIST,
	KS_COUNT };
const char *kiosk_stage_str(enum kiosk_stage s);

struct kiosk_report {
	enum passage_outcome outcome;
	char rule[48];
	struct passage_explanation x;	/* a copy (no personal data in it) */
	unsigned gate_openings;		/* gate openings during this passage */
	bool reported;			/* a record went to the spool */
	uint64_t seq;			/* the spool sequence number of the last one */
	uint64_t referral_seq;		/* the referral's record, 0 = no referral */
	enum passage_outcome officer_outcome;	/* an officer's decision on the
					 * referral (PO_OPEN / PO_REJECT), else PO_NONE */
	char officer[64];		/* who decided */
	double ms[KS_COUNT];
	double total_ms;
	int capture_frames;		/* frames taken from the camera */
	/* chip traffic, counted at the APDU transport (for modelling a real
	 * reader's link time: bench/bench_passage.c) */
	unsigned chip_apdus;		/* command/response pairs */
	size_t chip_bytes_out;		/* command APDU bytes */
	size_t chip_bytes_in;		/* response APDU bytes */
};

/*
 * kiosk_new — load the trust anchors (the simulated PKI when
 * conf->csca is empty or "sim"), the face models, the reader profiles,
 * open the spool (conf->spool), load the host's sealing key
 * (conf->seal_cert, checked against conf->ca and conf->host_server_name;
 * conf->id must be the CN of conf->cert), and set up the gate and display.
 * *out is owned by the caller (kiosk_free). err (may be NULL) gets one
 * line. Errors: EG_ERR_INVAL, EG_ERR_UNSUPPORTED (a non-sim device spec),
 * EG_ERR_CONFIG (seal_cert refused, or id is not the certificate's CN),
 * EG_ERR_DB (spool), those of face_ctx_new, csca_store_*, EG_ERR_NOMEM.
 */
int kiosk_new(const struct kiosk_opts *o, struct kiosk **out, char *err, size_t errlen);
void kiosk_free(struct kiosk **k);

/*
 * kiosk_set_scenario — use the scenario's date and enrol its watchlist
 * faces (test images) in the watchlist gallery. sc is borrowed for the
 * kiosk's lifetime. Errors: EG_ERR_NO_FACE / EG_ERR_IO for a watchlist
 * image, EG_ERR_NOMEM.
 */
int kiosk_set_scenario(struct kiosk *k, const struct scenario *sc, char *err, size_t errlen);

/*
 * kiosk_run_passage — one traveller: set up the simulated devices for sp,
 * place the document, run the machine until it is back in IDLE (the
 * simulated traveller walks through an open gate; a simulated officer
 * closes a referral), and fill *rep. Prints the summary to opts.out.
 * Errors: a device could not be set up (EG_ERR_IO, EG_ERR_CONFIG for a bad
 * traveller profile, ...); a passage that ends in a referral is EG_OK.
 */
int kiosk_run_passage(struct kiosk *k, const struct scenario_passage *sp,
    struct kiosk_report *rep, char *err, size_t errlen);

/* kiosk_policy_from_conf — passage_policy_default() with the [policy]
 * keys of the configuration applied (thresholds of 0 keep the default).
 * Cannot fail. */
void kiosk_policy_from_conf(const struct eg_kiosk_conf *c, struct passage_policy *p);

/*
 * kiosk_idle — between passages: carry out officer commands from the inbox
 * (HOLD takes the gate out of service until RELEASE; OPEN, overrides and
 * RELEASE without a hold are refused), waiting up to wait_ms for the first
 * one. While held it waits up to opts.officer_wait_ms for the release, then
 * releases by itself (logged). Answers every command to the host.
 * Returns EG_OK, or EG_ERR_STATE if a passage is in progress.
 */
int kiosk_idle(struct kiosk *k, int wait_ms);

/* kiosk_work_wiped — true when every buffer of the work area (MRZ, chip
 * data, frames, embeddings) is zero / released. */
bool kiosk_work_wiped(const struct kiosk *k);

/* kiosk_passage — the machine (borrowed; for tests and status). */
const struct passage *kiosk_passage(const struct kiosk *k);

/* Hooks for a pushed policy (policy_apply.h), called between passages. */
struct match_gallery;
struct csca_store;
/* kiosk_embedding_dim — dimension of this kiosk's face embeddings. */
uint32_t kiosk_embedding_dim(const struct kiosk *k);
/* kiosk_swap_watchlist — *g becomes the watchlist (the kiosk owns it; the
 * old one is freed); *g is set to NULL. */
void kiosk_swap_watchlist(struct kiosk *k, struct match_gallery **g);
/* kiosk_trust_store — the CSCA/CRL store in force (borrowed). */
struct csca_store *kiosk_trust_store(struct kiosk *k);

#endif
