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
 * The decision itself — explanation and policy in, outcome and rule out —
 * is also a pure function (decide.h), which the table's guards use and an
 * auditor can run on a stored explanation.
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
	X(GATE_OPENING,  "gate commanded open; waiting for the door to confirm") \
	X(GATE_OPEN,     "door open; waiting for the traveller to pass") \
	X(GATE_CLOSING,  "gate commanded shut; waiting for the door to confirm") \
	X(REFERRED,      "referred; waiting for an officer") \
	X(HOLD,          "held by an officer") \
	X(OUT_OF_SERVICE, "not taking travellers: host unreachable, or a device lost or faulty")

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
	X(DOOR_OPENED,     "the gate reports its door open") \
	X(PASSED,          "the passage sensor saw the traveller go through") \
	X(DOOR_CLOSED,     "the gate reports its door closed") \
	X(TRAVELLER_LEFT,  "nobody in front of the camera any more") \
	X(TIMEOUT,         "the current step took too long") \
	X(DEVICE_LOST,     "a device was unplugged or failed") \
	X(DEVICE_BACK,     "every device is back and working") \
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

/* ---- checks and explanation items (typed from the device to the record) -- */

/* The result of one check or one explanation item. How it is written in
 * the record depends on the item (passage_item_result_str): a watchlist
 * PASS is "clear", FAIL "hit"; an officer override PASS is "open", FAIL
 * "reject"; otherwise "pass", "fail", "absent", "not_checked". */
enum passage_check_result { PCR_NOT_CHECKED = 0, PCR_PASS, PCR_FAIL, PCR_ABSENT };

/* Document checks the kiosk knows; policy says which are mandatory. They
 * are also the first PDC_COUNT explanation items, in this order. */
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

/* Everything an explanation can hold: X(ID, record name, score name or
 * NULL). The score name is what the record's Score list calls an item that
 * carries a value (PROTOCOL.md). PAD_CUE items name their cue in `sub`. */
#define PASSAGE_ITEMS(X) \
	X(MRZ_VALID,         "mrz_valid",         NULL) \
	X(CHIP_ACCESS,       "chip_access",       NULL) \
	X(PASSIVE_AUTH,      "passive_auth",      NULL) \
	X(DG_HASHES,         "dg_hashes",         NULL) \
	X(DG1_MATCHES_MRZ,   "dg1_matches_mrz",   NULL) \
	X(CHIP_AUTH,         "chip_auth",         NULL) \
	X(NOT_EXPIRED,       "not_expired",       NULL) \
	X(ISSUER_ACCEPTED,   "issuer_accepted",   NULL) \
	X(MIN_AGE,           "min_age",           NULL) \
	X(ONE_PERSON,        "one_person",        NULL) \
	X(FACE_QUALITY,      "face_quality",      NULL) \
	X(LIVENESS,          "liveness",          "pad_liveness") \
	X(PAD_CUE,           "pad",               NULL) \
	X(MATCH_1TO1,        "match_1to1",        "face_similarity") \
	X(WATCHLIST,         "watchlist",         "watchlist") \
	X(DOOR_OPENED,       "door_opened",       NULL) \
	X(PASSAGE_CONFIRMED, "passage_confirmed", NULL) \
	X(DOOR_CLOSED,       "door_closed",       NULL) \
	X(DOC_REMOVED,       "doc_removed",       NULL) \
	X(TRAVELLER_LEFT,    "traveller_left",    NULL) \
	X(TIMEOUT,           "timeout",           NULL) \
	X(DEVICE_LOST,       "device_lost",       NULL) \
	X(OFFICER_HOLD,      "officer_hold",      NULL) \
	X(OFFICER_OVERRIDE,  "officer_override",  NULL)

enum passage_item {
#define X_(id, n, s) PI_##id,
	PASSAGE_ITEMS(X_)
#undef X_
	PI_COUNT
};

#define PASSAGE_ITEM_SUB_MAX 24

struct passage_explain_item {
	enum passage_item id;
	enum passage_check_result result;
	char sub[PASSAGE_ITEM_SUB_MAX];	/* PI_PAD_CUE: the cue ("spectrum"); else "" */
	bool has_value;
	double value;		/* score, when has_value */
	double threshold;	/* threshold in force, when has_value */
	char detail[64];	/* short, machine-readable, never personal */
};

/* passage_item_str — the item's record name ("mrz_valid"); "?" out of range. */
const char *passage_item_str(enum passage_item id);
/* passage_item_score_str — the Score name of an item with a value
 * ("face_similarity"), else its record name. */
