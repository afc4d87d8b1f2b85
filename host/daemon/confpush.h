/* SPDX-License-Identifier: Apache-2.0 */
/*
 * confpush.h — the policy bundle of egate-host and its push to the kiosks
 * (docs/host.md "Policy bundle", PROTOCOL.md ConfigPush / ConfigApplied).
 *
 * Who does what (privilege separation, privsep.h):
 *   - the MONITOR reads the bundle file ([policy] file) at start and on
 *     SIGHUP (the network child is Landlocked and reads no operator file),
 *     encodes it into ConfigPush parts (proto/policy.h), refuses a version
 *     that goes backwards or reuses a version for different content (both
 *     against the audit store's config records), logs a new version with
 *     audit_config_add(version, digest) and only then serves it;
 *   - the NETWORK CHILD fetches the encoded parts with PS_CONFIG_GET (in
 *     chunks: privsep packets stay small), answers HelloAck.config_version
 *     with the current version, sends the parts to a kiosk running another
 *     version, pushes a new version to every connected kiosk, and logs and
 *     keeps each kiosk's ConfigApplied for the officer status.
 *
 * PS_CONFIG_GET (privsep.h): request u64 offset; response u64 version ‖
 * u64 total ‖ chunk (at most PS_CONFIG_CHUNK bytes of the served blob from
 * offset). Blob = u8[32] digest ‖ u32 nparts ‖ nparts × (u32 len ‖ packed
 * ConfigPush). Version 0 and total 0: no bundle configured.
 */
#ifndef EGATE_HOST_CONFPUSH_H
#define EGATE_HOST_CONFPUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "egate/buf.h"
#include "egate/log.h"
#include "egate.pb-c.h"

/* Parts are at most this many packed bytes (below every frame maximum). */
#define CONFPUSH_PART_MAX (FRAME_MAX_HARD - 4096u)
/* Largest configuration the host pushes (the per-connection output buffer
 * holds a whole push; net.c sizes it at 4 MiB). */
#define CONFPUSH_TOTAL_MAX (3u * 1024u * 1024u)
#define PS_CONFIG_CHUNK 32768u

/* ---- monitor side -------------------------------------------------------- */

struct confpush_mon {
	uint64_t version;		/* served now; 0 = none */
	uint8_t digest[32];
	uint8_t *blob;			/* see above */
	size_t blob_len;
};

/*
 * confpush_mon_load — read the bundle at path, check its version against
 * the audit store's config records, log a new version there
 * (audit_config_add) and serve it from now on. On any error the version
 * served before stays (logged with the reason). Errors: those of
 * policy_bundle_load and policy_encode, EG_ERR_STATE (version going
 * backwards, or a version reused for different content), EG_ERR_OVERFLOW
 * (above CONFPUSH_TOTAL_MAX), EG_ERR_DB.
 */
int confpush_mon_load(struct confpush_mon *cm, const char *path, struct audit_db *db,
    struct eg_log *lg);

/* confpush_mon_answer — answer a PS_CONFIG_GET body into w (response head
 * written by the caller). Errors: EG_ERR_TRUNCATED / EG_ERR_FORMAT (bad
 * request), those of eg_wbuf. */
int confpush_mon_answer(const struct confpush_mon *cm, const uint8_t *body, size_t len,
    struct eg_wbuf *w);

void confpush_mon_clear(struct confpush_mon *cm);

/* ---- network child side -------------------------------------------------- */

#define CONFPUSH_KIOSKS_MAX 1024

/* What a kiosk said last about its configuration (officer status). */
struct confpush_kiosk {
	char kiosk[65];
	uint64_t pushed;		/* version last pushed to it */
	uint64_t applied;		/* version it reported applied (Hello, Heartbeat, ConfigApplied) */
	bool have_result;
	uint64_t result_version;	/* its last ConfigApplied */
	bool result_ok;
	int result_error;
	char result_detail[128];
	int64_t result_ms;
};

struct confpush {
	uint64_t version;		/* 0: the host manages no configuration */
	uint8_t digest[32];
	size_t n;
	Egate__ConfigPush **parts;	/* unpacked, in order */
	struct confpush_kiosk *k;
	size_t nk;
	struct eg_log *lg;
};

/*
 * confpush_fetch — get the configuration the monitor serves (PS_CONFIG_GET
 * over ps, synchronously: the caller makes sure no other answer is
 * pending). *changed is true when the version differs from the one held.
 * Errors: EG_ERR_IO / EG_ERR_PROTOCOL (monitor gone or broken: fatal),
 * EG_ERR_FORMAT (a part does not unpack), EG_ERR_NOMEM.
 */
int confpush_fetch(struct confpush *cp, int ps, bool *changed);

/* confpush_hello_version — HelloAck.config_version for a kiosk reporting
 * kiosk_version: the served one, or the kiosk's own when none is served. */
uint64_t confpush_hello_version(const struct confpush *cp, uint64_t kiosk_version);

/*
 * confpush_offer — queue the ConfigPush parts for kiosk into out when it
 * runs another version (kiosk_version) than the one served (which is then
 * remembered as pushed). *sent (may be NULL) tells. Errors: those of
 * proto_msg_encode (out is then left as it was).
 */
int confpush_offer(struct confpush *cp, const char *kiosk, uint64_t kiosk_version,
    struct eg_wbuf *out, bool *sent);

/* confpush_applied — log a ConfigApplied from kiosk and keep it. */
void confpush_applied(struct confpush *cp, const char *kiosk, const Egate__ConfigApplied *a);

/* confpush_reported — the version a kiosk reports in Hello / Heartbeat. */
void confpush_reported(struct confpush *cp, const char *kiosk, uint64_t version);

/* confpush_kiosk_get — the record of kiosk, NULL if never seen (borrowed). */
const struct confpush_kiosk *confpush_kiosk_get(const struct confpush *cp, const char *kiosk);

void confpush_clear(struct confpush *cp);

#endif
