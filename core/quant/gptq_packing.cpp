#include "core/quant/gptq_packing.h"

namespace condense::quant {

using io::halfBytes;
using io::int32Bytes;

namespace {

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

} // namespace



Result<std::vector<PackedTensor>> packGptq(const GptqResult& r, const PackConfig& config)
{
    const bool v1 = config.format == HfQuantFormat::GptqV1;
    const auto in = static_cast<std::size_t>(r.cols);
    const auto out = static_cast<std::size_t>(r.rows);
    const auto groups = static_cast<std::size_t>(r.groups);
    const int bits = config.bits;
    const std::size_t qRows = in * static_cast<std::size_t>(bits) / 32;
    const std::size_t zCols = out * static_cast<std::size_t>(bits) / 32;

    std::vector<std::uint32_t> qweight(qRows * out);
    std::vector<std::uint8_t> column(in);
    for (std::size_t o = 0; o < out; ++o) {
        for (std::size_t i = 0; i < in; ++i) column[i] = r.codes[o * in + i];
        const auto words = packBitStream(column, bits);
        for (std::size_t w = 0; w < qRows; ++w) qweight[w * out + o] = words[w];
    }

    std::vector<std::uint32_t> qzeros(groups * zCols);
    std::vector<std::uint8_t> zrow(out);
    for (std::size_t g = 0; g < groups; ++g) {
        for (std::size_t o = 0; o < out; ++o) {
            const std::uint8_t z = r.zeros[g * out + o];
            if (v1 && z == 0)
                return invalid("zero point 0 (group " + std::to_string(g) + ", output " + std::to_string(o) +
                               ") cannot be stored in gptq v1 (zero - 1): write gptq_v2");
            zrow[o] = v1 ? static_cast<std::uint8_t>(z - 1) : z;
        }
        const auto words = packBitStream(zrow, bits);
        for (std::size_t w = 0; w < zCols; ++w) qzeros[g * zCols + w] = words[w];
    }

    std::vector<std::uint32_t> gidx(in);
    for (std::size_t i = 0; i < in; ++i) gidx[i] = static_cast<std::uint32_t>(r.gIdx[i]);

    std::vector<PackedTensor> t;
    t.push_back({"g_idx", DType::I32, {in}, int32Bytes(gidx)});
    t.push_back({"qweight", DType::I32, {qRows, out}, int32Bytes(qweight)});
    t.push_back({"qzeros", DType::I32, {groups, zCols}, int32Bytes(qzeros)});
    t.push_back({"scales", DType::F16, {groups, out}, halfBytes(r.scales)});
    return t;
}


} // namespace condense::quant
