/* date: civil dates <-> day numbers (H. Hinnant's algorithms). */
#include "date.h"

#include <stdio.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int32_t hp_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

/* Year, month, day of a day number. */
void hp_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)yoe + era * 400 + (*m <= 2);
}

/* Strict "YYYY-MM-DD": round-tripping rejects 2026-02-30 and friends. */
int hp_date_parse(const char *s, int32_t *days)
{
    int y, m, d, n = 0;
    if (s == NULL || strlen(s) != 10 ||
        sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200)
        return -1;
    int32_t z = hp_days_from_civil(y, m, d);
    int y2, m2, d2;
    hp_civil_from_days(z, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return -1;
    *days = z;
    return 0;
}

/* "YYYY-MM-DD" of a day number. */
void hp_date_format(int32_t days, char *buf)
{
    int y, m, d;
    hp_civil_from_days(days, &y, &m, &d);
    /* The modulo bounds every field so the compiler can prove the
     * 10 characters fit; day numbers beyond year 9999 are never produced. */
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u);
}
