#include "core/quant/gptq_packing.h"

namespace condense::quant {

namespace {

constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 31;

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

} // namespace

std::vector<std::uint32_t> packBitStream(std::span<const std::uint8_t> values, int bits)
{
    const auto nbits = static_cast<std::uint64_t>(values.size()) * static_cast<std::uint64_t>(bits);
    std::vector<std::uint32_t> words(static_cast<std::size_t>((nbits + 31) / 32), 0u);
    for (std::size_t j = 0; j < values.size(); ++j) {
        const std::uint64_t pos = static_cast<std::uint64_t>(j) * static_cast<std::uint64_t>(bits);
        const auto w = static_cast<std::size_t>(pos / 32);
        const auto off = static_cast<unsigned>(pos % 32);
        const std::uint32_t v = values[j];
        words[w] |= v << off;
        if (off + static_cast<unsigned>(bits) > 32) words[w + 1] |= v >> (32 - off);
    }
    return words;
}

std::vector<std::uint8_t> unpackBitStream(std::span<const std::uint32_t> words, int bits, std::size_t count)
{
    std::vector<std::uint8_t> out(count, 0);
    const std::uint32_t mask = (1u << bits) - 1u;
    for (std::size_t j = 0; j < count; ++j) {
        const std::uint64_t pos = static_cast<std::uint64_t>(j) * static_cast<std::uint64_t>(bits);
        const auto w = static_cast<std::size_t>(pos / 32);
        const auto off = static_cast<unsigned>(pos % 32);
        std::uint32_t v = words[w] >> off;
        if (off + static_cast<unsigned>(bits) > 32) v |= words[w + 1] << (32 - off);
        out[j] = static_cast<std::uint8_t>(v & mask);
    }
    return out;
}

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

Result<GptqResult> unpackGptq(std::span<const PackedView> tensors, const PackConfig& config)
{
    const bool v1 = config.format == HfQuantFormat::GptqV1;
    const int bits = config.bits;
    if (bits != 2 && bits != 3 && bits != 4 && bits != 8)
        return invalid("gptq bits " + std::to_string(bits) + " (2, 3, 4 or 8)");
    const PackedView* scales = findPacked(tensors, "scales");
    const PackedView* qweight = findPacked(tensors, "qweight");
    const PackedView* qzeros = findPacked(tensors, "qzeros");
    const PackedView* gidx = findPacked(tensors, "g_idx");
    if (scales == nullptr) return packError(ErrorCode::MissingTensor, "scales", "required tensor is missing");
    if (qweight == nullptr) return packError(ErrorCode::MissingTensor, "qweight", "required tensor is missing");
    if (scales->shape.size() != 2 || scales->shape[0] == 0 || scales->shape[1] == 0 || scales->shape[0] > kMaxDim ||
        scales->shape[1] > kMaxDim)
        return packError(ErrorCode::Malformed, "scales", "shape " + shapeString(scales->shape) + " is not [groups, out_features]");
    const std::uint64_t groups = scales->shape[0];
    const std::uint64_t out = scales->shape[1];
    if (qweight->shape.size() != 2 || qweight->shape[1] != out || qweight->shape[0] == 0 || qweight->shape[0] > kMaxDim)
        return packError(ErrorCode::Malformed, "qweight",
                         "shape " + shapeString(qweight->shape) + " is not [in_features * bits / 32, " + std::to_string(out) + "]");
    if ((qweight->shape[0] * 32) % static_cast<std::uint64_t>(bits) != 0)
        return packError(ErrorCode::Malformed, "qweight",
                         std::to_string(qweight->shape[0]) + " rows of 32 bits do not hold whole " + std::to_string(bits) + "-bit values");
    const std::uint64_t in = qweight->shape[0] * 32 / static_cast<std::uint64_t>(bits);
    if ((out * static_cast<std::uint64_t>(bits)) % 32 != 0)
        return packError(ErrorCode::Malformed, "scales", "out_features " + std::to_string(out) + " times " + std::to_string(bits) +
                                                             " bits is not a multiple of 32");
    CONDENSE_TRY(checkPackedView(scales, "scales", {DType::F16, DType::BF16, DType::F32}, {groups, out}));
    CONDENSE_TRY(checkPackedView(qweight, "qweight", {DType::I32}, {in * static_cast<std::uint64_t>(bits) / 32, out}));
    CONDENSE_TRY(checkPackedView(qzeros, "qzeros", {DType::I32}, {groups, out * static_cast<std::uint64_t>(bits) / 32}));

    GptqResult r;
    r.rows = static_cast<std::int64_t>(out);
    r.cols = static_cast<std::int64_t>(in);
    r.groups = static_cast<std::int64_t>(groups);
    r.gIdx.resize(static_cast<std::size_t>(in));
    if (gidx != nullptr) {
        CONDENSE_TRY(checkPackedView(gidx, "g_idx", {DType::I32}, {in}));
        const auto g = readWords(*gidx);
        for (std::size_t i = 0; i < g.size(); ++i) {
            const auto v = static_cast<std::int32_t>(g[i]);
            if (v < 0 || static_cast<std::uint64_t>(v) >= groups)
                return packError(ErrorCode::Malformed, "g_idx",
                                 "value " + std::to_string(v) + " at column " + std::to_string(i) + " is outside 0.." + std::to_string(groups - 1));
            r.gIdx[i] = v;
        }
    } else {
        const std::uint64_t width = config.groupSize > 0 ? static_cast<std::uint64_t>(config.groupSize) : in;
        if ((in + width - 1) / width != groups)
            return packError(ErrorCode::Malformed, "scales",
                             std::to_string(groups) + " groups, but " + std::to_string(in) + " columns in groups of " +
                                 std::to_string(width) + " make " + std::to_string((in + width - 1) / width));
        for (std::size_t i = 0; i < in; ++i) r.gIdx[i] = static_cast<std::int32_t>(i / width);
    }
    r.order.resize(static_cast<std::size_t>(in));
    for (std::size_t i = 0; i < in; ++i) r.order[i] = static_cast<std::int32_t>(i);

    r.scales = readFloats(*scales);
    CONDENSE_TRY(checkFiniteScales(r.scales, "scales"));
    const int maxq = (1 << bits) - 1;
    const std::size_t zCols = static_cast<std::size_t>(out) * static_cast<std::size_t>(bits) / 32;
    const auto zw = readWords(*qzeros);
    r.zeros.resize(static_cast<std::size_t>(groups * out));
    for (std::size_t g = 0; g < groups; ++g) {
        const auto z = unpackBitStream(std::span<const std::uint32_t>(zw).subspan(g * zCols, zCols), bits, static_cast<std::size_t>(out));
        for (std::size_t o = 0; o < out; ++o) {
            const int v = v1 ? z[o] + 1 : z[o];
            if (v > maxq)
                return packError(ErrorCode::Malformed, "qzeros",
                                 "group " + std::to_string(g) + ", output " + std::to_string(o) + ": v1 zero point " + std::to_string(v) +
                                     " does not fit " + std::to_string(bits) + " bits (asymmetric v1 checkpoints cannot hold a zero of 0)");
            r.zeros[g * out + o] = static_cast<std::uint8_t>(v);
        }
    }

    const std::size_t qRows = static_cast<std::size_t>(in) * static_cast<std::size_t>(bits) / 32;
    const auto qw = readWords(*qweight);
    r.codes.resize(static_cast<std::size_t>(in * out));
    std::vector<std::uint32_t> column(qRows);
    for (std::size_t o = 0; o < out; ++o) {
        for (std::size_t w = 0; w < qRows; ++w) column[w] = qw[w * out + o];
        const auto codes = unpackBitStream(column, bits, static_cast<std::size_t>(in));
        std::copy(codes.begin(), codes.end(), r.codes.begin() + static_cast<std::ptrdiff_t>(o * in));
    }
    dequantizeCodes(r);
    return r;
}

} // namespace condense::quant
