#!/usr/bin/python3
"""Fits the constants of include/ctnn/kernels/tanh_fast.inc (ctnn's fast scalar float tanh, for microcontrollers).

    /usr/bin/python3 tools/fit_tanh_rational.py [--clamp 7.5]   # needs mpmath (Debian: python3-mpmath); ~1 minute

tanh_fast(x), s = x^2:
    s >= CLAMP^2:  sign(x)
    otherwise:     x + x R(s) / Q(s),  R(s) = s (r0 + r1 s + r2 s^2),  Q(s) = s^3 + q2 s^2 + q1 s + q0 (monic)
14 instructions on a Cortex-M4F (one division). R/Q is the minimax approximation of (tanh(x)/x - 1) / s with the
weight that makes its error the relative error of tanh, on [0, CLAMP^2] (tools/fit_tanh.py's Remez exchange, 50-digit
arithmetic), then scaled so that Q is monic. The clamp trades the approximation's error against the jump
1 - tanh(CLAMP); both are printed in units of 2^-24 (an ulp of a result in [1/2, 1)).
"""
import argparse

import mpmath as mp

from fit_tanh import as_float, minimax


def main():
    cli = argparse.ArgumentParser(description="Fit tanh_fast's constants (default: the clamp in use).")
    cli.add_argument("--clamp", default="7.5")
    clamp = mp.mpf(cli.parse_args().clamp)
    ulp = mp.mpf(2) ** -24

    def g(s):  # (tanh(x) / x - 1) / s, x = sqrt s
        if s < mp.mpf("1e-40"):
            return mp.mpf(-1) / 3
        x = mp.sqrt(s)
        return (mp.tanh(x) / x - 1) / s

    def weight(s):  # |x s| / tanh|x|: turns an error of R/Q into a relative error of tanh
        x = mp.sqrt(s)
        return mp.mpf(0) if s == 0 else s * x / mp.tanh(x)

    r, q, e = minimax(g, weight, mp.mpf(0), clamp * clamp, 2, 3)
    lead = q[3]
    print(f"// |x| < {clamp}: relative error {mp.nstr(e / ulp, 3)} x 2^-24 (exact arithmetic); "
          f"1 - tanh({clamp}) = {mp.nstr((1 - mp.tanh(clamp)) / ulp, 3)} x 2^-24")
    print("r0, r1, r2 = " + ", ".join(as_float(v / lead) for v in r))
    print("q0, q1, q2 = " + ", ".join(as_float(v / lead) for v in q[:3]))


if __name__ == "__main__":
    main()
