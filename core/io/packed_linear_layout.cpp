#include "core/io/packed_linear_layout.h"

#include <cmath>

#include "core/tensor/float_convert.h"

namespace condense::io {

namespace {

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

} // namespace

std::string_view hfQuantFormatName(HfQuantFormat f) noexcept
{
    switch (f) {
    case HfQuantFormat::GptqV1: return "gptq";
    case HfQuantFormat::GptqV2: return "gptq_v2";
    case HfQuantFormat::CompressedTensors: return "compressed-tensors";
    case HfQuantFormat::AwqGemm: return "awq";
    }
    return "?";
}

Status checkPackConfig(const PackConfig& c, std::int64_t rows, std::int64_t cols)
{
    const std::string name(hfQuantFormatName(c.format));
    if (rows <= 0 || cols <= 0) return invalid("empty linear");
    if (c.groupSize == 0 || c.groupSize < -1) return invalid("group size " + std::to_string(c.groupSize) + " (use -1 or a positive size)");
    switch (c.format) {
    case HfQuantFormat::GptqV1:
    case HfQuantFormat::GptqV2:
        if (c.bits != 2 && c.bits != 3 && c.bits != 4 && c.bits != 8)
            return invalid(name + " holds 2, 3, 4 or 8 bits, not " + std::to_string(c.bits));
        if (c.format == HfQuantFormat::GptqV1 && !c.symmetric)
            return invalid("gptq (v1) cannot hold a zero point of 0: asymmetric quantization is written as gptq_v2");
        if ((cols * c.bits) % 32 != 0 || (rows * c.bits) % 32 != 0)
            return invalid(name + " at " + std::to_string(c.bits) + " bits needs in (" + std::to_string(cols) + ") and out (" +
                           std::to_string(rows) + ") features times bits to be multiples of 32");
        break;
    case HfQuantFormat::CompressedTensors:
        if (c.bits != 4 && c.bits != 8) return invalid(name + " pack-quantized is written with 4 or 8 bits, not " + std::to_string(c.bits));
        if (c.groupSize > 0 && cols % c.groupSize != 0)
            return invalid("group size " + std::to_string(c.groupSize) + " does not divide in_features " + std::to_string(cols));
        break;
    case HfQuantFormat::AwqGemm:
        if (c.bits != 4) return invalid("AWQ GEMM holds 4 bits only, not " + std::to_string(c.bits));
        if (c.groupSize <= 0) return invalid("AWQ GEMM needs a group size");
        if (c.actOrder) return invalid("AWQ GEMM has no g_idx: act-order cannot be written");
        if (cols % c.groupSize != 0)
            return invalid("group size " + std::to_string(c.groupSize) + " does not divide in_features " + std::to_string(cols));
        if (rows % 8 != 0) return invalid("AWQ GEMM needs out_features (" + std::to_string(rows) + ") to be a multiple of 8");
        break;
    }
    return okStatus();
}

std::vector<PackedTensor> packedLayout(const PackConfig& c, std::int64_t rows, std::int64_t cols)
{
    const auto out = static_cast<std::uint64_t>(rows);
    const auto in = static_cast<std::uint64_t>(cols);
    const auto bits = static_cast<std::uint64_t>(c.bits);
    const std::uint64_t groups = c.groupSize > 0 ? (in + static_cast<std::uint64_t>(c.groupSize) - 1) / static_cast<std::uint64_t>(c.groupSize) : 1;
    std::vector<PackedTensor> t;
    switch (c.format) {
    case HfQuantFormat::GptqV1:
    case HfQuantFormat::GptqV2:
        t.push_back({"g_idx", DType::I32, {in}, {}});
        t.push_back({"qweight", DType::I32, {in * bits / 32, out}, {}});
        t.push_back({"qzeros", DType::I32, {groups, out * bits / 32}, {}});
        t.push_back({"scales", DType::F16, {groups, out}, {}});
        break;
    case HfQuantFormat::CompressedTensors: {
        const std::uint64_t pf = 32 / bits;
        t.push_back({"weight_packed", DType::I32, {out, (in + pf - 1) / pf}, {}});
        t.push_back({"weight_scale", DType::F16, {out, groups}, {}});
        t.push_back({"weight_shape", DType::I64, {2}, {}});
        if (!c.symmetric) t.push_back({"weight_zero_point", DType::I32, {(out + pf - 1) / pf, groups}, {}});
        if (c.actOrder) t.push_back({"weight_g_idx", DType::I32, {in}, {}});
        break;
    }
    case HfQuantFormat::AwqGemm:
        t.push_back({"qweight", DType::I32, {in, out / 8}, {}});
        t.push_back({"qzeros", DType::I32, {groups, out / 8}, {}});
        t.push_back({"scales", DType::F16, {groups, out}, {}});
        break;
    }
    return t;
}

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

std::vector<std::byte> int32Bytes(std::span<const std::uint32_t> words)
{
    std::vector<std::byte> out(words.size() * 4);
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::uint32_t w = words[i];
        for (int b = 0; b < 4; ++b) out[i * 4 + static_cast<std::size_t>(b)] = static_cast<std::byte>((w >> (8 * b)) & 0xffu);
    }
    return out;
}

