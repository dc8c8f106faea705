#pragma once
// The streaming quantizer: a model (Hugging Face folder / .safetensors with F32/F16/BF16
// weights, or a GGUF) -> a GGUF whose tensors follow a QuantPlan (a llama-quantize mix, with
// --tensor-type overrides, or a replayed plan file), written exactly as llama-quantize writes it
// (src/llama-quant.cpp llama_model_quantize_impl at llama.cpp 34af94cd; formats.md 4.1):
//
//   - tensors in llama-quantize's order (blk layer, then name: plan::llamaTensorOrderLess);
//   - KV pairs: the input's in input order, minus split.no/split.count/split.tensors.count,
//     with general.quantization_version (u32 2) and general.file_type (u32, the mix's
//     llama_ftype) removed and appended at the end, then with an importance matrix:
//     quantize.imatrix.file (the label, <= 127 bytes), quantize.imatrix.dataset (first dataset),
//     quantize.imatrix.entries_count (u32), quantize.imatrix.chunks_count (u32, when > 0);
//   - a tensor whose planned type equals its input type is copied byte for byte; otherwise its
//     rows are converted to F32 (F16/BF16 exactly, block types through dequantizeRows: a
//     requantization, reported as a warning) and quantized row by row with the kernels of
//     core/quant (importance: that tensor's imatrix vector, per expert slice for 3-D tensors).
//
// Hugging Face input goes through the conversion of core/io/gguf_convert.h without an
// intermediate file: metadata and tensor names/permutation as the F16 conversion writes them,
// rows read from the safetensors and converted to F32 directly. For an F16 checkpoint this is
// byte-identical to quantizing our (= llama.cpp's) F16 GGUF; for BF16/F32 checkpoints it equals
// quantizing a BF16/F32 GGUF (no F16 rounding in between).
//
// Streaming: one tensor at a time, in slices of rows (a few MB of output) converted and
// quantized in parallel inside the job's ThreadArena while the previous slice is being written
// (double buffering); input pages of a finished slice are released (madvise DONTNEED on the
// read-only mapping), so peak memory is two slices plus, for Q/K-permuted tensors, one tensor's
// input -- never the model. Progress: Stage::Quantizing with input bytes done/total and the tensor name. The stop
// token is checked between slices and between row tasks: Cancel returns ErrorCode::Cancelled
// and leaves neither output nor temporary file (GgufWriter). A NaN/Inf weight in a tensor that
// is converted is an error naming the tensor and the first bad element.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/io/spill_file.h"
#include "core/jobs/progress.h"
#include "core/plan/mixes.h"
#include "core/plan/quant_plan.h"
#include "core/quant/imatrix.h"

namespace condense::pipeline {

struct QuantizeConfig {
    std::string mix = "Q4_K_M"; // llama-quantize ftype name (plan::findMix); ignored when `plan` is set
    std::shared_ptr<const quant::ImportanceMatrix> imatrix;
    // Written as quantize.imatrix.file; llama-quantize writes the path as given on its command
    // line. Empty: imatrix->path().string().
    std::string imatrixLabel;
    std::vector<plan::TensorTypeOverride> overrides; // --tensor-type, first match wins
    std::optional<DType> outputTensorType;
    std::optional<DType> tokenEmbeddingType;
    bool pure = false;
    bool leaveOutputTensor = false;
    // Replay: these exact types (validated against the model: same tensor names and shapes).
    std::optional<plan::QuantPlan> plan;
    int threads = 0; // 0: all cores
    // Tensors whose data was computed elsewhere (GPTQ inside ggml blocks, gguf_gptq_run.h), by
    // GGUF name, parked in a spill file (io/spill_file.h): written verbatim in place of quantizing. Each must be a tensor of the plan whose
    // planned type differs from its input type, with exactly the plan's byte size for that type
    // (llama.cpp's row order); the importance-matrix requirement of its type does not apply to it.
    // Every other tensor is produced exactly as without this.
    std::shared_ptr<const io::SpillFile> precomputed;
};

struct PlannedQuantization {
    plan::QuantPlan plan;
    std::vector<Message> warnings; // tensors the imatrix lacks, requantized inputs, ...
};

struct QuantizeReport {
    std::filesystem::path output;
    std::uint64_t fileBytes = 0;
    plan::QuantPlan plan;
    std::vector<Message> warnings;
};

// Whether a type can be written by runQuantize (float types and the block types with kernels).
bool canWriteType(DType t) noexcept;

// The plan runQuantize would follow (what --dry-run prints); reads headers only, writes nothing.
// Fails where runQuantize would fail before writing: unknown mix, bad override, plan not matching
// the model, missing required imatrix, imatrix length mismatch, unwritable type.
Result<PlannedQuantization> planQuantization(const io::Checkpoint& input, const QuantizeConfig& config);

// Checks an edited plan against the model without quantizing: every tensor named and shaped as in
// the model, a gguf plan with ggml types we can write, row lengths fitting the block size, and
// types that need an importance matrix only in a plan whose method is "imatrix". Reads headers
// and config.json only: a Hugging Face checkpoint's tokenizer is not read (cheap enough to run
// after every edit). Returns the warnings runQuantize would give (requantized inputs, ...)
// other than the tokenizer's and the importance matrix's.
Result<std::vector<Message>> checkPlan(const io::Checkpoint& input, const plan::QuantPlan& plan);

Result<QuantizeReport> runQuantize(const io::Checkpoint& input, const std::filesystem::path& output,
                                   const QuantizeConfig& config, jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::pipeline
