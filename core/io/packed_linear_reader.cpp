#include "core/io/packed_linear_reader.h"

namespace condense::io {

namespace {

constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 31;

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

void unpackEight(std::uint32_t w, std::uint8_t* v)
{
    for (int n = 0; n < 8; ++n) v[kAwqOrder[static_cast<std::size_t>(n)]] = static_cast<std::uint8_t>((w >> (4 * n)) & 0xfu);
}

constexpr std::string_view kGptqSuffixes[] = {"qweight", "qzeros", "scales", "g_idx"};
constexpr std::string_view kCtSuffixes[] = {"weight_packed", "weight_scale", "weight_zero_point", "weight_g_idx", "weight_shape"};
constexpr std::string_view kAwqSuffixes[] = {"qweight", "qzeros", "scales"};

// A stored g_idx: `in` group numbers, each below `groups` (`name` labels the errors).
Status readGroupIndex(const PackedView* gidx, const char* name, std::uint64_t in, std::uint64_t groups, std::vector<std::int32_t>& out)
{
    CONDENSE_TRY(checkPackedView(gidx, name, {DType::I32}, {in}));
    const auto g = readWords(*gidx);
    for (std::size_t i = 0; i < g.size(); ++i) {
        const auto v = static_cast<std::int32_t>(g[i]);
        if (v < 0 || static_cast<std::uint64_t>(v) >= groups)
            return packError(ErrorCode::Malformed, name,
                             "value " + std::to_string(v) + " at column " + std::to_string(i) + " is outside 0.." + std::to_string(groups - 1));
        out[i] = v;
    }
    return okStatus();
}

Result<UnpackedLinear> unpackGptq(std::span<const PackedView> tensors, const PackConfig& config, UnpackMode mode)
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
    if (gidx != nullptr && gidx->shape.size() == 1 && gidx->shape[0] != in)
        return packError(ErrorCode::Malformed, "qweight",
                         "shape " + shapeString(qweight->shape) + " holds " + std::to_string(in) + " input columns at " + std::to_string(bits) +
                             " bits, g_idx has " + std::to_string(gidx->shape[0]));
    if ((out * static_cast<std::uint64_t>(bits)) % 32 != 0)
        return packError(ErrorCode::Malformed, "scales", "out_features " + std::to_string(out) + " times " + std::to_string(bits) +
                                                             " bits is not a multiple of 32");
    CONDENSE_TRY(checkPackedView(scales, "scales", {DType::F16, DType::BF16, DType::F32}, {groups, out}));
    CONDENSE_TRY(checkPackedView(qweight, "qweight", {DType::I32}, {in * static_cast<std::uint64_t>(bits) / 32, out}));
    CONDENSE_TRY(checkPackedView(qzeros, "qzeros", {DType::I32}, {groups, out * static_cast<std::uint64_t>(bits) / 32}));

