#include "core/model/weight_unpack.h"

#include <cstring>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

namespace condense::model::kernels {

namespace {

using namespace condense::quant;

void finishSums(UnpackedSuperBlock& u, int groups)
{
    const int size = 256 / groups;
    for (int g = 0; g < groups; ++g) {
        int s = 0;
        for (int i = 0; i < size; ++i) s += u.w[g * size + i];
        u.negSum[g] = -128 * s;
    }
    for (int g = groups; g < 16; ++g) {
        u.negSum[g] = 0;
        u.scale[g] = 0;
    }
}

void unpackQ4_K(const BlockQ4_K& b, UnpackedSuperBlock& u)
{
    u.d = fp16ToFp32(b.d);
    u.dmin = fp16ToFp32(b.dmin);
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l) {
            u.w[64 * c + l] = static_cast<std::int8_t>(b.qs[32 * c + l] & 0xF);
            u.w[64 * c + 32 + l] = static_cast<std::int8_t>(b.qs[32 * c + l] >> 4);
        }
    for (int j = 0; j < 8; ++j) {
        std::uint8_t sc, m;
        getScaleMinK4(j, b.scales, &sc, &m);
        u.scale[j] = sc;
        u.mins[2 * j] = u.mins[2 * j + 1] = m;
    }
    finishSums(u, 8);
}

void unpackQ5_K(const BlockQ5_K& b, UnpackedSuperBlock& u)
{
    u.d = fp16ToFp32(b.d);
    u.dmin = fp16ToFp32(b.dmin);
    for (int c = 0; c < 4; ++c)
        for (int half = 0; half < 2; ++half)
            for (int l = 0; l < 32; ++l) {
                const int low = (b.qs[32 * c + l] >> (4 * half)) & 0xF;
                const int high = (b.qh[l] >> (2 * c + half)) & 1;
                u.w[64 * c + 32 * half + l] = static_cast<std::int8_t>(low | (high << 4));
            }
    for (int j = 0; j < 8; ++j) {
        std::uint8_t sc, m;
        getScaleMinK4(j, b.scales, &sc, &m);
        u.scale[j] = sc;
        u.mins[2 * j] = u.mins[2 * j + 1] = m;
    }
    finishSums(u, 8);
}

void unpackQ6_K(const BlockQ6_K& b, UnpackedSuperBlock& u)
{
    u.d = fp16ToFp32(b.d);
    u.dmin = 0.0f;
    for (int t = 0; t < 2; ++t)
        for (int l = 0; l < 32; ++l) {
            const int h = b.qh[32 * t + l];
            const int lo0 = b.ql[64 * t + l], lo1 = b.ql[64 * t + l + 32];
            u.w[128 * t + l] = static_cast<std::int8_t>(((lo0 & 0xF) | ((h & 3) << 4)) - 32);
            u.w[128 * t + l + 32] = static_cast<std::int8_t>(((lo1 & 0xF) | (((h >> 2) & 3) << 4)) - 32);
            u.w[128 * t + l + 64] = static_cast<std::int8_t>(((lo0 >> 4) | (((h >> 4) & 3) << 4)) - 32);
            u.w[128 * t + l + 96] = static_cast<std::int8_t>(((lo1 >> 4) | (((h >> 6) & 3) << 4)) - 32);
        }
    for (int g = 0; g < 16; ++g) {
        u.scale[g] = b.scales[g];
        u.mins[g] = 0;
    }
    finishSums(u, 16);
}

void unpackQ3_K(const BlockQ3_K& b, UnpackedSuperBlock& u)
{
    u.d = fp16ToFp32(b.d);
    u.dmin = 0.0f;
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, r = e % 128;
        const int low = (b.qs[32 * h + r % 32] >> (2 * (r / 32))) & 3;
        const bool high = (b.hmask[e % 32] >> (e / 32)) & 1;
        u.w[e] = static_cast<std::int8_t>(low - (high ? 0 : 4));
    }
    for (int k = 0; k < 16; ++k) {
        const int lo = k < 8 ? (b.scales[k] & 0xF) : (b.scales[k - 8] >> 4);
        const int hi = (b.scales[8 + k % 4] >> (2 * (k / 4))) & 3;
        u.scale[k] = (lo | (hi << 4)) - 32;
        u.mins[k] = 0;
    }
    finishSums(u, 16);
}

void unpackQ2_K(const BlockQ2_K& b, UnpackedSuperBlock& u)
{
    u.d = fp16ToFp32(b.d);
    u.dmin = fp16ToFp32(b.dmin);
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, r = e % 128;
        u.w[e] = static_cast<std::int8_t>((b.qs[32 * h + r % 32] >> (2 * (r / 32))) & 3);
    }
    for (int k = 0; k < 16; ++k) {
        u.scale[k] = b.scales[k] & 0xF;
        u.mins[k] = static_cast<std::int16_t>(b.scales[k] >> 4);
    }
    finishSums(u, 16);
}

