#pragma once
// The calibration half of an HF-format export with method gptq or awq (runQuantize calls it
// before the export, quantize_request.h):
//
//   1. the calibration text: QuantizeRequest::calibration (a bundled set or a path; default
//      "general"), its calibration part (calibration_set.h), dialogues in the model's chat
//      template family;
//   2. chunks of min(512, the model's positions) tokens, at most calibrationTokens of them
//      (default kDefaultCalibrationTokens = 128 x 512, GPTQ's and AutoAWQ's usual amount);
//   3. gptq: model::quantizeBlockByBlock with model::GptqLinearQuantizer (sequential,
//      block_quantizer.h; damping raised or RTN fallback per tensor with a warning);
//      awq:  model::runAwq (AutoAWQ's search, folding and clipping, awq_model.h);
//   4. the results as the export's provider (HfLinearQuantizer: one quant::GptqResult per
//      linear, HF row order) and, for AWQ, the folded norms and biases as replacements.
//
// Progress: the calibration under Stage::Calibrating / Stage::Quantizing with the job-wide
// fraction in [0, calibrationShare]; the caller maps the export onto the rest. Cancellable
// (ErrorCode::Cancelled). Errors: the calibration text (missing, shorter than one chunk: naming
// it), the model (cannot run in the engine), the runs' own.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/pipeline/hf_export.h"

namespace condense::pipeline {

struct QuantizeRequest;

inline constexpr std::int64_t kDefaultCalibrationTokens = 128 * 512;
inline constexpr std::int64_t kDefaultCalibrationChunk = 512;

struct CalibratedExport {
    HfLinearQuantizer quantize;                             // the export's provider
    std::map<std::string, std::vector<float>> replacements; // AWQ's folded tensors (HF names)
    std::vector<Message> warnings;
    std::string calibrationLabel;  // "general (bundled)" or the path
    std::int64_t chunks = 0;
    std::int64_t chunkTokens = 0;
    double seconds = 0;            // wall time of the calibration run
};

// `method` is "gptq" or "awq". `calibrationShare` is the part of the job's fraction the
// calibration takes (the export follows); `jobStart` the job's start, for the ETA.
Result<CalibratedExport> runCalibratedExport(const QuantizeRequest& request, const std::string& method,
                                             double calibrationShare, std::chrono::steady_clock::time_point jobStart,
                                             jobs::ProgressSink& sink, std::stop_token stop = {});

} // namespace condense::pipeline
