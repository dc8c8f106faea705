#pragma once
// Packed ggml block layouts, byte for byte as ggml stores them in GGUF tensor data
// (source: ggml-org/ggml src/ggml-common.h; ../shared/reference/formats.md 3.1-3.4).
// All multi-byte fields are little-endian; "f16" is an IEEE binary16 bit pattern.
//
//   type    elems bytes  layout (in order)
//   Q4_0     32    18    d:f16 | qs[16]           x = d*(q-8); qs[j] lo nibble = elem j, hi = elem j+16
//   Q4_1     32    20    d:f16 m:f16 | qs[16]     x = d*q + m
//   Q5_0     32    22    d:f16 | qh[4] | qs[16]   x = d*(q-16); bit 4 of elem e is bit e of u32 qh
//   Q5_1     32    24    d:f16 m:f16 | qh[4] | qs[16]  x = d*q + m
//   Q8_0     32    34    d:f16 | qs[32]:i8        x = d*q
//   Q8_1     32    36    d:f16 s:f16 | qs[32]:i8  s = d*sum(q) (activations only)
//   Q2_K    256    84    scales[16] | qs[64] | d:f16 dmin:f16
//   Q3_K    256   110    hmask[32] | qs[64] | scales[12] | d:f16
//   Q4_K    256   144    d:f16 dmin:f16 | scales[12] | qs[128]
//   Q5_K    256   176    d:f16 dmin:f16 | scales[12] | qh[32] | qs[128]
//   Q6_K    256   210    ql[128] | qh[64] | scales[16]:i8 | d:f16
//   Q8_K    256   292    d:f32 | qs[256]:i8 | bsums[16]:i16 (activations only)
//   IQ4_NL   32    18    d:f16 | qs[16]           x = d*kvalues[q]
//   IQ4_XS  256   136    d:f16 scales_h:u16 | scales_l[4] | qs[128]
//
// The bit-level details of each K-quant / IQ4 field are documented in the header of the unit
// that packs it (q2_k.h ... iq4_xs.h). The structs only need the alignment of their widest
// field (2 bytes; 4 for Q8_K): pointers handed to the kernels must honour that.

#include <cstdint>

namespace condense::quant {

constexpr int kQK = 32;   // elements per legacy / IQ4_NL block
constexpr int kQKK = 256; // elements per K-quant super-block

struct BlockQ4_0 {
    std::uint16_t d;
    std::uint8_t qs[kQK / 2];
};
struct BlockQ4_1 {
    std::uint16_t d;
    std::uint16_t m;
    std::uint8_t qs[kQK / 2];
};
struct BlockQ5_0 {
    std::uint16_t d;
    std::uint8_t qh[4];
    std::uint8_t qs[kQK / 2];
};
struct BlockQ5_1 {
    std::uint16_t d;
    std::uint16_t m;
    std::uint8_t qh[4];
    std::uint8_t qs[kQK / 2];
};
struct BlockQ8_0 {
    std::uint16_t d;
    std::int8_t qs[kQK];
};
struct BlockQ8_1 {
    std::uint16_t d;
    std::uint16_t s;
    std::int8_t qs[kQK];
};
struct BlockQ2_K {
    std::uint8_t scales[kQKK / 16]; // lo nibble: scale code, hi nibble: min code
    std::uint8_t qs[kQKK / 4];
    std::uint16_t d;
    std::uint16_t dmin;
};
struct BlockQ3_K {
    std::uint8_t hmask[kQKK / 8];
    std::uint8_t qs[kQKK / 4];
    std::uint8_t scales[12];
    std::uint16_t d;
};
struct BlockQ4_K {
    std::uint16_t d;
    std::uint16_t dmin;
    std::uint8_t scales[12];
    std::uint8_t qs[kQKK / 2];
};
struct BlockQ5_K {
    std::uint16_t d;
    std::uint16_t dmin;
    std::uint8_t scales[12];
    std::uint8_t qh[kQKK / 8];
    std::uint8_t qs[kQKK / 2];
};
struct BlockQ6_K {
    std::uint8_t ql[kQKK / 2];
    std::uint8_t qh[kQKK / 4];
    std::int8_t scales[kQKK / 16];
    std::uint16_t d;
};
struct BlockQ8_K {
    float d;
    std::int8_t qs[kQKK];
    std::int16_t bsums[kQKK / 16];
};
struct BlockIQ4_NL {
    std::uint16_t d;
    std::uint8_t qs[kQK / 2];
};
struct BlockIQ4_XS {
    std::uint16_t d;
    std::uint16_t scalesH;
    std::uint8_t scalesL[kQKK / 64];
    std::uint8_t qs[kQKK / 2];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockIQ4_XS) == 136);

} // namespace condense::quant
