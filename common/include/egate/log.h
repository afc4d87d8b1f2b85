/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h — structured, one-line-per-event logging.
 *
 *   EG_LOG(lg, EG_LOG_INFO, "passage.decision",
 *          EG_STR("kiosk", id), EG_INT("score_milli", 812));
 *
 * prints one line:
 *
 *   level=info event=passage.decision kiosk=K01 score_milli=812
 *
 * Values are quoted when they contain spaces, quotes, '=' or control bytes,
 * and control bytes are escaped, so a hostile string cannot forge a second
 * line or a field. Fields marked personal (EG_PII_*) or secret (EG_SECRET_*)
 * print as "[redacted]" unless the logger was explicitly configured to show
 * them (a debug setting that is off by default and logs a warning when on).
 *
 * When stderr is connected to the systemd journal (JOURNAL_STREAM set), a
 * "<N>" syslog priority prefix is added so journald keeps the level.
 *
 * The logger is a plain struct owned by the caller; there is no global
 * state. It is safe to use from several threads if the sink is (stdio is).
 */
#ifndef EGATE_LOG_H
#define EGATE_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum eg_log_level {
	EG_LOG_DEBUG = 0,
	EG_LOG_INFO = 1,
	EG_LOG_NOTICE = 2,
	EG_LOG_WARN = 3,
	EG_LOG_ERROR = 4,
};

enum eg_log_kind {
	EG_LOG_F_END = 0,
	EG_LOG_F_STR,
	EG_LOG_F_INT,
	EG_LOG_F_UINT,
	EG_LOG_F_DBL,
	EG_LOG_F_HEX,
	EG_LOG_F_BOOL,
};

/* What a field holds, for redaction. */
#define EG_LOG_PERSONAL 0x1u	/* names, document numbers, dates of birth */
#define EG_LOG_SECRET   0x2u	/* keys, PINs, MRZ-derived material */

struct eg_log_field {
	const char *key;
	enum eg_log_kind kind;
	unsigned flags;
	union {
		const char *s;
		long long i;
		unsigned long long u;
		double d;
		bool b;
		struct {
			const void *p;
			size_t n;
		} hex;
	} v;
};

struct eg_log {
	FILE *out;			/* sink; NULL means stderr */
	enum eg_log_level min_level;	/* lower levels are dropped */
	const char *component;		/* printed as comp=...; may be NULL */
	bool show_personal;		/* debug only: print EG_LOG_PERSONAL fields */
	bool show_secrets;		/* debug only: print EG_LOG_SECRET fields */
	bool journal;			/* prefix lines with <priority> */
	bool timestamps;		/* prefix ts=ISO-8601 (off under journald) */
};

/*
 * eg_log_init — defaults: stderr, INFO, no personal data, no secrets,
 * journald prefix if JOURNAL_STREAM is set, timestamps otherwise.
 * Cannot fail.
 */
void eg_log_init(struct eg_log *lg, const char *component);

/*
 * eg_log_allow_sensitive — a debug switch: let the logger print personal
 * data and/or secrets. Turning either on logs a warning line saying so, so a
 * log that may hold such data says it does. Cannot fail.
 */
void eg_log_allow_sensitive(struct eg_log *lg, bool personal, bool secrets);

/* eg_log_level_parse — "debug", "info", "notice", "warn", "error".
 * Returns EG_OK or EG_ERR_INVAL. */
int eg_log_level_parse(const char *s, enum eg_log_level *out);
const char *eg_log_level_str(enum eg_log_level l);

/*
 * eg_log_emit — print one event. Fields follow `event` as struct
 * eg_log_field values and end with EG_LOG_END; use the EG_LOG macro, which
 * adds the terminator. lg may be NULL (then nothing is printed).
 */
void eg_log_emit(const struct eg_log *lg, enum eg_log_level level,
    const char *event, ...);

#define EG_LOG_END ((struct eg_log_field){ .kind = EG_LOG_F_END })
#define EG_LOG(lg, level, ...) eg_log_emit((lg), (level), __VA_ARGS__, EG_LOG_END)

#define EG_STR(k, x)  ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_STR, .v.s = (x) })
#define EG_INT(k, x)  ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_INT, .v.i = (long long)(x) })
#define EG_UINT(k, x) ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_UINT, .v.u = (unsigned long long)(x) })
#define EG_DBL(k, x)  ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_DBL, .v.d = (double)(x) })
#define EG_BOOL(k, x) ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_BOOL, .v.b = (x) })
#define EG_HEX(k, p_, n_) ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_HEX, .v.hex = { (p_), (n_) } })
/* an eg_err as err=EG_ERR_X */
#define EG_ERRF(x)    EG_STR("err", eg_err_name(x))

/* Personal data and secrets: redacted unless the logger allows them. */
#define EG_PII_STR(k, x) ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_STR, .flags = EG_LOG_PERSONAL, .v.s = (x) })
#define EG_SECRET_HEX(k, p_, n_) ((struct eg_log_field){ .key = (k), .kind = EG_LOG_F_HEX, .flags = EG_LOG_SECRET, .v.hex = { (p_), (n_) } })

#endif
