/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inbox.h — officer commands on their way from the uplink thread (which
 * receives them from egate-host) to the kiosk's own thread (which carries
 * them out between two steps of the passage machine). A bounded,
 * mutex-protected FIFO with a condition variable, so the kiosk can wait for
 * an officer while a referral is open.
 */
#ifndef EGATE_KIOSK_INBOX_H
#define EGATE_KIOSK_INBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "egate.pb-c.h"

#define KIOSK_INBOX_MAX 16

/* A copy of one OfficerCommand (PROTOCOL.md). */
struct kiosk_command {
	uint64_t id;
	Egate__OfficerAction action;
	char officer[64];		/* from the officer's certificate (host side) */
	char reason[201];
	uint64_t passage_seq;
};

struct kiosk_inbox;

/* kiosk_inbox_new — an empty inbox, owned by the caller (kiosk_inbox_free).
 * Errors: EG_ERR_NOMEM. */
int kiosk_inbox_new(struct kiosk_inbox **out);
/* kiosk_inbox_free — safe on NULL; sets *in to NULL. */
void kiosk_inbox_free(struct kiosk_inbox **in);

/*
 * kiosk_inbox_post — copy c into the inbox (thread-safe; never blocks).
 * Strings longer than the fields are refused, not cut.
 * Errors: EG_ERR_INVAL, EG_ERR_OVERFLOW (full, or a string too long).
 */
int kiosk_inbox_post(struct kiosk_inbox *in, const Egate__OfficerCommand *c);

/*
 * kiosk_inbox_take — the oldest command into *out, waiting up to wait_ms
 * (0: do not wait). Returns false when none came.
 */
bool kiosk_inbox_take(struct kiosk_inbox *in, int wait_ms, struct kiosk_command *out);

#endif
