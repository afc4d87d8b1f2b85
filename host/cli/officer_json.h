/* SPDX-License-Identifier: Apache-2.0 */
/*
 * officer_json.h — what the host tells an officer, as JSON objects: the
 * objects of `egate officer status --json`, `queue --json`, `watch --json`
 * and the officer console's event stream share these writers, so the
 * browser page and scripts see one format (docs/man/egate-officer.1).
 */
#ifndef EGATE_OFFICER_JSON_H
#define EGATE_OFFICER_JSON_H

#include "egate.pb-c.h"
#include "egate/json.h"

/* "ok", "degraded", "FAILED", "absent", "?" */
const char *officer_health_name(Egate__DeviceHealth h);

/* {"kiosk","connected","last_seen_ms","firmware","config_version","events",
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
