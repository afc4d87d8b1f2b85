/* SPDX-License-Identifier: Apache-2.0 */
/*
 * read.h — reading an eMRTD end to end (docs/reading.md): power on, access
 * control (PACE-GM when EF.CardAccess offers supported parameters, BAC
 * when PACE is not offered or fails and an MRZ is given), EF.COM, DG14
 * and Chip Authentication, EF.SOD and every other listed data group over
 * secure messaging (3DES or AES), Active Authentication with DG15, and
 * passive authentication (docauth pa_verify). Works over any transport: the caller gives
 * a struct icao_card_ops (CCID, vpcd, the simulated chip).
 *
 * The result holds every check with a status and a reason, the holder data
 * from DG1, the files exactly as read (DG2 for the face pipeline) and the
 * time of every step. It is personal data: doc_result_free() wipes it.
 * MRZ-derived keys and the MRZ information never leave doc_read() and are
 * wiped before it returns; nothing personal is logged.
 */
#ifndef EGATE_DOC_READ_H
#define EGATE_DOC_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "docauth/csca.h"
#include "docauth/lds.h"
#include "docauth/pa.h"
#include "egate/buf.h"
#include "egate/json.h"
#include "egate/log.h"
#include "egate/mrz.h"
#include "icao/apdu.h"
#include "icao/bac.h"
#include "icao/chan.h"
#include "icao/sm.h"

/* Checks beyond passive authentication, in the order they run. */
enum doc_check {
	DOC_CHECK_ACCESS_CONTROL = 0,	/* BAC or PACE with the MRZ/CAN */
	DOC_CHECK_SECURE_MESSAGING,	/* every protected response verified */
	DOC_CHECK_FILES_READ,		/* EF.COM, EF.SOD, DG1, DG2 and every DG
					 * EF.COM lists were read (DG3/DG4:
					 * need EAC, exempt) */
	DOC_CHECK_CHIP_AUTHENTICATION,	/* CA with DG14's key; judged by the
					 * first read under the CA keys */
	DOC_CHECK_ACTIVE_AUTHENTICATION,	/* AA with DG15's key */
	DOC_CHECK_COUNT
};

struct doc_check_result {
	enum pa_status status;	/* PA_NOT_CHECKED / PA_PASS / PA_FAIL */
	bool inconclusive;	/* with PA_NOT_CHECKED: the check ran and
				 * could not decide (transport, status,
				 * unsupported parameters); not a failure */
	char reason[160];
};

/* Overall outcome (also the CLI's exit code 0 / 1 / 3). */
enum doc_outcome {
	DOC_OUTCOME_PASS = 0,	/* read, and every mandatory check passed */
	DOC_OUTCOME_FAIL,	/* read (at least partly), a check failed */
	DOC_OUTCOME_UNREADABLE,	/* no chip, mute, no eMRTD application, or
				 * no usable access control */
};

/* What happened to one file. */
enum doc_file_status {
	DOC_FILE_NOT_LISTED = 0,	/* not in EF.COM: not attempted */
	DOC_FILE_READ,
	DOC_FILE_SKIPPED_EAC,	/* DG3/DG4: need Extended Access Control */
	DOC_FILE_ERROR,		/* status word or error in sw / err */
};

struct doc_file {
	enum doc_file_status status;
	uint16_t sw;		/* last status word */
	int err;		/* eg_err of the read */
	struct eg_wbuf data;	/* the file exactly as read (secret wbuf) */
	unsigned commands;	/* READ BINARY commands */
	size_t final_chunk;
	bool extended;		/* read with extended-length APDUs to the end */
};

/* Files by index: 0 = EF.COM, 1..16 = DGn, 17 = EF.SOD, 18 = EF.CardAccess. */
#define DOC_FILE_COM		0
#define DOC_FILE_SOD		17
#define DOC_FILE_CARDACCESS	18
#define DOC_FILE_COUNT		19

/* doc_file_name — "EF.COM", "DG1", ..., "EF.SOD", "EF.CardAccess"; static. */
const char *doc_file_name(int idx);

#define DOC_MAX_STEPS 32
struct doc_step {
	char name[24];		/* "power_on", "select", "access_control",
				 * "read_DG2", "passive_auth", ... */
	double ms;		/* wall time (CLOCK_MONOTONIC) */
	int err;		/* eg_err of the step */
};

