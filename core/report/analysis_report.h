#pragma once
// The `analyze` document: weight statistics and quantization previews as JSON (written by
// `condense-cli analyze --json`, read by the GUI's Inspect page export and by scripts).
// Schema (version 1); numbers that are not finite (an SNR of an exact round trip) are null:
// { "schema": "condense.analysis", "version": 1,
//   "path", "format",
//   "preview": "Q4_K" | "Q4_K_M" | "plan" | null,     // what the previews quantize to
//   "histogram_bins": 256, "histogram_range": "sample mean -+ 8 sample std",
//   "summary": {"tensors", "analyzed", "from_cache", "failed", "non_finite"},
//   "tensors": [{
//       "name", "type", "shape": [outermost first], "rows", "cols", "layer" (-1 outside blocks),
//       "error": null | {"code": errorCodeName, "detail"},       // nothing below when set
//       "non_finite": bool, "from_cache": bool,
//       "stats": {"count", "finite", "nan", "inf", "zeros", "mean", "std", "min", "max",
//                 "abs_max", "kurtosis" (excess), "beyond_3std", "beyond_6std" (shares)},
//       "top_outliers": [{"row", "col", "value"}],              // largest |w| first, <= 32
//       "preview": null | {"type", "rel_rmse", "snr_db", "max_abs_error",
//                          "weighted_rel_rmse" (null without importance)},
//       with details only (--histogram):
//       "histogram": {"lo", "hi", "under", "over", "bins": [256 counts]},  // bins+under+over = finite
//       "outlier_map": {"rows", "cols", "cells": [rows*cols, row-major, max |w| / std]},
//       "columns": {"l2": [cols], "max_abs": [cols]} }],
//   "layers": [{"layer", "rel_rmse", "snr_db", "max_abs_error", "weighted_rel_rmse"}],
//   "total": null | {"rel_rmse", "snr_db", "max_abs_error", "weighted_rel_rmse"} }

#include <string>

#include "core/analysis/model_analysis.h"
#include "core/io/checkpoint.h"

namespace condense::report {

std::string analysisJson(const io::Checkpoint& ck, const analysis::ModelAnalysis& a, const std::string& previewLabel,
                         bool details, int indent = 2);

} // namespace condense::report
