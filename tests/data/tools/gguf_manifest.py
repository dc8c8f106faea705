#!/usr/bin/env python3
"""Write a compact manifest of a GGUF file: whole-file sha256, every metadata key/value,
and per tensor its name, type, shape, offset, byte count and sha256.

Usage: gguf_manifest.py FILE.gguf [OUT.json]

Standard library only (no gguf-py): the GGUF v2/v3 layout is read directly. Arrays are
written as element type, length and the sha256 of their serialized elements (as stored in
the file, little-endian), plus the values themselves when they are numbers and the array is
short (<= 64 elements). Strings and scalars are written as they are.
"""
import hashlib
import json
import struct
import sys

# ggml type id -> (name, block size in elements, bytes per block)
GGML_TYPES = {
    0: ("F32", 1, 4), 1: ("F16", 1, 2), 2: ("Q4_0", 32, 18), 3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22), 7: ("Q5_1", 32, 24), 8: ("Q8_0", 32, 34), 9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84), 11: ("Q3_K", 256, 110), 12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176), 14: ("Q6_K", 256, 210), 15: ("Q8_K", 256, 292),
    20: ("IQ4_NL", 32, 18), 23: ("IQ4_XS", 256, 136), 24: ("I8", 1, 1), 25: ("I16", 1, 2),
    26: ("I32", 1, 4), 27: ("I64", 1, 8), 28: ("F64", 1, 8), 30: ("BF16", 1, 2),
}
# GGUF value type id -> (name, struct format or None)
VALUE_TYPES = {
    0: ("UINT8", "<B"), 1: ("INT8", "<b"), 2: ("UINT16", "<H"), 3: ("INT16", "<h"),
    4: ("UINT32", "<I"), 5: ("INT32", "<i"), 6: ("FLOAT32", "<f"), 7: ("BOOL", "<?"),
    8: ("STRING", None), 9: ("ARRAY", None), 10: ("UINT64", "<Q"), 11: ("INT64", "<q"),
    12: ("FLOAT64", "<d"),
}


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated at byte %d" % self.pos)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self):
        return self.take(self.unpack("<Q")).decode("utf-8")


def read_value(r, vtype):
    name, fmt = VALUE_TYPES[vtype]
    if fmt:
        v = r.unpack(fmt)
        return float(v) if name.startswith("FLOAT") else v
    if name == "STRING":
        return r.string()
    etype = r.unpack("<I")
    n = r.unpack("<Q")
    start = r.pos
    items = [read_value(r, etype) for _ in range(n)]
    raw = r.data[start:r.pos]
    out = {"element_type": VALUE_TYPES[etype][0], "length": n, "sha256": hashlib.sha256(raw).hexdigest()}
    if n <= 64 and VALUE_TYPES[etype][1]:
        out["values"] = items
    return out


def manifest(path):
    with open(path, "rb") as f:
        data = f.read()
    r = Reader(data)
    if r.take(4) != b"GGUF":
        raise ValueError("not a GGUF file")
    version = r.unpack("<I")
    n_tensors = r.unpack("<Q")
    n_kv = r.unpack("<Q")
    kv = []
    alignment = 32
    for _ in range(n_kv):
        key = r.string()
        vtype = r.unpack("<I")
        value = read_value(r, vtype)
        if key == "general.alignment":
            alignment = value
        kv.append({"key": key, "type": VALUE_TYPES[vtype][0], "value": value})
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        n_dims = r.unpack("<I")
        dims = [r.unpack("<Q") for _ in range(n_dims)]
        ttype = r.unpack("<I")
        offset = r.unpack("<Q")
        infos.append((name, dims, ttype, offset))
    data_offset = (r.pos + alignment - 1) // alignment * alignment
    tensors = []
    for name, dims, ttype, offset in infos:
        tname, block, block_bytes = GGML_TYPES[ttype]
        elements = 1
        for d in dims:
            elements *= d
        nbytes = elements // block * block_bytes
        start = data_offset + offset
        tensors.append({"name": name, "type": tname, "shape": dims, "offset": offset, "bytes": nbytes,
                        "sha256": hashlib.sha256(data[start:start + nbytes]).hexdigest()})
    return {
        "file": path.rsplit("/", 1)[-1],
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "version": version,
        "alignment": alignment,
        "data_offset": data_offset,
        "header_sha256": hashlib.sha256(data[:data_offset]).hexdigest(),
        "metadata": kv,
        "tensors": tensors,
    }


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    text = json.dumps(manifest(sys.argv[1]), indent=1, ensure_ascii=False) + "\n"
    if len(sys.argv) == 3:
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
