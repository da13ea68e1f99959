#!/usr/bin/python3
"""Fits the constants of include/ctnn/kernels/tanh_approx.inc (float tanh for SIMD batches).

    /usr/bin/python3 tools/fit_tanh.py        # needs mpmath (Debian: python3-mpmath); about two minutes

tanh_approx(x), a = |x|, evaluates two pieces and keeps one per lane:

  a <  C1: tanh a = a + a^3 P(a^2)          P: degree-3 polynomial, minimax of the relative error of tanh
  a >= C1: tanh a = 1 - U(b) / V(b),        U/V: degree 5 over degree 6 (V(0) = 1), minimax of the absolute
           b = min(a, CLAMP)                error of h(b) = 1 - tanh b = 2 / (1 + e^(2b)) on [C1, CLAMP]

The second piece is "1 - small": the rounding errors of U, V and the quotient are scaled by h <= 1 - tanh C1
(0.46), and only the last subtraction rounds at the size of the result. tanh C1 > 1/2 keeps the absolute
error that h contributes below one ulp of the result. Beyond CLAMP, 1 - U/V rounds to 1 (tanh 9.5 is
1 - 1.1e-8, below half an ulp of 1).

Both fits are minimax in 50-digit arithmetic (mpmath): a linearised least-squares start (Sanathanan-Koerner),
then Remez exchange on the equioscillation equations solved by Newton's method. The printed constants are the
fitted values rounded to float; the errors printed here are those of the exact-arithmetic approximations in
units of 2^-24 (one ulp of a result in [1/2, 1)). The error of the float code, measured over all 2^32 inputs, is
in docs/activations.md (tools/tanh_exhaustive.cpp).
"""
import argparse

import mpmath as mp

mp.mp.dps = 50

C1 = mp.mpf("0.6")
CLAMP = mp.mpf("9.5")
SMALL_DEGREE = 3          # P
LARGE_DEGREES = (5, 6)    # U, V


def chebyshev_points(lo, hi, n):
    return [lo + (hi - lo) * (1 - mp.cos(mp.pi * (i + mp.mpf(1) / 2) / n)) / 2 for i in range(n)]


def least_squares_start(f, w, lo, hi, n, m, points=300, iterations=12):
    """Sanathanan-Koerner: repeated weighted linear least squares for P - f Q = 0, weights w / |Q_previous|."""
    xs = chebyshev_points(lo, hi, points)
    fx = [f(v) for v in xs]
    wx = [w(v) for v in xs]
    q_prev = [mp.mpf(1)] * points
    for _ in range(iterations):
        a = mp.matrix(points, n + 1 + m)
        b = mp.matrix(points, 1)
        for r, v in enumerate(xs):
            k = wx[r] / q_prev[r]
            for i in range(n + 1):
                a[r, i] = k * v**i
            for j in range(m):
                a[r, n + 1 + j] = -k * fx[r] * v ** (j + 1)
            b[r] = k * fx[r]
        c = mp.qr_solve(a, b)[0]
        c = [c[i] for i in range(n + 1 + m)]
        q_prev = [abs(mp.polyval(([mp.mpf(1)] + c[n + 1:])[::-1], v)) for v in xs]
    return c


