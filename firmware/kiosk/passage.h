/* SPDX-License-Identifier: Apache-2.0 */
/*
 * passage.h — the passage state machine of egate-kiosk.
 *
 * One traveller's passage, from "place your passport" to "gate open" or
 * "please see an officer", as an explicit transition table
 * {state, event, guard, action, next} (passage_table.c). The machine is pure:
 * passage_handle() takes an event (a device or timer result, or an officer
 * command), applies the first matching transition, and returns what the
 * kiosk must do next as a list of effects (start the chip read, show a
 * prompt, open the gate, report to the host). It does no I/O itself, so
 * every path is unit-tested and the diagram in docs/passage.md is generated
 * from the same table (`egate-passage-diagram`).
 *
 * Every transition is logged as `state A -> event -> state B`. Every
 * decision carries its explanation (struct passage_explanation): each check
 * with its result, scores with the thresholds in force, model and config
 * versions, and the rule that fired.
 *
 * Biometric data never enters this machine: it sees scores and results only.
 */
#ifndef EGATE_PASSAGE_H
#define EGATE_PASSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "egate/log.h"

#define PASSAGE_STATES(X) \
	X(IDLE,          "waiting for a document") \
	X(READING_MRZ,   "document placed; reading the printed MRZ") \
	X(CHIP_ACCESS,   "opening the chip (PACE or BAC)") \
	X(DOC_CHECKS,    "reading and authenticating the chip") \
	X(FACE_CAPTURE,  "capturing the live face (quality gate)") \
	X(LIVENESS,      "presentation-attack signal") \
	X(MATCH,         "1:1 comparison with the chip photo") \
	X(WATCHLIST,     "1:N search of the watchlist") \
	X(GATE_OPEN,     "gate open; waiting for the traveller to pass") \
	X(REFERRED,      "referred; waiting for an officer") \
	X(HOLD,          "held by an officer") \
	X(OUT_OF_SERVICE, "host unreachable: not taking new travellers")

#define PASSAGE_EVENTS(X) \
	X(DOC_PLACED,      "a document is on the reader") \
	X(DOC_REMOVED,     "the document was taken away") \
	X(MRZ_READ,        "MRZ read (valid or not)") \
	X(CHIP_OPENED,     "chip access finished (ok or failed)") \
	X(CHECKS_DONE,     "document checks finished") \
	X(FACE_CAPTURED,   "a capture attempt finished") \
	X(LIVENESS_DONE,   "liveness signal computed") \
	X(MATCH_DONE,      "1:1 score computed") \
	X(WATCHLIST_DONE,  "1:N search finished") \
	X(PASSED,          "the traveller went through the gate") \
	X(TRAVELLER_LEFT,  "nobody in front of the camera any more") \
	X(TIMEOUT,         "the current step took too long") \
	X(DEVICE_LOST,     "a device was unplugged or failed") \
	X(OFFICER_OPEN,    "officer: open the gate") \
	X(OFFICER_HOLD,    "officer: hold the gate") \
	X(OFFICER_RELEASE, "officer: release a hold / close the referral") \
	X(HOST_DOWN,       "the host has been unreachable too long") \
	X(HOST_UP,         "the host is reachable again")

enum passage_state {
#define X_(n, d) PS_##n,
	PASSAGE_STATES(X_)
#undef X_
	PS_COUNT
};

enum passage_event_type {
#define X_(n, d) PE_##n,
	PASSAGE_EVENTS(X_)
#undef X_
	PE_COUNT
};

const char *passage_state_str(enum passage_state s);
const char *passage_state_help(enum passage_state s);
const char *passage_event_str(enum passage_event_type e);
const char *passage_event_help(enum passage_event_type e);

/* ---- policy (pushed by the host, versioned) ---------------------------- */

enum passage_check_result { PCR_NOT_CHECKED = 0, PCR_PASS, PCR_FAIL, PCR_ABSENT };

/* Document checks the kiosk knows; policy says which are mandatory. */
#define PASSAGE_DOC_CHECKS(X) \
	X(MRZ_VALID,       "printed MRZ parses and its check digits are right") \
	X(CHIP_ACCESS,     "PACE or BAC succeeded") \
	X(PASSIVE_AUTH,    "EF.SOD signature, DS chain to a CSCA, DS not revoked") \
	X(DG_HASHES,       "every data group matches its hash in EF.SOD") \
	X(DG1_MATCHES_MRZ, "chip MRZ equals the printed MRZ") \
	X(CHIP_AUTH,       "active or chip authentication (clone detection)") \
	X(NOT_EXPIRED,     "document not expired") \
	X(ISSUER_ACCEPTED, "issuing state and document type accepted by policy") \
	X(MIN_AGE,         "holder at least the minimum age")

enum passage_doc_check {
#define X_(n, d) PDC_##n,
	PASSAGE_DOC_CHECKS(X_)
#undef X_
	PDC_COUNT
};

const char *passage_doc_check_str(enum passage_doc_check c);

enum passage_absent_action { PASSAGE_ABSENT_ACCEPT, PASSAGE_ABSENT_REFER };
enum passage_hit_action { PASSAGE_HIT_REFER, PASSAGE_HIT_REFER_SILENT };

struct passage_policy {
	char version[32];		/* config version in force */
	uint32_t mandatory;		/* bit per enum passage_doc_check */
	enum passage_absent_action no_chip_auth;	/* chip without AA/CA */
	double match_threshold;		/* cosine; accept if score >= */
	double liveness_threshold;	/* live probability; PAD alarm below */
	double watchlist_threshold;	/* hit if best score >= */
	enum passage_hit_action watchlist_action;
	int max_capture_attempts;	/* quality retries before referral */
	int timeout_ms[PS_COUNT];	/* per state; 0 = no timeout */
};

