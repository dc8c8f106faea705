#include "core/quant/awq_packing.h"

namespace condense::quant {

namespace {

constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 31;

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

// Eight 4-bit values of output columns 8c .. 8c+7 into one word, AWQ_ORDER nibble order.
std::uint32_t packEight(const std::uint8_t* v)
{
    std::uint32_t w = 0;
    for (int n = 0; n < 8; ++n) w |= static_cast<std::uint32_t>(v[kAwqOrder[static_cast<std::size_t>(n)]] & 0xfu) << (4 * n);
    return w;
}

void unpackEight(std::uint32_t w, std::uint8_t* v)
{
    for (int n = 0; n < 8; ++n) v[kAwqOrder[static_cast<std::size_t>(n)]] = static_cast<std::uint8_t>((w >> (4 * n)) & 0xfu);
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

Result<GptqResult> unpackAwqGemm(std::span<const PackedView> tensors, const PackConfig& config)
{
    if (config.bits != 4) return invalid("AWQ GEMM bits " + std::to_string(config.bits) + " (only 4)");
    if (config.groupSize <= 0) return invalid("AWQ GEMM needs a positive group size");
    const PackedView* qweight = findPacked(tensors, "qweight");
    const PackedView* qzeros = findPacked(tensors, "qzeros");
    const PackedView* scales = findPacked(tensors, "scales");
    if (qweight == nullptr) return packError(ErrorCode::MissingTensor, "qweight", "required tensor is missing");
    if (qweight->shape.size() != 2 || qweight->shape[0] == 0 || qweight->shape[1] == 0 || qweight->shape[0] > kMaxDim ||
        qweight->shape[1] > kMaxDim / 8)
        return packError(ErrorCode::Malformed, "qweight", "shape " + shapeString(qweight->shape) + " is not [in_features, out_features / 8]");
    const std::uint64_t in = qweight->shape[0];
    const std::uint64_t words = qweight->shape[1];
    const std::uint64_t out = words * 8;
    const auto g = static_cast<std::uint64_t>(config.groupSize);
    if (in % g != 0)
        return packError(ErrorCode::Malformed, "qweight",
                         "group size " + std::to_string(g) + " does not divide in_features " + std::to_string(in));
    const std::uint64_t groups = in / g;
    CONDENSE_TRY(checkPackedView(qweight, "qweight", {DType::I32}, {in, words}));
    CONDENSE_TRY(checkPackedView(qzeros, "qzeros", {DType::I32}, {groups, words}));
    CONDENSE_TRY(checkPackedView(scales, "scales", {DType::F16, DType::BF16, DType::F32}, {groups, out}));

    GptqResult r;
    r.rows = static_cast<std::int64_t>(out);
    r.cols = static_cast<std::int64_t>(in);
    r.groups = static_cast<std::int64_t>(groups);
    r.gIdx.resize(static_cast<std::size_t>(in));
    r.order.resize(static_cast<std::size_t>(in));
    for (std::size_t i = 0; i < in; ++i) {
        r.gIdx[i] = static_cast<std::int32_t>(i / g);
        r.order[i] = static_cast<std::int32_t>(i);
    }
    r.scales = readFloats(*scales);
    CONDENSE_TRY(checkFiniteScales(r.scales, "scales"));
    r.zeros.resize(static_cast<std::size_t>(groups * out));
    const auto zw = readWords(*qzeros);
    for (std::size_t gi = 0; gi < groups; ++gi)
        for (std::size_t c = 0; c < words; ++c) unpackEight(zw[gi * words + c], &r.zeros[gi * out + 8 * c]);
    const auto qw = readWords(*qweight);
    r.codes.resize(static_cast<std::size_t>(in * out));
    std::uint8_t eight[8];
    for (std::size_t i = 0; i < in; ++i)
        for (std::size_t c = 0; c < words; ++c) {
            unpackEight(qw[i * words + c], eight);
            for (std::size_t k = 0; k < 8; ++k) r.codes[(8 * c + k) * in + i] = eight[k];
        }
    dequantizeCodes(r);
    return r;
}

} // namespace condense::quant
