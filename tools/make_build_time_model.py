#!/usr/bin/env python3
"""Writes the model tools/measure_build_time.sh compiles: a 2-layer PyTorch-style LSTM, I = H = 256, float32
(4.2 MB of weights), as big.safetensors + big.edgernn.json in the given directory.

The values are uniform in [-0.0625, 0.0625) from a fixed seed (they only have to be finite; the build time does not
depend on them). Standard library only, so the script runs without NumPy or PyTorch.

    /usr/bin/python3 tools/make_build_time_model.py OUTPUT_DIR [--hidden 256] [--layers 2]
"""

import argparse
import array
import json
import os
import random
import struct
import sys


def tensors(input_size, hidden, layers, rng):
    for layer in range(layers):
        columns = input_size if layer == 0 else hidden
        for name, shape in ((f"weight_ih_l{layer}", [4 * hidden, columns]),
                            (f"weight_hh_l{layer}", [4 * hidden, hidden]),
                            (f"bias_ih_l{layer}", [4 * hidden]),
                            (f"bias_hh_l{layer}", [4 * hidden])):
            count = 1
            for n in shape:
                count *= n
            values = array.array("f", (rng.uniform(-0.0625, 0.0625) for _ in range(count)))
            if sys.byteorder != "little":
                values.byteswap()
            yield "rnn." + name, shape, values.tobytes()


def write_safetensors(path, named):
    header, offset = {}, 0
    for name, shape, data in named:
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, data in named:
            f.write(data)
    return offset


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    rng = random.Random(256)
    size = write_safetensors(os.path.join(args.output, "big.safetensors"),
                             list(tensors(args.hidden, args.hidden, args.layers, rng)))
    manifest = {"format": "edgernn/1", "weights": "big.safetensors", "input": {"size": args.hidden},
                "layers": [{"type": "lstm", "prefix": "rnn", "num_layers": args.layers}]}
    with open(os.path.join(args.output, "big.edgernn.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"{args.output}/big.safetensors: {size / 1e6:.2f} MB of float32 weights")


if __name__ == "__main__":
    main()