/* passage_policy_default — a conservative policy (every check mandatory,
 * refer chips without AA/CA, thresholds from docs/face.md). */
void passage_policy_default(struct passage_policy *p);

/* ---- events and their data --------------------------------------------- */

struct passage_event {
	enum passage_event_type type;
	bool ok;			/* MRZ_READ, CHIP_OPENED: success */
	const char *detail;		/* short reason (borrowed; copied if kept) */
	/* CHECKS_DONE */
	enum passage_check_result checks[PDC_COUNT];
	/* FACE_CAPTURED */
	int faces;			/* faces in the frame */
	bool quality_ok;		/* quality gate passed */
	/* LIVENESS_DONE, MATCH_DONE, WATCHLIST_DONE */
	double score;
	/* OFFICER_* */
	const char *officer;		/* identity from the officer's certificate */
	const char *reason;		/* mandatory for OPEN on a referral */
};

/* ---- explanation and effects -------------------------------------------- */

#define PASSAGE_MAX_EXPLAIN 24

struct passage_explain_item {
	char name[48];		/* "passive_auth", "match_1to1", ... */
	char result[16];	/* "pass", "fail", "absent", "not_checked", "hit" */
	double value;		/* score, when has_value */
	double threshold;	/* threshold in force, when has_value */
	bool has_value;
	char detail[64];
};

enum passage_outcome { PO_NONE = 0, PO_OPEN, PO_REFER, PO_ABANDONED, PO_REJECT };

struct passage_explanation {
	enum passage_outcome outcome;
	char rule[48];			/* the rule that fired */
	char config_version[32];
	char model_version[48];
	struct passage_explain_item items[PASSAGE_MAX_EXPLAIN];
	size_t n;
	char officer[64];		/* set when an officer decided */
	char officer_reason[128];
};

enum passage_effect {
	PX_NONE = 0,
	PX_PROMPT_PLACE_DOC,	/* display: place your passport */
	PX_PROMPT_LOOK,		/* display: look at the camera (and advance notice) */
	PX_PROMPT_RETAKE,	/* display: please look straight / open your eyes */
	PX_PROMPT_PROCEED,	/* display: please proceed */
	PX_PROMPT_SEE_OFFICER,	/* display: please see an officer */
	PX_PROMPT_ONE_PERSON,	/* display: one person at a time */
	PX_PROMPT_CLOSED,	/* display: this gate is closed */
	PX_READ_MRZ,
	PX_OPEN_CHIP,
	PX_RUN_CHECKS,
	PX_CAPTURE_FACE,
	PX_RUN_LIVENESS,
	PX_RUN_MATCH,
	PX_RUN_WATCHLIST,
	PX_GATE_OPEN,
	PX_GATE_CLOSE,
	PX_NOTIFY_OFFICER,	/* push the referral with its explanation */
	PX_REPORT,		/* send the passage record to the host */
	PX_WIPE,		/* wipe images, DG2, embeddings, keys */
	PX_START_TIMER,		/* (re)arm the state's timeout */
};

const char *passage_effect_str(enum passage_effect e);

#define PASSAGE_MAX_EFFECTS 8

struct passage_effects {
	enum passage_effect e[PASSAGE_MAX_EFFECTS];
	size_t n;
};

/* ---- the machine --------------------------------------------------------- */

struct passage {
	enum passage_state state;
	const struct passage_policy *policy;	/* borrowed */
	const struct eg_log *log;		/* borrowed; may be NULL */
	const char *model_version;		/* borrowed */
	int capture_attempts;
	bool chip_auth_absent;
	struct passage_explanation x;		/* of the current passage */
	uint64_t passages;			/* passages finished */
};

/* passage_init — start in IDLE with the given policy (borrowed: it must
 * outlive the machine or be replaced with passage_set_policy between
 * passages). Cannot fail. */
void passage_init(struct passage *p, const struct passage_policy *policy,
    const char *model_version, const struct eg_log *log);

/*
 * passage_handle — apply ev. Fills *fx with the effects to carry out, in
 * order. Returns EG_OK if a transition fired, EG_ERR_STATE if no transition
 * of the table matches (the event is ignored and logged at debug level:
 * e.g. a late device result after a cancel).
 */
int passage_handle(struct passage *p, const struct passage_event *ev, struct passage_effects *fx);

/* ---- the table, for the diagram and the tests ---------------------------- */

typedef bool (*passage_guard_fn)(const struct passage *p, const struct passage_event *ev);
typedef void (*passage_action_fn)(struct passage *p, const struct passage_event *ev,
    struct passage_effects *fx);

/* PS_COUNT as `from` means "any state in which a traveller is being
 * processed" (every state but IDLE, GATE_OPEN, REFERRED, HOLD and
 * OUT_OF_SERVICE). */
#define PS_ANY_ACTIVE PS_COUNT

struct passage_transition {
	enum passage_state from;
	enum passage_event_type event;
	passage_guard_fn guard;		/* NULL: always */
	const char *guard_name;
	passage_action_fn action;
	const char *action_name;
	enum passage_state to;
};

extern const struct passage_transition passage_table[];
extern const size_t passage_table_len;

/* passage_is_active — the states PS_ANY_ACTIVE stands for. */
bool passage_is_active(enum passage_state s);

#endif
