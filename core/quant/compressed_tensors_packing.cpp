#include "core/quant/compressed_tensors_packing.h"

#include "core/quant/gptq_packing.h"

namespace condense::quant {

using io::halfBytes;
using io::int32Bytes;

namespace {

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

std::vector<std::byte> int64Bytes(std::span<const std::int64_t> v)
{
    std::vector<std::byte> out(v.size() * 8);
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto u = static_cast<std::uint64_t>(v[i]);
        for (int b = 0; b < 8; ++b) out[i * 8 + static_cast<std::size_t>(b)] = static_cast<std::byte>((u >> (8 * b)) & 0xffu);
    }
    return out;
}

} // namespace

Result<std::vector<PackedTensor>> packCompressedTensors(const GptqResult& r, const PackConfig& config)
{
    const auto in = static_cast<std::size_t>(r.cols);
    const auto out = static_cast<std::size_t>(r.rows);
    const auto groups = static_cast<std::size_t>(r.groups);
    const int bits = config.bits;
    const std::size_t pf = 32 / static_cast<std::size_t>(bits);
    const std::size_t expectGroups = config.groupSize > 0 ? in / static_cast<std::size_t>(config.groupSize) : 1;
    if (groups != expectGroups)
        return invalid(std::to_string(groups) + " groups, the scheme needs " + std::to_string(expectGroups));
    if (!config.actOrder) {
        const std::size_t width = config.groupSize > 0 ? static_cast<std::size_t>(config.groupSize) : in;
        for (std::size_t i = 0; i < in; ++i)
            if (static_cast<std::size_t>(r.gIdx[i]) != i / width)
                return invalid("g_idx is not the natural grouping: write it with act-order (actorder \"group\")");
    }
    const std::uint8_t mid = static_cast<std::uint8_t>(1u << (bits - 1));
    if (config.symmetric)
        for (auto z : r.zeros)
            if (z != mid) return invalid("a symmetric scheme needs every zero point to be " + std::to_string(mid));

    const std::size_t packedCols = (in + pf - 1) / pf;
    std::vector<std::uint32_t> packed(out * packedCols);
    std::vector<std::uint8_t> row(packedCols * pf, 0);
    for (std::size_t o = 0; o < out; ++o) {
        for (std::size_t i = 0; i < in; ++i) row[i] = r.codes[o * in + i];
        const auto words = packBitStream(row, bits);
        std::copy(words.begin(), words.end(), packed.begin() + static_cast<std::ptrdiff_t>(o * packedCols));
    }
    std::vector<float> scale(out * groups);
    for (std::size_t g = 0; g < groups; ++g)
        for (std::size_t o = 0; o < out; ++o) scale[o * groups + g] = r.scales[g * out + o];
    const std::vector<std::int64_t> shape{static_cast<std::int64_t>(out), static_cast<std::int64_t>(in)};

    std::vector<PackedTensor> t;
    t.push_back({"weight_packed", DType::I32, {out, packedCols}, int32Bytes(packed)});
    t.push_back({"weight_scale", DType::F16, {out, groups}, halfBytes(scale)});
    t.push_back({"weight_shape", DType::I64, {2}, int64Bytes(shape)});
    if (!config.symmetric) {
        // pack_to_int32(zero_point, bits, packed_dim=0): along the output dim, zero padded.
        const std::size_t zRows = (out + pf - 1) / pf;
        std::vector<std::uint32_t> zp(zRows * groups);
        std::vector<std::uint8_t> zcol(zRows * pf, 0);
        for (std::size_t g = 0; g < groups; ++g) {
            for (std::size_t o = 0; o < out; ++o) zcol[o] = r.zeros[g * out + o];
            const auto words = packBitStream(zcol, bits);
            for (std::size_t w = 0; w < zRows; ++w) zp[w * groups + g] = words[w];
        }
        t.push_back({"weight_zero_point", DType::I32, {zRows, groups}, int32Bytes(zp)});
    }
    if (config.actOrder) {
        std::vector<std::uint32_t> g(in);
        for (std::size_t i = 0; i < in; ++i) g[i] = static_cast<std::uint32_t>(r.gIdx[i]);
        t.push_back({"weight_g_idx", DType::I32, {in}, int32Bytes(g)});
    }
    return t;
}


} // namespace condense::quant