const char *passage_item_score_str(enum passage_item id);
/* passage_item_name — the record name of one item into buf: the item's
 * name, or "pad_<cue>" for a PAD cue. Returns buf. */
const char *passage_item_name(const struct passage_explain_item *it, char *buf, size_t cap);
/* passage_item_result_str — the result as the record writes it (above). */
const char *passage_item_result_str(const struct passage_explain_item *it);

/* ---- the policy: one object, pushed by the host or from [policy] -------- */

enum passage_absent_action { PASSAGE_ABSENT_ACCEPT, PASSAGE_ABSENT_REFER };
enum passage_hit_action { PASSAGE_HIT_REFER, PASSAGE_HIT_REFER_SILENT };

#define PASSAGE_ISSUERS_MAX 256

struct passage_policy {
	char version[32];		/* config version in force */
	uint32_t mandatory;		/* bit per enum passage_doc_check */
	enum passage_absent_action no_chip_auth;	/* chip without AA/CA */
	double match_threshold;		/* cosine; accept if score >= */
	double liveness_threshold;	/* live probability; PAD alarm below */
	double watchlist_threshold;	/* hit if best score >= */
	enum passage_hit_action watchlist_action;
	int max_capture_attempts;	/* quality retries before referral */
	/* issuing states ("UTO") or state:type ("UTO:P"), comma-separated;
	 * "" accepts every issuer (guard of ISSUER_ACCEPTED) */
	char accepted_issuers[PASSAGE_ISSUERS_MAX];
	int min_age;			/* years; 0: no minimum (guard of MIN_AGE) */
	int timeout_ms[PS_COUNT];	/* per state; 0 = no timeout */
};

/* passage_policy_default — a conservative policy (every check mandatory,
 * refer chips without AA/CA, thresholds from docs/face.md, every issuer,
 * no minimum age). */
void passage_policy_default(struct passage_policy *p);

/* ---- events and their data --------------------------------------------- */

/* What the chip says about its holder that the policy looks at: not
 * personal enough to matter in memory, never recorded except the issuer
 * (which the record carries anyway). */
struct passage_holder {
	bool known;			/* DG1 (or the printed MRZ) was read */
	char issuing_state[4];		/* "UTO" */
	char document_type[3];		/* "P", "ID", ... */
	int age;			/* whole years on the kiosk's date; -1 unknown */
};

struct passage_event {
	enum passage_event_type type;
	bool ok;			/* MRZ_READ, CHIP_OPENED: success */
	const char *detail;		/* short reason (borrowed; copied if kept) */
	/* CHECKS_DONE: the device-side checks (ISSUER_ACCEPTED and MIN_AGE
	 * are computed by the table's guard from `holder` and the policy;
	 * whatever is in checks[] for them is ignored) */
	enum passage_check_result checks[PDC_COUNT];
	struct passage_holder holder;
	/* FACE_CAPTURED */
	int faces;			/* faces in the frame */
	bool quality_ok;		/* quality gate passed */
	/* LIVENESS_DONE, MATCH_DONE, WATCHLIST_DONE */
	double score;
	/* LIVENESS_DONE: the PAD cues behind the score (borrowed) */
	const struct passage_explain_item *pad_items;
	size_t n_pad_items;
	/* OFFICER_* */
	const char *officer;		/* identity from the officer's certificate */
	const char *reason;		/* mandatory for OPEN on a referral */
};

/* ---- explanation and effects -------------------------------------------- */

#define PASSAGE_MAX_EXPLAIN 40

enum passage_outcome { PO_NONE = 0, PO_OPEN, PO_REFER, PO_ABANDONED, PO_REJECT };

/* passage_outcome_str — "NONE", "OPEN", "REFER", "ABANDONED", "REJECT". */
const char *passage_outcome_str(enum passage_outcome o);

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

/* passage_explanation_find — the first item id (PI_PAD_CUE: with that sub;
 * sub NULL: any), or NULL. */
const struct passage_explain_item *passage_explanation_find(const struct passage_explanation *x,
    enum passage_item id, const char *sub);

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
	PX_GATE_OPEN,		/* command the gate open (confirmation: DOOR_OPENED) */
	PX_GATE_CLOSE,		/* command the gate shut (confirmation: DOOR_CLOSED
				 * when the state waits for it) */
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
 * processed" (READING_MRZ to WATCHLIST: every state before the decision). */
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