/* How large a READ BINARY may be (docs/reading.md, "Read size"). */
struct doc_read_size {
	size_t reader_max;	/* response APDU bytes the reader passes in one
				 * exchange (doc_card.max_rapdu); 0: unknown */
	bool chip_ext;		/* the ATR announces extended Lc/Le */
	bool chip_info;		/* ... and EF.ATR/INFO was read */
	size_t chip_max;	/* EF.ATR/INFO's max response APDU; 0: not given */
	size_t limit;		/* response APDU limit used; 0: short APDUs */
};

struct doc_result {
	enum doc_outcome outcome;
	int err;		/* the error that stopped reading, EG_OK if none */
	uint16_t sw;		/* its status word, 0 if none */
	char access[8];		/* "BAC", "PACE" or "none" */
	struct doc_check_result check[DOC_CHECK_COUNT];
	bool pa_ran;
	struct pa_report pa;
	bool holder_valid;	/* DG1 read and parsed */
	struct mrz_result holder;	/* from DG1 */
	struct doc_file file[DOC_FILE_COUNT];
	struct doc_read_size rsize;
	size_t n_steps;
	struct doc_step steps[DOC_MAX_STEPS];
	double total_ms;
};

/* doc_result_free — wipe (personal data, face) and free; *r = NULL. */
void doc_result_free(struct doc_result **r);

/* The card: an APDU transport and, optionally, a power-on (cold reset).
 * max_rapdu is the largest response APDU (data + SW1SW2) the transport
 * passes in one exchange, 0 if unknown: only then, and only when the chip's
 * ATR announces extended Lc/Le, are files read with extended-length READ
 * BINARY commands (limited by the smaller of the two, and by EF.ATR/INFO
 * when the chip gives its own limit there). */
struct doc_card {
	const struct icao_card_ops *ops;
	void *ctx;
	int (*power_on)(void *ctx, uint8_t *atr, size_t cap, size_t *atr_len);
	size_t max_rapdu;
};

struct doc_read_opts {
	const char *mrz;	/* printed MRZ, lines separated by '\n' (BAC
				 * key, PACE password, dg1_mrz_match) */
	const char *can;	/* or a CAN (PACE only); NULL if none */
	struct csca_store *store;	/* borrowed; NULL: DS chain fails */
	time_t check_time;	/* 0: now */
	icao_rng_fn rng;	/* terminal randomness (required) */
	void *rng_ctx;
	struct icao_read_opts read;	/* chunking; zero: defaults, and the
					 * extended-length size when reader
					 * and chip allow it (a max_chunk
					 * given here is used as it is) */
	/* Optional logger (borrowed, may be NULL): one line per step
	 * ("doc.step": name, ms, err, sw) and one with the outcome. Never
	 * the MRZ, keys, holder data or file contents. */
	const struct eg_log *log;
};

/*
 * doc_read — read the document on card and check it. *out (owned by the
 * caller, doc_result_free) is set whenever EG_OK is returned, whatever
 * the outcome: look at (*out)->outcome and the checks.
 * Errors (no result): EG_ERR_INVAL (NULL, neither MRZ nor CAN, no rng),
 * EG_ERR_FORMAT / EG_ERR_CHECKSUM (the MRZ given does not parse; its
 * check digits are needed for the key), EG_ERR_NOMEM.
 */
int doc_read(const struct doc_card *card, const struct doc_read_opts *opts,
    struct doc_result **out);

/* doc_result_passed — outcome == DOC_OUTCOME_PASS. */
bool doc_result_passed(const struct doc_result *r);
/* doc_check_str — "access_control", "secure_messaging", "files_read",
 * "chip_authentication", "active_authentication"; static. */
const char *doc_check_str(enum doc_check c);
/* doc_check_status_str — "pass", "fail", "not-checked" or "inconclusive". */
const char *doc_check_status_str(const struct doc_check_result *c);
const char *doc_outcome_str(enum doc_outcome o);
const char *doc_file_status_str(enum doc_file_status s);

/*
 * doc_result_json — the result as one JSON object: outcome, access, holder
 * (personal data: only when with_holder), checks (ours then PA's), files
 * (status, sw, size — never contents), steps with times.
 */
void doc_result_json(const struct doc_result *r, bool with_holder,
    struct eg_json *j);

#endif
