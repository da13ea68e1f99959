/* Number formatting for kit.h, in integers and float only (no printf, no doubles). */
#include "kit.h"

void kit_put_uint(uint32_t v) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (n > 0) kit_putc(digits[--n]);
}

void kit_put_int(int32_t v) {
    if (v < 0) {
        kit_putc('-');
        kit_put_uint(0u - (uint32_t)v);  /* also right for INT32_MIN */
    } else {
        kit_put_uint((uint32_t)v);
    }
}

/* 10^(2^k) for k = 0..5: scaling by a product of at most six of them keeps the error to a few ulps. */
static const float powers[6] = {1e1f, 1e2f, 1e4f, 1e8f, 1e16f, 1e32f};

/* v * 10^e for |e| < 64, in float. */
static float scale10(float v, int e) {
    const int negative = e < 0;
    unsigned m = (unsigned)(negative ? -e : e);
    for (int k = 0; m != 0; ++k, m >>= 1)
        if (m & 1u) v = negative ? v / powers[k] : v * powers[k];
    return v;
}

void kit_put_float(float v) {
    if (v != v) {
        kit_puts("nan");
        return;
    }
    if (v < 0.0f || (v == 0.0f && 1.0f / v < 0.0f)) {
        kit_putc('-');
        v = -v;
    }
    if (v > 3.4028235e38f) {
        kit_puts("inf");
        return;
    }
    if (v == 0.0f) {
        kit_putc('0');
        return;
    }
    /* Decimal exponent e with 10^e <= v < 10^(e+1); subnormals first scaled up so that 10^-e stays finite. */
    int bias = 0;
    if (v < 1e-30f) {
        v *= 1e10f;
        bias = -10;
    }
    int e = 0;
    while (scale10(1.0f, e + 1) <= v) ++e;
    while (scale10(1.0f, e) > v) --e;
    /* 7 significant digits as an integer in [10^6, 10^7); rounding may carry to 10^7. */
    uint32_t digits = (uint32_t)(scale10(v, 6 - e) + 0.5f);
    if (digits >= 10000000u) {
        digits /= 10u;
        ++e;
    }
    e += bias;
    char text[7];
    for (int k = 6; k >= 0; --k) {
        text[k] = (char)('0' + digits % 10u);
        digits /= 10u;
    }
    int last = 6;  /* trailing zeros are not printed */
    while (last > 0 && text[last] == '0') --last;
    if (e >= -4 && e < 7) {  /* plain notation, like %g */
        if (e < 0) {
            kit_puts("0.");
            for (int k = -1; k > e; --k) kit_putc('0');
            for (int k = 0; k <= last; ++k) kit_putc(text[k]);
        } else {
            for (int k = 0; k <= e; ++k) kit_putc(text[k]);
            if (last > e) {
                kit_putc('.');
                for (int k = e + 1; k <= last; ++k) kit_putc(text[k]);
            }
        }
    } else {
        kit_putc(text[0]);
        if (last > 0) {
            kit_putc('.');
            for (int k = 1; k <= last; ++k) kit_putc(text[k]);
        }
        kit_putc('e');
        kit_putc(e < 0 ? '-' : '+');
        const int a = e < 0 ? -e : e;
        kit_putc((char)('0' + a / 10));
        kit_putc((char)('0' + a % 10));
    }
}
