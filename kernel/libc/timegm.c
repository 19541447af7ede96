/*
 * libc/timegm.c: timegm(), mktime() for UTC. Fields out of range carry over as in mktime (month
 * 13 is January of the next year, second -1 the last second of the previous minute), and the
 * struct comes back normalized, with tm_wday and tm_yday set.
 */
#include <errno.h>
#include <time.h>

#define SECS_PER_DAY 86400ll

static long long floor_div(long long a, long long b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* Days from 1970-01-01 to year-month-day in the proleptic Gregorian calendar (month 1 to 12). */
static long long days_from_epoch(long long year, int month, long long day)
{
	/* Count from March, so that the leap day ends a "year"; 400-year eras have 146097 days. */
	long long y = month <= 2 ? year - 1 : year;
	long long era = floor_div(y, 400);
	long long year_of_era = y - era * 400;
	long long day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

time_t timegm(struct tm *tm)
{
	long long year = 1900ll + tm->tm_year + floor_div(tm->tm_mon, 12);
	int month = (int)(tm->tm_mon - floor_div(tm->tm_mon, 12) * 12) + 1;
	long long days = days_from_epoch(year, month, 1) + tm->tm_mday - 1;
	long long secs = days * SECS_PER_DAY + tm->tm_hour * 3600ll + tm->tm_min * 60ll + tm->tm_sec;
	time_t t = (time_t)secs;
	if (!gmtime_r(&t, tm)) {
		errno = EOVERFLOW;
		return (time_t)-1;
	}
	return t;
}