void unpackIQ4_XS(const BlockIQ4_XS& b, UnpackedSuperBlock& u)
{
    u.d = fp16ToFp32(b.d);
    u.dmin = 0.0f;
    for (int ib = 0; ib < 8; ++ib) {
        const std::uint8_t* qs = b.qs + 16 * ib;
        for (int j = 0; j < 16; ++j) {
            u.w[32 * ib + j] = kIq4nlValues[qs[j] & 0xF];
            u.w[32 * ib + j + 16] = kIq4nlValues[qs[j] >> 4];
        }
        u.scale[ib] = (((b.scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((b.scalesH >> (2 * ib)) & 3) << 4)) - 32;
    }
    for (auto& m : u.mins) m = 0;
    finishSums(u, 8);
}

void finish32(UnpackedBlock32& u, float d)
{
    int s = 0;
    for (int i = 0; i < 32; ++i) s += u.w[i];
    u.d = d;
    u.negSum = -128 * s;
    u.pad[0] = u.pad[1] = 0;
}

} // namespace

int superBlockGroups(DType type)
{
    switch (type) {
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::IQ4_XS: return 8;
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q6_K: return 16;
    default: return 0;
    }
}

bool superBlockHasMins(DType type) { return type == DType::Q4_K || type == DType::Q5_K || type == DType::Q2_K; }

bool isBlock32Type(DType type)
{
    return type == DType::Q4_0 || type == DType::Q5_0 || type == DType::Q8_0 || type == DType::IQ4_NL;
}

void unpackSuperBlocks(DType type, const std::byte* row, std::int64_t k, UnpackedSuperBlock* out)
{
    const std::int64_t nb = k / 256;
    for (std::int64_t i = 0; i < nb; ++i) {
        switch (type) {
        case DType::Q4_K: unpackQ4_K(reinterpret_cast<const BlockQ4_K*>(row)[i], out[i]); break;
        case DType::Q5_K: unpackQ5_K(reinterpret_cast<const BlockQ5_K*>(row)[i], out[i]); break;
        case DType::Q6_K: unpackQ6_K(reinterpret_cast<const BlockQ6_K*>(row)[i], out[i]); break;
        case DType::Q3_K: unpackQ3_K(reinterpret_cast<const BlockQ3_K*>(row)[i], out[i]); break;
        case DType::Q2_K: unpackQ2_K(reinterpret_cast<const BlockQ2_K*>(row)[i], out[i]); break;
        case DType::IQ4_XS: unpackIQ4_XS(reinterpret_cast<const BlockIQ4_XS*>(row)[i], out[i]); break;
        default: std::memset(&out[i], 0, sizeof out[i]); break;
        }
    }
}

void unpackBlocks32(DType type, const std::byte* row, std::int64_t k, UnpackedBlock32* out)
{
    const std::int64_t nb = k / 32;
    for (std::int64_t i = 0; i < nb; ++i) {
        UnpackedBlock32& u = out[i];
        switch (type) {
        case DType::Q8_0: {
            const auto& b = reinterpret_cast<const BlockQ8_0*>(row)[i];
            std::memcpy(u.w, b.qs, 32);
            finish32(u, fp16ToFp32(b.d));
            break;
        }
        case DType::Q4_0: {
            const auto& b = reinterpret_cast<const BlockQ4_0*>(row)[i];
            for (int j = 0; j < 16; ++j) {
                u.w[j] = static_cast<std::int8_t>((b.qs[j] & 0xF) - 8);
                u.w[j + 16] = static_cast<std::int8_t>((b.qs[j] >> 4) - 8);
            }
            finish32(u, fp16ToFp32(b.d));
            break;
        }
        case DType::Q5_0: {
            const auto& b = reinterpret_cast<const BlockQ5_0*>(row)[i];
            std::uint32_t qh;
            std::memcpy(&qh, b.qh, sizeof qh);
            for (int j = 0; j < 16; ++j) {
                const int h0 = static_cast<int>((qh >> j) & 1u) << 4;
                const int h1 = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
                u.w[j] = static_cast<std::int8_t>(((b.qs[j] & 0xF) | h0) - 16);
                u.w[j + 16] = static_cast<std::int8_t>(((b.qs[j] >> 4) | h1) - 16);
            }
            finish32(u, fp16ToFp32(b.d));
            break;
        }
        case DType::IQ4_NL: {
            const auto& b = reinterpret_cast<const BlockIQ4_NL*>(row)[i];
            for (int j = 0; j < 16; ++j) {
                u.w[j] = kIq4nlValues[b.qs[j] & 0xF];
                u.w[j + 16] = kIq4nlValues[b.qs[j] >> 4];
            }
            finish32(u, fp16ToFp32(b.d));
            break;
        }
        default: std::memset(&u, 0, sizeof u); break;
        }
    }
}

} // namespace condense::model::kernels
