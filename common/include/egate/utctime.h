/* utctime.h — a calendar time in UTC as Unix seconds, checked.
 *
 * The one conversion of the dates certificates and CRLs carry (common/src/tls.c;
 * host/pki, also the dates of the CA's index): timegm, which takes UTC fields,
 * and a refusal of any field it would have to move (31 February becomes 3 March
 * in timegm; here it is an error).
 */
#ifndef EGATE_UTCTIME_H
#define EGATE_UTCTIME_H

#include <stdint.h>

/*
 * eg_utc_unix — year (e.g. 2026), mon 1-12, day 1-31, hour, min, sec (UTC) in Unix
 * seconds, in *unix_s. Errors: EG_ERR_FORMAT (out of range, or a date that does
 * not exist). *unix_s is untouched on error.
 */
int eg_utc_unix(int year, int mon, int day, int hour, int min, int sec, int64_t *unix_s);

#endif
