#pragma once
// GptqLinearQuantizer: the standard per-linear quantizer of quantizeBlockByBlock
// (block_quantizer.h): quant::gptqQuantize with the caller's GptqOptions (bits, group, sym,
// act-order, static groups, damping), the results kept compactly per Hugging Face name for the
// exporters (GPTQ v1/v2, compressed-tensors, which pack quant::GptqResult).
//
// Bad Hessians (the "not positive definite after dampening"): gptqQuantize raises the
// damping by options.dampIncrement while it stays below 1 (0: no retry); when that worked, a
// warning MessageCode::GptqDampingRaised (tensor = HF name, fields "from", "to": the damping
// fractions) is kept; when GPTQ still fails (not positive definite, or the error feedback
// overflowed), the tensor is quantized by round-to-nearest on the same grids
// (quant::rtnQuantize) with a warning MessageCode::GptqRtnFallback (tensor = HF name, field
// "damping": the last fraction tried). A stop request is never turned into a fallback.
//
// Memory: per linear kept, the codes packed at `bits` bits (PackedGptqLinear), scales (float)
// and zeros (one byte) per group and row, g_idx: TinyLlama-1.1B at 4 bits, groups of 128,
// about 0.53 bytes a weight (510 MB for its 968 M block weights). The dequantized weight goes
// to the driver (which installs it for the re-run and drops it after) and is not kept.
//
//   GptqLinearQuantizer gptq({.bits = 4, .groupSize = 128, .dampIncrement = 0.01});
//   auto stats = quantizeBlockByBlock(session, chunks, gptq.quantizer(), {}, sink, stop);
//   for (auto& [hfName, packed] : gptq.results()) exporter.add(hfName, packed.unpack(false));
//
// Thread-safe: the driver calls it for several linears at once.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/common/message.h"
#include "core/model/block_quantizer.h"
#include "core/quant/gptq.h"

namespace condense::model {

// A quant::GptqResult without its dequantized copy, codes bit-packed.
struct PackedGptqLinear {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::int64_t groups = 0;
    int bits = 4;
    // rows x cols codes, row-major, original column order, each `bits` bits, least significant
    // bit first, packed back to back across bytes (ceil(rows * cols * bits / 8) bytes).
    std::vector<std::uint8_t> codes;
    std::vector<float> scales;          // groups x rows
    std::vector<std::uint8_t> zeros;    // groups x rows (the zero point itself)
    std::vector<std::int32_t> gIdx;     // cols
    std::vector<std::int32_t> order;    // cols (act-order's processing order)

    static PackedGptqLinear pack(const quant::GptqResult& r, int bits);
    std::uint8_t code(std::int64_t row, std::int64_t col) const;
    // The GptqResult the exporters take (dequantized filled only when asked; damping and loss
    // are not kept here: see GptqLinearReport).
    quant::GptqResult unpack(bool withDequantized = false) const;
    std::uint64_t bytes() const;
};

struct GptqLinearReport {
    std::int64_t layer = 0;
    WeightRole role = WeightRole::AttnQ;
    std::string hfName;
    std::string ggufName;
    std::int64_t rows = 0, cols = 0;
    std::int64_t tokens = 0;        // calibration rows in the Hessian
    double loss = 0;                // gptqQuantize's loss; for a fallback, tr(dW H dW^T) / 2 (NaN when
                                    // the quantizer took the Hessian's buffer: the site's last linear)
    double percDampUsed = 0;        // damping fraction that worked (the last tried for a fallback)
    bool rtnFallback = false;
    std::int64_t deadColumns = 0;
    double seconds = 0;
};

class GptqLinearQuantizer {
public:
    explicit GptqLinearQuantizer(quant::GptqOptions options);
    GptqLinearQuantizer(const GptqLinearQuantizer&) = delete;
    GptqLinearQuantizer& operator=(const GptqLinearQuantizer&) = delete;

    // The hook for quantizeBlockByBlock (refers to this object: keep it alive during the run).
    LinearQuantizer quantizer();
    Result<std::vector<float>> quantize(const LinearJob& job, std::stop_token stop);

    const quant::GptqOptions& options() const { return m_options; }
    // Hands every result to `f` as soon as it is made instead of keeping it (an exporter that
    // writes as it goes holds no results at all: TinyLlama at 4 bits saves 510 MB). Called
    // under a lock, one linear at a time, from the quantizer's threads; an error stops the run.
    void setResultSink(std::function<Status(const GptqLinearReport&, PackedGptqLinear&&)> f) { m_onResult = std::move(f); }
    // After the run (not while it runs): results by HF name, reports in layer and role order,
    // warnings in the same order.
    const std::map<std::string, PackedGptqLinear>& results() const { return m_results; }
    std::optional<PackedGptqLinear> take(const std::string& hfName);
    std::vector<GptqLinearReport> reports() const;
    std::vector<Message> warnings() const;
    std::uint64_t resultBytes() const;

private:
    quant::GptqOptions m_options;
    mutable std::mutex m_mutex;
    std::map<std::string, PackedGptqLinear> m_results;
    std::vector<GptqLinearReport> m_reports;
    std::function<Status(const GptqLinearReport&, PackedGptqLinear&&)> m_onResult;
};

} // namespace condense::model
