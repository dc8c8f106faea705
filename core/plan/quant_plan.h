#pragma once
// QuantPlan: which type every tensor of a model gets, and why. It is the contract between the
// planner (core/plan/mixes.h builds one from a llama-quantize mix), the quantizer
// (core/quant/quantize_job.h streams a model through it), the CLI (`--dry-run` prints it,
// `--plan-out` saves it, `--plan` replays it) and the GUI.
//
// JSON form (version 1), written by toJson and read back by planFromJson:
//   {
//     "format": "gguf",                 // only GGUF plans exist so far
//     "version": 1,
//     "mix": "Q4_K_M",                  // base mix (llama-quantize ftype name)
//     "file_type": 15,                  // general.file_type written (enum llama_ftype)
//     "imatrix": "imatrix.gguf",        // importance matrix the plan was made with, or null
//     "tensors": [                      // in output order
//       { "name": "blk.0.attn_v.weight", "ne": [256, 128],   // ggml order, innermost first
//         "input_type": "F16", "type": "Q6_K", "bytes": 26880,
//         "reason": "mix rule: attn_v bump (Q4_K_M: use_more_bits, layer 2 of 6)" }, ...
//     ],
//     "totals": { "elements": 6819072, "bytes": 4330496, "input_bytes": 13705216,
//                 "bits_per_weight": 5.0805, "fallbacks": 0 }
//   }
// Bits per weight = 8 * total output bytes / total elements of all tensors (as llama-quantize
// reports it). "bytes" are the tensor data bytes without alignment padding.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/tensor/dtype.h"

namespace condense::plan {

struct TensorPlan {
    std::string name;
    std::vector<std::uint64_t> ne; // ggml order (innermost first), as stored (1 to 4 dims)
    DType inputType = DType::F32;   // type of the tensor in the input (the float conversion's type for HF input)
    DType type = DType::F32;        // type written
    std::uint64_t bytes = 0;        // bytes written for this tensor (no padding)
    std::string reason;             // why this type: "mix default", "mix rule: ...", "fallback: ...", ...
    bool fallback = false;          // the type came from the shape fallback

    std::uint64_t elements() const;
};

struct QuantPlan {
    std::string format = "gguf";
    std::string mix;                // "Q4_K_M"
    std::uint32_t fileType = 0;     // general.file_type (enum llama_ftype)
    std::string imatrix;            // label of the importance matrix used ("" if none)
    std::vector<TensorPlan> tensors;

    std::uint64_t totalElements() const;
    std::uint64_t totalBytes() const;
    std::uint64_t totalInputBytes() const;
    double bitsPerWeight() const;
    std::size_t fallbacks() const;
    // Index of a tensor by name, or -1.
    std::int64_t find(std::string_view name) const;
};

// Bytes of a tensor of shape `ne` stored as `type` (0 when the row length does not fit the block).
std::uint64_t tensorBytes(DType type, const std::vector<std::uint64_t>& ne);

std::string toJson(const QuantPlan& plan, int indent = 2);
// Parses and checks a plan (types known, shapes positive, bytes consistent with type and shape).
// `label` names the source in errors (usually the file path).
Result<QuantPlan> planFromJson(std::string_view text, const std::string& label);

} // namespace condense::plan
