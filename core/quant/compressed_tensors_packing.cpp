#include "core/quant/compressed_tensors_packing.h"

#include "core/quant/gptq_packing.h"

namespace condense::quant {

namespace {

constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 31;

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

Result<GptqResult> unpackCompressedTensors(std::span<const PackedView> tensors, const PackConfig& config)
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

    GptqResult r;
    r.rows = static_cast<std::int64_t>(out);
    r.cols = static_cast<std::int64_t>(in);
    r.groups = static_cast<std::int64_t>(groups);
    r.gIdx.resize(static_cast<std::size_t>(in));
    if (gidx != nullptr) {
        CONDENSE_TRY(checkPackedView(gidx, "weight_g_idx", {DType::I32}, {in}));
        const auto g = readWords(*gidx);
        for (std::size_t i = 0; i < g.size(); ++i) {
            const auto v = static_cast<std::int32_t>(g[i]);
            if (v < 0 || static_cast<std::uint64_t>(v) >= groups)
                return packError(ErrorCode::Malformed, "weight_g_idx",
                                 "value " + std::to_string(v) + " at column " + std::to_string(i) + " is outside 0.." + std::to_string(groups - 1));
            r.gIdx[i] = v;
        }
    } else {
        const std::uint64_t width = config.groupSize > 0 ? static_cast<std::uint64_t>(config.groupSize) : in;
        for (std::size_t i = 0; i < in; ++i) r.gIdx[i] = static_cast<std::int32_t>(i / width);
    }
    r.order.resize(static_cast<std::size_t>(in));
    for (std::size_t i = 0; i < in; ++i) r.order[i] = static_cast<std::int32_t>(i);

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

    const auto pw = readWords(*packed);
    r.codes.resize(static_cast<std::size_t>(in * out));
    for (std::size_t o = 0; o < out; ++o) {
        const auto codes = unpackBitStream(std::span<const std::uint32_t>(pw).subspan(o * packedCols, packedCols), bits,
                                           static_cast<std::size_t>(in));
        std::copy(codes.begin(), codes.end(), r.codes.begin() + static_cast<std::ptrdiff_t>(o * in));
    }
    dequantizeCodes(r);
    return r;
}

} // namespace condense::quant
