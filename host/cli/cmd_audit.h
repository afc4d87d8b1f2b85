/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_audit.h — what cmd_audit.c shares with the verbs in their own files. */
#ifndef EGATE_CMD_AUDIT_H
#define EGATE_CMD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"

/* Exit codes of `egate audit` beyond cli.h's (docs/man/egate-audit.1). */
enum {
	AUDIT_EXIT_WRONG_KEY = 4,	/* verify: the public key is not the log's */
	AUDIT_EXIT_DAMAGED = 5,		/* the database file is damaged */
	AUDIT_EXIT_UNANCHORED = 6,	/* verify: nothing outside the database vouches */
	AUDIT_EXIT_NOT_REPLAYED = 7,	/* replay: nothing disagreed, but not every
					 * selected passage could be replayed (or none
					 * was selected) */
};

/*
 * audit_cli_safe — s for a terminal: control characters (C0, DEL, and C1
 * as UTF-8) become \xNN. out holds cap bytes; returns out, or "-" for NULL.
 */
const char *audit_cli_safe(const char *s, char *out, size_t cap);

/*
 * audit_cli_replay — `egate audit replay`: every passage record matching f
 * (f->type is set to "passage" here; id > 0: only that record; seq_hi > 0:
 * seqs seq_lo..seq_hi) replayed under its config version's parameters,
 * printed as a table or (json) one JSON object. Returns the exit code.
 */
int audit_cli_replay(struct audit_db *db, const struct audit_filter *f, int64_t id,
    uint64_t seq_lo, uint64_t seq_hi, int json);

#endif
