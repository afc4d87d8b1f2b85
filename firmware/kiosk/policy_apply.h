/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_apply.h — the kiosk puts a policy pushed by the host in force
 * (docs/kiosk.md "Pushed policy"; PROTOCOL.md ConfigPush / ConfigApplied).
 *
 * ConfigPush parts arrive in the uplink thread (policy_apply_on_push, from
 * the kiosk's on_message dispatcher) and are reassembled and verified there
 * (firmware/uplink/config_rx.h). A refused push is answered at once with
 * ConfigApplied{ok = false, ERROR_CONFIG_REJECTED, detail}. A complete,
 * valid one waits until the kiosk's own thread calls policy_apply_pending()
 * between two passages (the machine is in IDLE: never mid-passage); it then
 * replaces, all or nothing:
 *   - the passage policy in force (struct passage_policy, through
 *     passage_policy_from_proto: thresholds, mandatory checks, no-chip-auth
 *     and watchlist actions, accepted issuers, minimum age, and the version
 *     string, which becomes PassageEvent.config_version);
 *   - the watchlist gallery, when the push has one;
 *   - and adds the pushed CSCA master lists (verified against the trust
 *     anchors in force) and CRLs to the trust store, when it has them;
 * (a version older than the one in force is refused: versions only increase);
 * persists it atomically (`<spool>.config`), answers ConfigApplied{ok} and
 * reports the version in the uplink status (Heartbeat, next Hello). If
 * anything fails, nothing changes and ConfigApplied{ok = false} says why.
 *
 * At start, policy_apply_load() puts the last persisted configuration in
 * force; a corrupt one is refused with a log line and the kiosk runs the
 * policy of its own configuration file.
 */
#ifndef EGATE_KIOSK_POLICY_APPLY_H
#define EGATE_KIOSK_POLICY_APPLY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "egate.pb-c.h"
#include "egate/conf.h"
#include "egate/log.h"
#include "passage.h"

struct kiosk;
struct uplink;
struct policy_apply;

struct policy_apply_opts {
	struct passage_policy *policy;	/* borrowed: the policy in force, rewritten
					 * in place between passages */
	const struct eg_kiosk_conf *conf;	/* borrowed */
	const char *path;		/* persisted configuration (copied) */
	struct eg_log *log;		/* may be NULL */
	FILE *out;			/* "config version N applied" lines; may be NULL */
};

/* policy_apply_new — *out owned by the caller (policy_apply_free).
 * Errors: EG_ERR_INVAL, EG_ERR_NOMEM. */
int policy_apply_new(const struct policy_apply_opts *o, struct policy_apply **out);
void policy_apply_free(struct policy_apply **pa);

/* policy_apply_set_uplink — where ConfigApplied and the version go (may be
 * NULL: offline). Call before the uplink thread starts. */
void policy_apply_set_uplink(struct policy_apply *pa, struct uplink *u);

/* policy_apply_on_push — one ConfigPush part (uplink thread; never blocks
 * on the kiosk). */
void policy_apply_on_push(struct policy_apply *pa, const Egate__ConfigPush *cp);

/*
 * policy_apply_load — at start (kiosk thread, before the uplink thread
 * starts): put the persisted configuration in force. Returns EG_OK (applied
 * or no file) or the reason a file was refused (logged; the file policy
 * stays).
 */
int policy_apply_load(struct policy_apply *pa, struct kiosk *k);

/*
 * policy_apply_pending — between passages (kiosk thread): apply a complete
 * pushed configuration if one waits. Returns true if one was taken (applied
 * or refused).
 */
bool policy_apply_pending(struct policy_apply *pa, struct kiosk *k);

/*
 * policy_apply_sync — at start: wait up to `seconds` for the first session
 * with the host and, if the host wants another version than the one in
 * force, for its push to arrive and be applied (or refused). Returns true
 * when the kiosk runs the version the host wants (or the host wants none).
 */
bool policy_apply_sync(struct policy_apply *pa, struct kiosk *k, int seconds);

/* policy_apply_version — the pushed version in force, 0 = the file policy. */
uint64_t policy_apply_version(const struct policy_apply *pa);

#endif