    UnpackedLinear r;
    r.rows = static_cast<std::int64_t>(out);
    r.cols = static_cast<std::int64_t>(in);
    r.groups = static_cast<std::int64_t>(groups);
    r.gIdx.resize(static_cast<std::size_t>(in));
    if (gidx != nullptr) {
        CONDENSE_TRY(readGroupIndex(gidx, "g_idx", in, groups, r.gIdx));
    } else {
        const std::uint64_t width = config.groupSize > 0 ? static_cast<std::uint64_t>(config.groupSize) : in;
        if ((in + width - 1) / width != groups)
            return packError(ErrorCode::Malformed, "scales",
                             std::to_string(groups) + " groups, but " + std::to_string(in) + " columns in groups of " +
                                 std::to_string(width) + " make " + std::to_string((in + width - 1) / width));
        for (std::size_t i = 0; i < in; ++i) r.gIdx[i] = static_cast<std::int32_t>(i / width);
    }

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
    if (mode == UnpackMode::Check) return r;
    const auto qw = readWords(*qweight);
    r.codes.resize(static_cast<std::size_t>(in * out));
    std::vector<std::uint32_t> column(qRows);
    for (std::size_t o = 0; o < out; ++o) {
        for (std::size_t w = 0; w < qRows; ++w) column[w] = qw[w * out + o];
        const auto codes = unpackBitStream(column, bits, static_cast<std::size_t>(in));
        std::copy(codes.begin(), codes.end(), r.codes.begin() + static_cast<std::ptrdiff_t>(o * in));
    }
    dequantizeUnpacked(r);
    return r;
}

Result<UnpackedLinear> unpackCompressedTensors(std::span<const PackedView> tensors, const PackConfig& config, UnpackMode mode)
{
    const int bits = config.bits;
    if (bits != 2 && bits != 4 && bits != 8)
        return invalid("pack-quantized num_bits " + std::to_string(bits) + " (we read 2, 4 or 8)");
    const std::uint64_t pf = 32 / static_cast<std::uint64_t>(bits);
    const PackedView* shapeView = findPacked(tensors, "weight_shape");
    if (shapeView == nullptr) return packError(ErrorCode::MissingTensor, "weight_shape", "required tensor is missing");
    const bool i64 = shapeView->dtype == DType::I64;
    CONDENSE_TRY(checkPackedView(shapeView, "weight_shape", {DType::I64, DType::I32}, {2}));
    std::uint64_t dims[2];
    for (std::size_t k = 0; k < 2; ++k) {
        std::int64_t v = 0;
        if (i64) {
            std::uint64_t u = 0;
            for (int b = 0; b < 8; ++b) u |= static_cast<std::uint64_t>(shapeView->data[k * 8 + static_cast<std::size_t>(b)]) << (8 * b);
            v = static_cast<std::int64_t>(u);
        } else {
            v = static_cast<std::int32_t>(loadWord(shapeView->data, k));
        }
        if (v <= 0 || static_cast<std::uint64_t>(v) > kMaxDim)
            return packError(ErrorCode::Malformed, "weight_shape", "dimension " + std::to_string(v) + " is out of range");
        dims[k] = static_cast<std::uint64_t>(v);
    }
    const std::uint64_t out = dims[0];
    const std::uint64_t in = dims[1];
    std::uint64_t groups = 1;
    if (config.groupSize > 0) groups = (in + static_cast<std::uint64_t>(config.groupSize) - 1) / static_cast<std::uint64_t>(config.groupSize);
    const PackedView* packed = findPacked(tensors, "weight_packed");
    const PackedView* scale = findPacked(tensors, "weight_scale");
    const PackedView* zp = findPacked(tensors, "weight_zero_point");
    const PackedView* gidx = findPacked(tensors, "weight_g_idx");
    const std::uint64_t packedCols = (in + pf - 1) / pf;
    CONDENSE_TRY(checkPackedView(packed, "weight_packed", {DType::I32}, {out, packedCols}));
    CONDENSE_TRY(checkPackedView(scale, "weight_scale", {DType::F16, DType::BF16, DType::F32}, {out, groups}));

    UnpackedLinear r;
    r.rows = static_cast<std::int64_t>(out);
    r.cols = static_cast<std::int64_t>(in);
    r.groups = static_cast<std::int64_t>(groups);
    r.gIdx.resize(static_cast<std::size_t>(in));
    if (gidx != nullptr) {
        CONDENSE_TRY(readGroupIndex(gidx, "weight_g_idx", in, groups, r.gIdx));
    } else {
        const std::uint64_t width = config.groupSize > 0 ? static_cast<std::uint64_t>(config.groupSize) : in;
        for (std::size_t i = 0; i < in; ++i) r.gIdx[i] = static_cast<std::int32_t>(i / width);
    }

    const auto s = readFloats(*scale);
    CONDENSE_TRY(checkFiniteScales(s, "weight_scale"));
    r.scales.resize(static_cast<std::size_t>(groups * out));
    for (std::size_t o = 0; o < out; ++o)
        for (std::size_t g = 0; g < groups; ++g) r.scales[g * out + o] = s[o * groups + g];

    r.zeros.assign(static_cast<std::size_t>(groups * out), static_cast<std::uint8_t>(1u << (bits - 1)));
    if (!config.symmetric) {
        const std::uint64_t zRows = (out + pf - 1) / pf;
        CONDENSE_TRY(checkPackedView(zp, "weight_zero_point", {DType::I32}, {zRows, groups}));
        const auto zw = readWords(*zp);
        std::vector<std::uint32_t> col(static_cast<std::size_t>(zRows));
        for (std::size_t g = 0; g < groups; ++g) {
            for (std::size_t w = 0; w < zRows; ++w) col[w] = zw[w * groups + g];
            const auto z = unpackBitStream(col, bits, static_cast<std::size_t>(out));
            for (std::size_t o = 0; o < out; ++o) r.zeros[g * out + o] = z[o];
        }
    }

    if (mode == UnpackMode::Check) return r;
    const auto pw = readWords(*packed);
    r.codes.resize(static_cast<std::size_t>(in * out));
    for (std::size_t o = 0; o < out; ++o) {
        const auto codes = unpackBitStream(std::span<const std::uint32_t>(pw).subspan(o * packedCols, packedCols), bits,
                                           static_cast<std::size_t>(in));
        std::copy(codes.begin(), codes.end(), r.codes.begin() + static_cast<std::ptrdiff_t>(o * in));
    }
    dequantizeUnpacked(r);
    return r;
}

Result<UnpackedLinear> unpackAwqGemm(std::span<const PackedView> tensors, const PackConfig& config, UnpackMode mode)
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

