#include "core/quant/awq_packing.h"

namespace condense::quant {

using io::halfBytes;
using io::int32Bytes;

namespace {

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

// Eight 4-bit values of output columns 8c .. 8c+7 into one word, AWQ_ORDER nibble order.
std::uint32_t packEight(const std::uint8_t* v)
{
    std::uint32_t w = 0;
    for (int n = 0; n < 8; ++n) w |= static_cast<std::uint32_t>(v[kAwqOrder[static_cast<std::size_t>(n)]] & 0xfu) << (4 * n);
    return w;
}

} // namespace

Result<std::vector<PackedTensor>> packAwqGemm(const GptqResult& r, const PackConfig& config)
{
    const auto in = static_cast<std::size_t>(r.cols);
    const auto out = static_cast<std::size_t>(r.rows);
    const auto g = static_cast<std::size_t>(config.groupSize);
    const std::size_t groups = in / g;
    if (static_cast<std::size_t>(r.groups) != groups)
        return invalid(std::to_string(r.groups) + " groups, AWQ GEMM needs " + std::to_string(groups));
    for (std::size_t i = 0; i < in; ++i)
        if (static_cast<std::size_t>(r.gIdx[i]) != i / g) return invalid("AWQ GEMM holds natural groups only (g_idx[c] = c / group)");
    const std::size_t words = out / 8;
    std::vector<std::uint32_t> qweight(in * words);
    std::vector<std::uint8_t> eight(8);
    for (std::size_t i = 0; i < in; ++i)
        for (std::size_t c = 0; c < words; ++c) {
            for (std::size_t k = 0; k < 8; ++k) eight[k] = r.codes[(8 * c + k) * in + i];
            qweight[i * words + c] = packEight(eight.data());
        }
    std::vector<std::uint32_t> qzeros(groups * words);
    for (std::size_t gi = 0; gi < groups; ++gi)
        for (std::size_t c = 0; c < words; ++c) qzeros[gi * words + c] = packEight(&r.zeros[gi * out + 8 * c]);

    std::vector<PackedTensor> t;
    t.push_back({"qweight", DType::I32, {in, words}, int32Bytes(qweight)});
    t.push_back({"qzeros", DType::I32, {groups, words}, int32Bytes(qzeros)});
    t.push_back({"scales", DType::F16, {groups, out}, halfBytes(r.scales)});
    return t;
}


} // namespace condense::quant
