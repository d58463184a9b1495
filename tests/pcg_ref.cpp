// pcg_ref: reference PCG64 outputs from the C++ pcg library, for test_rng.
//
// Usage: pcg_ref [-t] N INITSTATE INITSEQ [DELTA]
//
// Prints N outputs of pcg64 rng(INITSTATE, INITSEQ), after
// rng.advance(DELTA) if given. Numbers are decimal or 0x-hex and may be
// 128-bit (so DELTA can be path << 64). Output is raw native-endian
// uint64_t words, or with -t one 0x-hex value per line.
#include <pcg_random.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

typedef pcg_extras::pcg128_t u128;

// strtoull stops at 64 bits, and the point here is 128-bit arguments.
static bool parse_u128(const char *s, u128 *out)
{
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    u128 v = 0;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = unsigned(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = unsigned(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = unsigned(*s - 'A' + 10);
        else
            return false;
        u128 next = v * base + d;
        if ((next - d) / base != v)
            return false;   // overflow
        v = next;
    }
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    bool text = argc > 1 && std::strcmp(argv[1], "-t") == 0;
    int a = text ? 2 : 1;
    u128 n, initstate, initseq, delta = 0;
    if (argc - a < 3 || argc - a > 4 || !parse_u128(argv[a], &n)
        || !parse_u128(argv[a + 1], &initstate) || !parse_u128(argv[a + 2], &initseq)
        || (argc - a == 4 && !parse_u128(argv[a + 3], &delta))) {
        std::fprintf(stderr, "usage: pcg_ref [-t] N INITSTATE INITSEQ [DELTA]\n");
        return 2;
    }

    pcg64 rng(initstate, initseq);
    rng.advance(delta);

    uint64_t buf[4096];
    size_t fill = 0;
    for (u128 i = 0; i < n; i++) {
        uint64_t x = rng();
        if (text) {
            std::printf("0x%016llx\n", (unsigned long long)x);
            continue;
        }
        buf[fill++] = x;
        if (fill == sizeof buf / sizeof buf[0] || i + 1 == n) {
            if (std::fwrite(buf, sizeof buf[0], fill, stdout) != fill)
                return 1;
            fill = 0;
        }
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}
