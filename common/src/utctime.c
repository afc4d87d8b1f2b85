/* utctime.c — a calendar time in UTC as Unix seconds, checked (utctime.h). */
#define _DEFAULT_SOURCE		/* timegm */
#include <string.h>
#include <time.h>

#include "egate/error.h"
#include "egate/utctime.h"

int
eg_utc_unix(int year, int mon, int day, int hour, int min, int sec, int64_t *unix_s)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != day || tm.tm_mon != mon - 1)
		return EG_ERR_FORMAT;
	*unix_s = (int64_t)t;
	return EG_OK;
}