def minimax(f, w, lo, hi, n, m, grid=3000, iterations=40):
    """Minimax of w(v) (P(v)/Q(v) - f(v)) on [lo, hi], deg P = n, deg Q = m, Q(0) = 1. Returns (P, Q, error)."""
    k = n + m + 2  # reference points: n + 1 + m unknowns and the levelled error

    def split(c):
        return list(c[: n + 1]), [mp.mpf(1)] + list(c[n + 1 : n + 1 + m])

    def err(c, v):
        p, q = split(c)
        return w(v) * (mp.polyval(p[::-1], v) / mp.polyval(q[::-1], v) - f(v))

    xs = [lo + (hi - lo) * (1 - mp.cos(mp.pi * i / grid)) / 2 for i in range(grid + 1)]

    def extrema(c):
        es = [err(c, v) for v in xs]
        found = []
        for i, e in enumerate(es):
            left = abs(es[i - 1]) if i > 0 else -1
            right = abs(es[i + 1]) if i + 1 < len(es) else -1
            if e != 0 and abs(e) >= left and abs(e) >= right:
                found.append((xs[i], e))
        alternating = []
        for v, e in found:
            if alternating and mp.sign(alternating[-1][1]) == mp.sign(e):
                if abs(e) > abs(alternating[-1][1]):
                    alternating[-1] = (v, e)
            else:
                alternating.append((v, e))
        while len(alternating) > k:
            alternating.pop(0 if abs(alternating[0][1]) < abs(alternating[-1][1]) else -1)
        return alternating, max(abs(e) for e in es)

    c = least_squares_start(f, w, lo, hi, n, m)
    alternating, worst = extrema(c)
    best = (c, worst)
    for _ in range(iterations):
        if len(alternating) < k:
            break
        ref = [v for v, _ in alternating]
        level = sum(abs(e) for _, e in alternating) / k * mp.sign(alternating[0][1])

        def equations(*u):
            return [err(u[:-1], ref[i]) - (-1) ** i * u[-1] for i in range(k)]

        solution = mp.findroot(equations, list(c) + [level], tol=mp.mpf(10) ** -35, maxsteps=50, verify=False)
        c = [solution[i] for i in range(n + 1 + m)]
        alternating, worst = extrema(c)
        if worst < best[1]:
            best = (c, worst)
        if abs(worst - abs(solution[n + 1 + m])) / worst < mp.mpf("1e-4"):
            break
    p, q = split(best[0])
    return p, q, best[1]


def as_float(v):
    """v rounded to float (round to nearest even), printed so that it reads back as that float."""
    x = mp.mpf(v)
    if x == 0:
        return "0.0f"
    e = int(mp.floor(mp.log(abs(x), 2)))
    scale = mp.mpf(2) ** (23 - e)
    r = mp.nint(x * scale) / scale  # mp.nint rounds half to even
    return mp.nstr(r, 9, strip_zeros=False, min_fixed=-30, max_fixed=30) + "f"


def main():
    global C1, CLAMP, SMALL_DEGREE, LARGE_DEGREES
    cli = argparse.ArgumentParser(description="Fit tanh_approx's constants (defaults: the ones in use).")
    cli.add_argument("--c1", default=str(C1), help="split point between the pieces")
    cli.add_argument("--clamp", default=str(CLAMP))
    cli.add_argument("--small-degree", type=int, default=SMALL_DEGREE)
    cli.add_argument("--large-degrees", default="%d/%d" % LARGE_DEGREES, help="degrees of U and V, e.g. 5/6")
    args = cli.parse_args()
    C1, CLAMP, SMALL_DEGREE = mp.mpf(args.c1), mp.mpf(args.clamp), args.small_degree
    LARGE_DEGREES = tuple(int(d) for d in args.large_degrees.split("/"))
    ulp = mp.mpf(2) ** -24

    def g(s):  # (tanh a - a) / a^3, a = sqrt s
        a = mp.sqrt(s)
        return mp.mpf(-1) / 3 if s == 0 else (mp.tanh(a) - a) / (a * s)

    def g_weight(s):  # error of a^3 P relative to tanh a
        a = mp.sqrt(s)
        return mp.mpf(0) if s == 0 else a * s / mp.tanh(a)

    p, _, e_small = minimax(g, g_weight, mp.mpf(0), C1 * C1, SMALL_DEGREE, 0)
    print(f"// a < {C1}: relative error {mp.nstr(e_small / ulp, 3)} x 2^-24")
    print("P = {" + ", ".join(as_float(v) for v in p) + "}   // P(s) = P[0] + P[1] s + ...")

    def h(b):
        return 2 / (1 + mp.exp(2 * b))

    u, v, e_large = minimax(h, lambda b: 1, C1, CLAMP, *LARGE_DEGREES)
    print(f"// a in [{C1}, {CLAMP}]: absolute error of 1 - U/V {mp.nstr(e_large / ulp, 3)} x 2^-24")
    print("U = {" + ", ".join(as_float(x) for x in u) + "}")
    print("V = {" + ", ".join(as_float(x) for x in v) + "}")


if __name__ == "__main__":
    main()
