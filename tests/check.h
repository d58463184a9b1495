/* check: the few assertion macros the C tests share.
 * A failing CHECK prints file:line and the expression and counts a failure;
 * a test's main() returns CHECK_DONE() (non-zero if anything failed). */
#ifndef HP_CHECK_H
#define HP_CHECK_H

#include <math.h>
#include <stdio.h>

/* One pair of counters per test program, however many of its files use
 * CHECK: weak definitions link to one (a static pair per file would leave
 * a helper file's checks, and failures, out of CHECK_DONE). */
__attribute__((weak)) int check_failures = 0;
__attribute__((weak)) int check_count = 0;

#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_MSG(cond, ...) do { check_count++; if (!(cond)) { check_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol) do { double a_ = (a), b_ = (b), t_ = (tol); check_count++; \
    if (!(fabs(a_ - b_) <= t_)) { check_failures++; \
    fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.17g, %s = %.17g, tol %.3g\n", \
            __FILE__, __LINE__, #a, a_, #b, b_, t_); } } while (0)

/* |a - b| <= rel * max(|a|, |b|) */
#define CHECK_REL(a, b, rel) do { double a_ = (a), b_ = (b), r_ = (rel); check_count++; \
    double m_ = fabs(a_) > fabs(b_) ? fabs(a_) : fabs(b_); \
    if (!(fabs(a_ - b_) <= r_ * m_)) { check_failures++; \
    fprintf(stderr, "%s:%d: CHECK_REL failed: %s = %.17g, %s = %.17g, rel %.3g\n", \
            __FILE__, __LINE__, #a, a_, #b, b_, r_); } } while (0)

#define CHECK_DONE() (printf("%d checks, %d failed\n", check_count, check_failures), \
                      check_failures != 0)

#endif