    UnpackedLinear r;
    r.rows = static_cast<std::int64_t>(out);
    r.cols = static_cast<std::int64_t>(in);
    r.groups = static_cast<std::int64_t>(groups);
    r.gIdx.resize(static_cast<std::size_t>(in));
    for (std::size_t i = 0; i < in; ++i) r.gIdx[i] = static_cast<std::int32_t>(i / g);
    r.scales = readFloats(*scales);
    CONDENSE_TRY(checkFiniteScales(r.scales, "scales"));
    r.zeros.resize(static_cast<std::size_t>(groups * out));
    const auto zw = readWords(*qzeros);
    for (std::size_t gi = 0; gi < groups; ++gi)
        for (std::size_t c = 0; c < words; ++c) unpackEight(zw[gi * words + c], &r.zeros[gi * out + 8 * c]);
    if (mode == UnpackMode::Check) return r;
    const auto qw = readWords(*qweight);
    r.codes.resize(static_cast<std::size_t>(in * out));
    std::uint8_t eight[8];
    for (std::size_t i = 0; i < in; ++i)
        for (std::size_t c = 0; c < words; ++c) {
            unpackEight(qw[i * words + c], eight);
            for (std::size_t k = 0; k < 8; ++k) r.codes[(8 * c + k) * in + i] = eight[k];
        }
    dequantizeUnpacked(r);
    return r;
}

} // namespace

void dequantizeUnpacked(UnpackedLinear& r)
{
    r.dequantized.assign(static_cast<std::size_t>(r.rows * r.cols), 0.0f);
    for (std::int64_t row = 0; row < r.rows; ++row) {
        for (std::int64_t c = 0; c < r.cols; ++c) {
            const auto i = static_cast<std::size_t>(row * r.cols + c);
            const auto g = static_cast<std::size_t>(r.gIdx[static_cast<std::size_t>(c)] * r.rows + row);
            const double v = static_cast<double>(r.scales[g]) * (double(r.codes[i]) - double(r.zeros[g]));
            r.dequantized[i] = static_cast<float>(v);
        }
    }
}

Result<UnpackedLinear> unpackPackedLinear(std::span<const PackedView> tensors, const PackConfig& config, UnpackMode mode)
{
    switch (config.format) {
    case HfQuantFormat::GptqV1:
    case HfQuantFormat::GptqV2: return unpackGptq(tensors, config, mode);
    case HfQuantFormat::CompressedTensors: return unpackCompressedTensors(tensors, config, mode);
    case HfQuantFormat::AwqGemm: return unpackAwqGemm(tensors, config, mode);
    }
    return invalid("unknown format");
}

std::span<const std::string_view> packedSuffixes(HfQuantFormat format)
{
    switch (format) {
    case HfQuantFormat::GptqV1:
    case HfQuantFormat::GptqV2: return kGptqSuffixes;
    case HfQuantFormat::CompressedTensors: return kCtSuffixes;
    case HfQuantFormat::AwqGemm: return kAwqSuffixes;
    }
    return {};
}

std::string_view packedMarkerSuffix(HfQuantFormat format)
{
    return format == HfQuantFormat::CompressedTensors ? "weight_packed" : "qweight";
}

} // namespace condense::io
