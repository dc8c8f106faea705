#include "core/quant/packed_linear.h"

#include <cmath>

#include "core/io/packed_linear_reader.h"
#include "core/quant/awq_packing.h"
#include "core/quant/compressed_tensors_packing.h"
#include "core/quant/gptq_packing.h"
#include "core/tensor/float_convert.h"

namespace condense::quant {

namespace {

Error invalid(std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); }

} // namespace

void dequantizeCodes(GptqResult& r)
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

Status roundScalesToHalf(GptqResult& r)
{
    for (std::size_t i = 0; i < r.scales.size(); ++i) {
        const float s = r.scales[i];
        if (!std::isfinite(s) || std::fabs(s) > 65504.0f)
            return invalid("scale " + std::to_string(s) + " (group " + std::to_string(r.rows ? i / static_cast<std::size_t>(r.rows) : 0) +
                           ") does not fit F16");
        r.scales[i] = fp16ToFp32(fp32ToFp16(s));
    }
    dequantizeCodes(r);
    return okStatus();
}

Result<std::vector<PackedTensor>> packLinear(const GptqResult& r, const PackConfig& config)
{
    CONDENSE_TRY(checkPackConfig(config, r.rows, r.cols));
    const auto n = static_cast<std::size_t>(r.rows * r.cols);
    if (r.codes.size() != n || r.gIdx.size() != static_cast<std::size_t>(r.cols) || r.groups <= 0 ||
        r.scales.size() != static_cast<std::size_t>(r.groups * r.rows) || r.zeros.size() != r.scales.size())
        return invalid("quantized linear has inconsistent sizes");
    const int maxq = (1 << config.bits) - 1;
    for (auto q : r.codes)
        if (q > maxq) return invalid("code " + std::to_string(q) + " does not fit " + std::to_string(config.bits) + " bits");
    for (auto z : r.zeros)
        if (z > maxq) return invalid("zero point " + std::to_string(z) + " does not fit " + std::to_string(config.bits) + " bits");
    for (auto g : r.gIdx)
        if (g < 0 || g >= r.groups) return invalid("g_idx value " + std::to_string(g) + " outside 0.." + std::to_string(r.groups - 1));
    switch (config.format) {
    case HfQuantFormat::GptqV1:
    case HfQuantFormat::GptqV2: return packGptq(r, config);
    case HfQuantFormat::CompressedTensors: return packCompressedTensors(r, config);
    case HfQuantFormat::AwqGemm: return packAwqGemm(r, config);
    }
    return invalid("unknown format");
}

Result<GptqResult> unpackLinear(std::span<const PackedView> tensors, const PackConfig& config)
{
    auto u = io::unpackPackedLinear(tensors, config);
    if (!u) return std::move(u).error();
    GptqResult r;
    r.rows = u->rows;
    r.cols = u->cols;
    r.groups = u->groups;
    r.codes = std::move(u->codes);
    r.scales = std::move(u->scales);
    r.zeros = std::move(u->zeros);
    r.gIdx = std::move(u->gIdx);
    r.dequantized = std::move(u->dequantized);
    r.order.resize(static_cast<std::size_t>(r.cols));
    for (std::size_t i = 0; i < r.order.size(); ++i) r.order[i] = static_cast<std::int32_t>(i);
    return r;
}

} // namespace condense::quant
