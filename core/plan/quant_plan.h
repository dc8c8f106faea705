#pragma once
// QuantPlan: which type every tensor of a model gets, and why. It is the contract between the
// planner (core/plan/mixes.h builds one from a llama-quantize mix), the quantizer
// (core/quant/quantize_job.h streams a model through it), the CLI (`--dry-run` prints it,
// `--plan-out` saves it, `--plan` replays it) and the GUI.
//
// JSON form (version 2), written by toJson and read back by planFromJson:
//   {
//     "version": 2,
//     "format": "gguf",                 // "gguf"; "gptq", "awq", "compressed-tensors": a Hugging Face
//                                       // quantized folder (pipeline_run.h; the GGUF quantizer
//                                       // refuses them)
//     "method": "rtn",                  // "rtn" | "imatrix" (an importance matrix was used) |
//                                       // "gptq" | "awq"
//     "act_order": false,               // HF formats only (absent: false): GPTQ's desc_act
//     "mix": "Q4_K_M",                  // base mix (llama-quantize ftype name)
//     "file_type": 15,                  // general.file_type written (enum llama_ftype)
//     "imatrix": "imatrix.gguf",        // importance matrix the plan was made with, or null
//     "tensors": [                      // in output order
//       { "name": "blk.0.attn_v.weight", "ne": [256, 128],   // ggml order, innermost first
//         "input_type": "F16",
//         "type": "Q6_K",               // a ggml type, or instead of "type" (GPTQ/AWQ-style):
//                                       // "bits": 4, "group_size": 128, "symmetric": true
//         "reason": { "code": "mix_rule",                   // core/common/message.h keys
//                     "fields": { "tensor": "attn_v", "variant": "bump", ... } },
//         "fallback": true }, ...       // only when the shape fallback chose the type
//     ],
//     "totals": { "elements": 6819072, "bytes": 4330496, "input_bytes": 13705216,
//                 "bits_per_weight": 5.0805, "fallbacks": 0 }   // informative, not read back
//   }
// Bytes are never stored per tensor: TensorPlan::bytes() computes them from type and shape
// (tensorBytes; a ggml type: the tensor data bytes without alignment padding; bits + group:
// packedBytes below). Bits per weight = 8 * total output bytes / total elements of all tensors
// (as llama-quantize reports it).
//
// Version 1 (still read): no "method" (taken as "imatrix" when "imatrix" is set, else "rtn"),
// "format" must be "gguf", every tensor has "type" and may have "bytes" (checked against type and
// shape, then ignored), "reason" is free text (kept as MessageCode::LegacyText, field "text",
// which renders as the text itself).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/tensor/dtype.h"

namespace condense::plan {

enum class PlanFormat : std::uint8_t { Gguf, Gptq, Awq, CompressedTensors };
enum class PlanMethod : std::uint8_t { Rtn, Imatrix, Gptq, Awq };

std::string_view planFormatKey(PlanFormat f) noexcept; // "gguf", "gptq", "awq", "compressed-tensors"
std::optional<PlanFormat> planFormatFromKey(std::string_view key) noexcept;
std::string_view planMethodKey(PlanMethod m) noexcept; // "rtn", "imatrix", "gptq", "awq"
std::optional<PlanMethod> planMethodFromKey(std::string_view key) noexcept;

// A GPTQ/AWQ-style encoding: `bits` per weight in groups of `groupSize` weights along the row
// (0: one group per row), with (asymmetric) or without (symmetric) a stored zero point.
struct GroupEncoding {
    std::uint32_t bits = 4;
    std::uint32_t groupSize = 128;
    bool symmetric = true;
    bool operator==(const GroupEncoding&) const = default;
};

struct TensorPlan {
    std::string name;
    std::vector<std::uint64_t> ne; // ggml order (innermost first), as stored (1 to 4 dims)
    DType inputType = DType::F32;   // type of the tensor in the input (the float conversion's type for HF input)
    DType type = DType::F32;        // ggml type written (meaningless when `group` is set)
    std::optional<GroupEncoding> group; // bits + group size instead of a ggml type (GPTQ/AWQ plans)
    Message reason;                 // why this encoding (MessageCode::MixDefault, MixRule, Fallback, ...)
    bool fallback = false;          // the type came from the shape fallback

    std::uint64_t elements() const;
    // Bytes written for this tensor (no padding): tensorBytes or packedBytes; 0 when the row
    // length does not fit the block.
    std::uint64_t bytes() const;
};

struct QuantPlan {
    PlanFormat format = PlanFormat::Gguf;
    PlanMethod method = PlanMethod::Rtn;
    std::string mix;                // "Q4_K_M"
    std::uint32_t fileType = 0;     // general.file_type (enum llama_ftype)
    std::string imatrix;            // label of the importance matrix used ("" if none)
    bool actOrder = false;          // HF formats, method gptq: columns swept by decreasing Hessian diagonal (desc_act)
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
// Bytes of a tensor of shape `ne` (K = ne[0] inputs per row, N = the product of the other
// dimensions) as a GPTQ checkpoint stores it, with G = ceil(K / groupSize) groups per row
// (G = 1 when groupSize is 0):
//   qweight int32 [ceil(K * bits / 32), N]   packed weights
//   scales  fp16  [G, N]
//   qzeros  int32 [G, ceil(N * bits / 32)]   (stored by GPTQ even when symmetric)
//   g_idx   int32 [K]
// 0 for bits outside 2..8.
std::uint64_t packedBytes(const GroupEncoding& enc, const std::vector<std::uint64_t>& ne);

// Writes version 2.
std::string toJson(const QuantPlan& plan, int indent = 2);
// Parses and checks a plan of version 1 or 2 (types known, shapes positive, row lengths fitting
// the type's block, version 1's bytes consistent with type and shape).
// `label` names the source in errors (usually the file path).
Result<QuantPlan> planFromJson(std::string_view text, const std::string& label);

} // namespace condense::plan
