/* SPDX-License-Identifier: Apache-2.0 */
/*
 * officer_json.h — what the host tells an officer, as JSON objects: the
 * objects of `egate officer status --json`, `queue --json`, `watch --json`
 * and the officer console's event stream share these writers, so the
 * browser page and scripts see one format (docs/man/egate-officer.1).
 */
#ifndef EGATE_OFFICER_JSON_H
#define EGATE_OFFICER_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "egate.pb-c.h"
#include "egate/json.h"

/* "ok", "degraded", "FAILED", "absent", "?" */
const char *officer_health_name(Egate__DeviceHealth h);

/* The warning horizon of a kiosk certificate's end (as `egate pki list`). */
#define OFFICER_CERT_WARN_DAYS 30

/* officer_cert_days — whole days from now_ms (Unix ms) to the end of the
 * kiosk's certificate as the host saw it at the kiosk's last handshake,
 * rounded down, negative once past. false (days untouched) when the host
 * did not say (an older host, or no handshake yet). */
bool officer_cert_days(const Egate__KioskStatus *k, int64_t now_ms, long *days);

/* {"kiosk","connected","last_seen_ms","firmware","config_version","events",
 *  "cert_not_after_ms","cert_days_left" (null when unknown),
 *  "state","held","referral_seq","last_decision","last_reason","last_ts_ms",
 *  "pending_events","devices":{name:health},"device_details":{name:detail},
 *  "recent":[{"seq","ts_ms","decision","reason","officer"}]}
 * state is "OFFLINE" when the kiosk is not connected, whatever it said last. */
void officer_json_kiosk(struct eg_json *j, const Egate__KioskStatus *k);

/* {"kiosk","seq","ts_ms","reason","explanation"} — explanation is the audit
 * payload as a JSON string ("" while the record is on its way). */
void officer_json_referral(struct eg_json *j, const Egate__Referral *f);

/* {"kiosk","seq","why","officer","action"} */
void officer_json_closed(struct eg_json *j, const Egate__ReferralClosed *c);

/* A whole document: officer_json_kiosk etc. as a heap string without the
 * final newline (NULL on allocation failure). */
char *officer_json_kiosk_str(const Egate__KioskStatus *k);
char *officer_json_referral_str(const Egate__Referral *f);
char *officer_json_closed_str(const Egate__ReferralClosed *c);

#endif
