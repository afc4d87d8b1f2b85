/* SPDX-License-Identifier: Apache-2.0 */
/*
 * read.h — reading an eMRTD end to end (docs/reading.md): power on, access
 * control (PACE when EF.CardAccess offers supported parameters: CAM, then
 * GM, then IM; BAC when PACE is not offered or fails and an MRZ is given;
 * with PACE-CAM, EF.CardSecurity verified and the chip checked against its
 * key), EF.COM, DG14
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
#include "icao/trace.h"

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
	DOC_CHECK_PACE_CAM,		/* "pace_cam": the chip authenticated by
					 * PACE-CAM against the CA key of a
					 * verified EF.CardSecurity */
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

/* Why a file was not read (doc_file.reason): one table of names in read.c,
 * doc_file_reason_str(). Append only (the kiosk's record keeps them). */
enum doc_file_reason {
	DOC_FREASON_NONE = 0,		/* "none": read, or not attempted */
	DOC_FREASON_NOT_FOUND,		/* "not_found": 6A82, the chip has no
					 * such file */
	DOC_FREASON_ACCESS_DENIED,	/* "access_denied": 6982 */
	DOC_FREASON_NEEDS_EAC,		/* "needs_eac": DG3/DG4, not asked for */
	DOC_FREASON_CARD_STATUS,	/* "card_status": another status word */
	DOC_FREASON_EMPTY,		/* "empty": the file has no byte */
	DOC_FREASON_TRUNCATED,		/* "truncated": it ends before its TLV */
	DOC_FREASON_MALFORMED,		/* "malformed": not a BER-TLV */
	DOC_FREASON_TOO_LARGE,		/* "too_large": over the size limit */
	DOC_FREASON_PROTOCOL,		/* "protocol": no progress, or more
					 * data than asked for */
	DOC_FREASON_SM_DROPPED,		/* "sm_dropped": the chip ended secure
					 * messaging (a status in the clear) */
	DOC_FREASON_SM_INTEGRITY,	/* "sm_integrity": a protected response
					 * did not verify (MAC, format) */
	DOC_FREASON_TRANSPORT,		/* "transport": reader or card lost */
	DOC_FREASON_CHIP_AUTH_FAILED,	/* "chip_auth_failed": the first read
					 * under the CA keys failed: a clone */
	DOC_FREASON_NOT_REACHED,	/* "not_reached": reading stopped first */
	DOC_FREASON_COUNT
};

struct doc_file {
	enum doc_file_status status;
	enum doc_file_reason reason;	/* with DOC_FILE_ERROR / _SKIPPED_EAC */
	uint16_t sw;		/* last status word */
	int err;		/* eg_err of the read */
	struct eg_wbuf data;	/* the file exactly as read (secret wbuf) */
	unsigned commands;	/* READ BINARY commands */
	size_t final_chunk;
	bool extended;		/* read with extended-length APDUs to the end */
	bool by_fid;		/* SELECTed by file identifier (no SFI) */
	bool retried;		/* read again after access control was
				 * re-established */
};

/* Files by index: 0 = EF.COM, 1..16 = DGn, 17 = EF.SOD, 18 = EF.CardAccess,
 * 19 = EF.CardSecurity (read after PACE-CAM). */
#define DOC_FILE_COM		0
#define DOC_FILE_SOD		17
#define DOC_FILE_CARDACCESS	18
#define DOC_FILE_CARDSECURITY	19
#define DOC_FILE_COUNT		20

/* doc_file_name — "EF.COM", "DG1", ..., "EF.SOD", "EF.CardAccess"; static. */
const char *doc_file_name(int idx);

#define DOC_MAX_STEPS 48
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

/* How the reading adapted to the chip (docs/reading.md, "Adapting to the
 * chip"). */
struct doc_adapt {
	bool no_sfi;		/* the chip refused reads by SFI: files are
				 * SELECTed by identifier */
	uint16_t sfi_sw;	/* the status it refused them with */
	unsigned no_do99;	/* protected responses without DO'99' */
	unsigned reestablished;	/* access control run again after the chip
				 * ended secure messaging (at most once) */
	char sm_dropped_at[24];	/* the step where it did, "" if never */
	uint16_t sm_dropped_sw;	/* the status it answered in the clear */
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
	struct doc_adapt adapt;
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
	/* Optional APDU trace (icao/trace.h; NULL: none): every command on
	 * the channel, the ATR and one note per step. The sink decides what
	 * to write (struct icao_tracer redacts). */
	icao_trace_fn trace;
	void *trace_ctx;
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
 * "chip_authentication", "active_authentication", "pace_cam"; static. */
const char *doc_check_str(enum doc_check c);
/* doc_check_status_str — "pass", "fail", "not-checked" or "inconclusive". */
const char *doc_check_status_str(const struct doc_check_result *c);
const char *doc_outcome_str(enum doc_outcome o);
const char *doc_file_status_str(enum doc_file_status s);
/* doc_file_reason_str — "none", "not_found", ... (the table above); static. */
const char *doc_file_reason_str(enum doc_file_reason r);

/*
 * doc_result_json — the result as one JSON object: outcome, access, holder
 * (personal data: only when with_holder), checks (ours then PA's), files
 * (status, sw, size — never contents), steps with times.
 */
void doc_result_json(const struct doc_result *r, bool with_holder,
    struct eg_json *j);

#endif
