#!/usr/bin/env python3
"""Minimal safetensors writer/reader (no dependency on the `safetensors` package).

File layout (https://github.com/huggingface/safetensors):

    [8 bytes]  N = little-endian u64, length of the JSON header
    [N bytes]  UTF-8 JSON header:
               {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
                ..., "__metadata__": {"format": "pt"}}
               padded with trailing spaces so that 8 + N is a multiple of 8
    [rest]     raw little-endian tensor data; offsets are relative to the start of
               this section, tensors are stored contiguously in header order.

Supported dtypes: F32, F16, BF16. BF16 is the top 16 bits of the float32 bit
pattern, rounded to nearest, ties to even.

Self-test:  /usr/bin/python3 -m edgernn_export.safetensors_io  (from tools/edgernn_export), or tools/safetensors_io.py
"""

import json
import struct
from collections import OrderedDict

import numpy as np

DTYPES = ("F32", "F16", "BF16")
_ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2}


def f32_to_bf16_bits(a):
    """float32 array -> uint16 array of bfloat16 bit patterns (round-to-nearest-even)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    lsb = (bits >> np.uint64(16)) & np.uint64(1)
    rounded = (bits + np.uint64(0x7FFF) + lsb) >> np.uint64(16)
    # NaN must stay NaN (rounding could carry it into an infinity pattern): keep it quiet.
    nan = np.isnan(a)
    rounded = np.where(nan, (bits >> np.uint64(16)) | np.uint64(0x0040), rounded)
    return rounded.astype(np.uint16)


def bf16_bits_to_f32(u):
    """uint16 array of bfloat16 bit patterns -> float32 array (exact)."""
    u = np.ascontiguousarray(u, dtype=np.uint16)
    return (u.astype(np.uint32) << np.uint32(16)).view(np.float32)


def to_storage(a, dtype):
    """Convert a float array to the stored representation of `dtype` (a little-endian numpy array)."""
    a = np.asarray(a)
    if dtype == "F32":
        return np.ascontiguousarray(a, dtype="<f4")
    if dtype == "F16":
        return np.ascontiguousarray(a.astype(np.float32).astype("<f2"))
    if dtype == "BF16":
        return np.ascontiguousarray(f32_to_bf16_bits(a.astype(np.float32)).astype("<u2"))
    raise ValueError("unsupported dtype %r (supported: %s)" % (dtype, ", ".join(DTYPES)))


def quantize(a, dtype):
    """The float32 values that a float array has after a round trip through `dtype`."""
    s = to_storage(a, dtype)
    if dtype == "BF16":
        return bf16_bits_to_f32(s)
    return s.astype(np.float32)


def encode_safetensors(tensors, dtype="F32", metadata=None):
    """Serialize an ordered mapping name -> float array. Returns bytes.

    `dtype` is either one string for all tensors or a mapping name -> dtype.
    Tensors are laid out in the mapping's order.
    """
    if metadata is None:
        metadata = {"format": "pt"}
    header = OrderedDict()
    blobs = []
    offset = 0
    for name, arr in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        dt = dtype[name] if isinstance(dtype, dict) else dtype
        data = to_storage(arr, dt)
        raw = data.tobytes(order="C")
        assert len(raw) == int(np.prod(data.shape, dtype=np.int64)) * _ITEMSIZE[dt]
        header[name] = OrderedDict(
            [("dtype", dt), ("shape", [int(d) for d in data.shape]),
             ("data_offsets", [offset, offset + len(raw)])])
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = OrderedDict((str(k), str(v)) for k, v in metadata.items())
    hjson = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hjson += b" " * ((-(8 + len(hjson))) % 8)
    return struct.pack("<Q", len(hjson)) + hjson + b"".join(blobs)


def write_safetensors(path, tensors, dtype="F32", metadata=None):
    data = encode_safetensors(tensors, dtype, metadata)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def decode_safetensors(data):
    """Parse safetensors bytes. Returns (tensors, dtypes, metadata).

    tensors: OrderedDict name -> float32 numpy array (F16/BF16 widened exactly),
    dtypes:  OrderedDict name -> dtype string as stored.
    Validates the layout strictly (contiguous offsets, sizes, no trailing bytes).
    """
    if len(data) < 8:
        raise ValueError("file too short")
    (n,) = struct.unpack_from("<Q", data, 0)
    if 8 + n > len(data):
        raise ValueError("header length %d exceeds file size" % n)
    header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    body = memoryview(data)[8 + n:]
    metadata = header.pop("__metadata__", None)
    tensors, dtypes = OrderedDict(), OrderedDict()
    expected_begin = 0
    for name, info in header.items():
        dt = info["dtype"]
        if dt not in _ITEMSIZE:
            raise ValueError("%s: unsupported dtype %r" % (name, dt))
        shape = tuple(int(d) for d in info["shape"])
        begin, end = (int(x) for x in info["data_offsets"])
        count = int(np.prod(shape, dtype=np.int64))
        if begin != expected_begin or end - begin != count * _ITEMSIZE[dt] or end > len(body):
            raise ValueError("%s: bad data_offsets %r" % (name, info["data_offsets"]))
        expected_begin = end
        raw = bytes(body[begin:end])
        if dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        else:
            arr = bf16_bits_to_f32(np.frombuffer(raw, dtype="<u2"))
        tensors[name] = arr.reshape(shape)
        dtypes[name] = dt
    if expected_begin != len(body):
        raise ValueError("%d trailing bytes after the last tensor" % (len(body) - expected_begin))
    return tensors, dtypes, metadata


def read_safetensors(path):
    with open(path, "rb") as f:
        return decode_safetensors(f.read())


def _selftest():
    rng = np.random.default_rng(0)
    t = OrderedDict([("a.weight", rng.standard_normal((3, 5)).astype(np.float32)),
                     ("a.bias", rng.standard_normal(5).astype(np.float32))])
    for dt in DTYPES:
        blob = encode_safetensors(t, dt)
        (n,) = struct.unpack_from("<Q", blob, 0)
        assert (8 + n) % 8 == 0
        back, dts, meta = decode_safetensors(blob)
        assert list(back) == list(t) and meta == {"format": "pt"}
        for k in t:
            assert dts[k] == dt
            assert np.array_equal(back[k], quantize(t[k], dt))
    # BF16 rounding: ties to even, carries, specials
    x = np.array([1.0, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 1.0 + 2.0 ** -8 + 2.0 ** -20,
                  -2.5, np.inf, -np.inf, 0.0, -0.0, 3.4028235e38], dtype=np.float32)
    got = bf16_bits_to_f32(f32_to_bf16_bits(x))
    want = np.array([1.0, 1.0, 1.0 + 4 * 2.0 ** -8, 1.0 + 2.0 ** -7, -2.5, np.inf, -np.inf,
                     0.0, -0.0, np.inf], dtype=np.float32)
    assert np.array_equal(got, want), (got, want)
    assert np.isnan(bf16_bits_to_f32(f32_to_bf16_bits(np.array([np.nan], np.float32))))[0]
    print("safetensors_io self-test OK")


if __name__ == "__main__":
    _selftest()
