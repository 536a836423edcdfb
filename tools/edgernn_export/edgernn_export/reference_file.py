"""The NAME.expected.json format of the EdgeRnn reference vectors (tools/README.md, "NAME.expected.json").

Every float is the repr of a float32 value widened to a Python float, so parsing it gives exactly that float32.
Keys keep the order they are given in.
"""
import json

import numpy as np


def fnum(v):
    """Shortest repr of a float32 value converted to a Python float (exact when parsed)."""
    f = float(np.float32(v))
    if not np.isfinite(f):
        raise ValueError("non-finite value %r" % f)
    return repr(f)


def flist(a):
    return "[" + ",".join(fnum(v) for v in np.asarray(a, dtype=np.float32).ravel()) + "]"


def expected_text(fields):
    """fields: an ordered mapping; numpy arrays become float32 lists, Python floats float32 numbers."""
    parts = []
    for k, v in fields.items():
        if isinstance(v, np.ndarray):
            s = flist(v)
        elif isinstance(v, float):
            s = fnum(v)
        else:
            s = json.dumps(v)
        parts.append("  %s: %s" % (json.dumps(k), s))
    return "{\n" + ",\n".join(parts) + "\n}\n"
