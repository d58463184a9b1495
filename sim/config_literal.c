/* config_literal: re-reading integer literals from the config text.
 *
 * libconfig 1.5 reads an integer literal without L through atoi (hex
 * through strtoul), so 3000000000 arrives as -1294967296 with no error.
 * The text still says what was meant: this finds a setting's literal there
 * and compares. */
#include "config_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Skips blanks and libconfig comments (#, //, C style). */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (*p != '\0' && isspace((unsigned char)*p))
            p++;
        if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
            while (*p != '\0' && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* Skips one quoted string, escapes included. */
static const char *skip_string(const char *p)
{
    for (p++; *p != '\0' && *p != '"'; p++)
        if (*p == '\\' && p[1] != '\0')
            p++;
    return *p ? p + 1 : p;
}

/* Skips one list element: a string, a bracketed aggregate or a scalar. */
static const char *skip_elem(const char *p)
{
    int depth = 0;
    while (*p != '\0') {
        if (*p == '"') {
            p = skip_string(p);
            continue;
        }
        if (*p == '[' || *p == '(' || *p == '{') {
            depth++;
        } else if (*p == ']' || *p == ')' || *p == '}') {
            if (depth-- == 0)
                return p;
        } else if (depth == 0 && (*p == ',' || *p == ';' || *p == '#' || *p == '/' ||
                                  isspace((unsigned char)*p))) {
            return p;
        }
        p++;
    }
    return p;
}

/* After a setting's name: the start of its value, or of element idx. */
static const char *value_at(const char *p, int idx)
{
    p = skip_blank(p);
    if (*p != '=' && *p != ':')
        return NULL;
    p = skip_blank(p + 1);
    if (idx < 0)
        return p;
    if (*p != '[' && *p != '(')
        return NULL;
    p = skip_blank(p + 1);
    for (int k = 0; k < idx; k++) {
        p = skip_blank(skip_elem(p));
        if (*p != ',')
            return NULL;
        p = skip_blank(p + 1);
    }
    return p;
}

/* Length of an integer literal: [-+]digits or 0xhex, L suffix excluded. */
static size_t int_token(const char *p)
{
    size_t n = (*p == '-' || *p == '+');
    if (p[n] == '0' && (p[n + 1] == 'x' || p[n + 1] == 'X')) {
        size_t start = n += 2;
        while (isxdigit((unsigned char)p[n]))
            n++;
        return n > start ? n : 0;
    }
    size_t start = n;
    while (isdigit((unsigned char)p[n]))
        n++;
    return n > start ? n : 0;
}

/* The literal written for one setting, as libconfig 1.5 read it. */
typedef struct literal {
    char text[64];             /* as written, without the L suffix */
    long long value;           /* its value, saturated on overflow */
    int overflow64;            /* the text does not fit 64 bits    */
} literal;

/* Reads the integer literal at v into lit; true if libconfig's value
 * (`parsed`, a 32-bit int unless is64) can have come from it. libconfig
 * 1.5 reads decimals with atoi and hex with strtoul, both cut to 32 bits. */
static int literal_matches(const char *v, long long parsed, int is64, literal *lit)
{
    size_t n = int_token(v);
    if (n == 0 || n >= sizeof lit->text)
        return 0;
    memcpy(lit->text, v, n);
    lit->text[n] = '\0';
    const char *digits = lit->text + (v[0] == '-' || v[0] == '+');
    int base = (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) ? 16 : 10;
    errno = 0;
    lit->value = strtoll(lit->text, NULL, base);
    lit->overflow64 = errno == ERANGE;
    if (is64)
        return lit->value == parsed;
    return (int32_t)(uint32_t)(unsigned long long)lit->value == parsed;
}

/* Finds, among the "name = ..." written on `line`, the integer literal that
 * gave libconfig's value. Several may share a line ("a = {x = 1;}; b = {x =
 * 2;};"): the one whose value wraps to what libconfig kept is the one. */
static int find_literal(const char *text, int line, const char *name, int idx,
                        long long parsed, int is64, literal *lit)
{
    const char *p = text;
    size_t len = strlen(name);
    for (int l = 1; l < line; l++) {
        p = strchr(p, '\n');
        if (p == NULL)
            return 0;
        p++;
    }
    while (*p != '\0' && *p != '\n') {
        if (*p == '#' || (p[0] == '/' && p[1] == '/'))
            return 0;
        if (p[0] == '/' && p[1] == '*') {
            p = skip_blank(p);
            continue;
        }
        if (*p == '"') {
            p = skip_string(p);
            continue;
        }
        size_t n = cfg_name_len(p);
        if (n == 0) {
            p++;
            continue;
        }
        const char *v = (n == len && memcmp(p, name, n) == 0) ? value_at(p + n, idx) : NULL;
        if (v && literal_matches(v, parsed, is64, lit))
            return 1;
        p += n;
    }
    return 0;
}

/* libconfig 1.5 reads an integer literal without L through atoi, so
 * 3000000000 arrives as -1294967296 with no error. The text still says what
 * was meant: find this setting's literal there and compare. */
int cfg_check_int(loader *L, const origin *o, const char *key, const config_setting_t *s,
                     const char *what)
{
    const config_setting_t *named = config_setting_name(s) ? s : config_setting_parent(s);
    int idx = config_setting_name(s) ? -1 : config_setting_index(s);
    int is64 = config_setting_type(s) == CONFIG_TYPE_INT64;
    literal lit;
    if (o->text == NULL || named == NULL || config_setting_name(named) == NULL ||
        !find_literal(o->text, (int)config_setting_source_line(named),
                      config_setting_name(named), idx, config_setting_get_int64(s), is64, &lit))
        return 0;
    if (lit.overflow64)
        return hp_fail(L->err, o->file, o->line, key, "%sinteger %s overflows 64 bits", what,
                       lit.text);
    if (!is64 && lit.value != config_setting_get_int64(s))
        return hp_fail(L->err, o->file, o->line, key,
                       "%sinteger %s overflows 32 bits; write %sL", what, lit.text, lit.text);
    return 0;
}
