#pragma once
// Export of a Hugging Face model folder as an integer-quantized HF checkpoint: GPTQ (v1 "gptq",
// or "gptq_v2" for zero points), compressed-tensors "pack-quantized", AutoAWQ GEMM
// (core/quant/packed_linear.h for the layouts; ../shared/reference/formats.md 6-7).
//
// Which tensors change: the decoder blocks' q/k/v/o and gate/up/down projection weights only
// (as GPTQModel / AutoAWQ / llm-compressor: embeddings, lm_head, norms and biases stay). Every
// other tensor is copied with its original name, dtype and bytes, except the `replacements`
// (float values, written in the source tensor's dtype: AWQ's scales folded into norms). Each
// quantized `<p>.weight` becomes the format's tensors `<p>.<suffix>` at the same position.
// config.json gains the `quantization_config` the loaders read (and quantize_config.json is
// written for GPTQ); tokenizer files, generation_config.json and special_tokens_map.json are
// copied. The folder is written by io::writeHfFolder (atomic, sharded like HF when big), one
// tensor at a time: at most one linear (original floats, its codes and its packed tensors) is
// in memory at once.
//
// THE ENTRY POINT FOR GPTQ / AWQ: HfExportRequest::quantize. Empty: round-to-nearest
// (quant::rtnQuantize on GPTQ's grid; quant::awqQuantize, AWQ's own grid with f16 scales, for
// the AWQ format). A GPTQ or AWQ run sets it to a function returning its GptqResult for the linear asked
// (codes in original column order, float scales: they are rounded to F16 here), and puts its
// folded norm weights into `replacements`. The function is called once per quantized linear, in
// file order, from the writing thread.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"
#include "core/quant/gptq.h"
#include "core/quant/packed_linear.h"

namespace condense::pipeline {

// One linear the export quantizes.
struct HfLinear {
    std::string prefix;      // "model.layers.0.self_attn.q_proj" (its weight is prefix + ".weight")
    std::size_t tensor = 0;  // index of the weight in the input checkpoint
    std::int64_t rows = 0;   // out_features
    std::int64_t cols = 0;   // in_features
};

// Quantized form of one linear; `weight` is its original weight as floats, rows x cols
// ([out, in], HF orientation, no llama.cpp Q/K permutation).
using HfLinearQuantizer =
    std::function<Result<quant::GptqResult>(const HfLinear& linear, std::span<const float> weight, std::stop_token stop)>;

struct HfExportRequest {
    std::filesystem::path input;  // Hugging Face folder (or .safetensors with its config.json)
    std::filesystem::path output; // the folder to create
    quant::PackConfig pack;       // format, bits, group size, symmetric, act-order
    std::string method = "rtn";   // recorded in the quantization config ("rtn", "gptq", "awq")
    HfLinearQuantizer quantize;   // empty: RTN (see above)
    std::map<std::string, std::vector<float>> replacements; // tensor name -> values (same element count)
    double dampPercent = 0.01;    // recorded in GPTQ's config
    bool staticGroups = false;    // recorded in GPTQ's config (act-order with natural g_idx)
    bool trueSequential = true;   // recorded in GPTQ's config
    std::uint64_t maxShardBytes = 5'000'000'000ull;
};

struct HfExportOutcome {
    std::filesystem::path output;
    std::uint64_t fileBytes = 0;
    std::uint64_t tensors = 0;          // tensors written
    std::uint64_t quantizedLinears = 0;
    std::uint64_t shards = 0;
    std::string formatLabel;            // "gptq", "gptq_v2", "compressed-tensors", "awq"
    std::vector<Message> warnings;
};

// Whether a checkpoint tensor is one of the linears the exports quantize.
bool isExportedLinear(std::string_view hfName);

// The quantization_config object (JSON text) written for `request` (config.json and, for GPTQ,
// quantize_config.json).
std::string hfQuantizationConfig(const HfExportRequest& request);

Result<HfExportOutcome> runHfExport(const HfExportRequest& request, jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::pipeline