std::vector<std::byte> halfBytes(std::span<const float> values)
{
    std::vector<std::byte> out(values.size() * 2);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::uint16_t h = fp32ToFp16(values[i]);
        out[i * 2] = static_cast<std::byte>(h & 0xffu);
        out[i * 2 + 1] = static_cast<std::byte>(h >> 8);
    }
    return out;
}

const PackedView* findPacked(std::span<const PackedView> tensors, std::string_view suffix)
{
    for (const auto& t : tensors)
        if (t.suffix == suffix) return &t;
    return nullptr;
}

Error packError(ErrorCode code, std::string_view suffix, std::string detail)
{
    Error e = makeError(code, {}, std::move(detail));
    e.tensor = std::string(suffix);
    return e;
}

std::uint32_t loadWord(std::span<const std::byte> data, std::size_t index)
{
    std::uint32_t w = 0;
    for (int b = 0; b < 4; ++b) w |= static_cast<std::uint32_t>(data[index * 4 + static_cast<std::size_t>(b)]) << (8 * b);
    return w;
}

std::string shapeString(const std::vector<std::uint64_t>& shape)
{
    std::string t = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) t += (i ? ", " : "") + std::to_string(shape[i]);
    return t + "]";
}

Status checkPackedView(const PackedView* v, std::string_view suffix, std::initializer_list<DType> dtypes,
                       const std::vector<std::uint64_t>& shape)
{
    if (v == nullptr) return packError(ErrorCode::MissingTensor, suffix, "required tensor is missing");
    bool typeOk = false;
    for (DType t : dtypes) typeOk = typeOk || v->dtype == t;
    if (!typeOk) {
        std::string want;
        for (DType t : dtypes) want += (want.empty() ? "" : " or ") + std::string(dtypeName(t));
        return packError(ErrorCode::Malformed, suffix, "dtype " + std::string(dtypeName(v->dtype)) + ", expected " + want);
    }
    if (v->shape != shape)
        return packError(ErrorCode::Malformed, suffix, "shape " + shapeString(v->shape) + ", expected " + shapeString(shape));
    std::uint64_t n = 1;
    for (auto d : shape) {
        const auto m = checkedMul(n, d);
        if (!m) return packError(ErrorCode::Overflow, suffix, "shape " + shapeString(shape) + " overflows");
        n = *m;
    }
    const auto bytes = dtypeBytes(v->dtype, 1, n);
    if (!bytes || v->data.size() != *bytes)
        return packError(ErrorCode::Truncated, suffix, "holds " + std::to_string(v->data.size()) + " bytes, its shape needs " +
                                                           (bytes ? std::to_string(*bytes) : std::string("too many")));
    return okStatus();
}

std::vector<float> readFloats(const PackedView& v)
{
    const std::size_t n = v.data.size() / (v.dtype == DType::F32 ? 4 : 2);
    std::vector<float> out(n);
    convertToF32(v.dtype, v.data.data(), out.data(), n);
    return out;
}

Status checkFiniteScales(const std::vector<float>& scales, std::string_view suffix)
{
    for (std::size_t i = 0; i < scales.size(); ++i)
        if (!std::isfinite(scales[i]))
            return packError(ErrorCode::Malformed, suffix, "scale " + std::to_string(i) + " is not a finite number");
    return okStatus();
}

std::vector<std::uint32_t> readWords(const PackedView& v)
{
    std::vector<std::uint32_t> out(v.data.size() / 4);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = loadWord(v.data, i);
    return out;
}

} // namespace condense::io
