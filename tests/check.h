/* check.h - the tiny harness every C unit test uses.
 *
 * Each check prints one line, "ok - NAME" or "not ok - NAME: detail", which
 * tests/run.sh counts. A test program returns check_exit(): non-zero when any
 * check failed. Checks compare against something independent (a formula, a
 * known value) with the tolerance stated in the call. */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int check_failed_count;

__attribute__((format(printf, 3, 4), unused))
static int check(int cond, const char *name, const char *detail_fmt, ...)
{
    if (cond) {
        printf("ok - %s\n", name);
    } else {
        va_list ap;
        printf("not ok - %s: ", name);
        va_start(ap, detail_fmt);
        vprintf(detail_fmt, ap);
        va_end(ap);
        printf("\n");
        check_failed_count++;
    }
    fflush(stdout);
    return cond;
}

/* |got - want| <= tol */
__attribute__((unused))
static int check_near(double got, double want, double tol, const char *name)
{
    return check(fabs(got - want) <= tol, name, "got %.10g, want %.10g (tolerance %g)", got, want, tol);
}

/* exact integer equality */
__attribute__((unused))
static int check_int(long long got, long long want, const char *name)
{
    return check(got == want, name, "got %lld, want %lld", got, want);
}

__attribute__((unused))
static int check_exit(void) { return check_failed_count ? 1 : 0; }

#endif
