/* date: proleptic Gregorian civil dates as day numbers (days since 1970-01-01). */
#ifndef HP_DATE_H
#define HP_DATE_H

#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (no validation). */
int32_t hp_days_from_civil(int y, int m, int d);
/* Inverse of hp_days_from_civil. */
void hp_civil_from_days(int32_t z, int *y, int *m, int *d);
/* Parses "YYYY-MM-DD" into a day number; returns 0 on success, -1 if the
 * text is malformed or not a real date (2026-02-30). */
int hp_date_parse(const char *s, int32_t *days);
/* Formats a day number as "YYYY-MM-DD" into buf (at least 11 bytes). */
void hp_date_format(int32_t days, char *buf);

#endif
