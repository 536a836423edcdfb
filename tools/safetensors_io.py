#!/usr/bin/env python3
"""The safetensors reader/writer of tools/ scripts: it lives in the exporter package
(tools/edgernn_export/edgernn_export/safetensors_io.py); this keeps `from safetensors_io import ...` working.

Self-test:  /usr/bin/python3 tools/safetensors_io.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "edgernn_export"))
from edgernn_export.safetensors_io import *  # noqa: E402,F401,F403
from edgernn_export.safetensors_io import _selftest  # noqa: E402

if __name__ == "__main__":
    _selftest()
