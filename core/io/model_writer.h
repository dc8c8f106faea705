#pragma once
// ModelWriter: what every model file format Condense writes offers the jobs that fill it
// (quantization now; GPTQ / AWQ / other formats plug in as further implementations).
//
//   1. addTensor(): the tensors in file order (name, stored type, ggml-order shape);
//   2. write():     streams the file: the writer asks the producer for each tensor's bytes in
//                   order, one tensor at a time, so a whole model never sits in memory.
//
// Every implementation writes through AtomicFile (core/io/atomic_file.h): the target name only
// ever holds a complete, re-validated file, an input is never overwritten, and an error or a
// cancellation leaves nothing behind. Format-specific metadata stays on the implementation
// (GgufWriter::set for GGUF keys).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/tensor/dtype.h"

namespace condense::io {

// Where a producer writes one tensor's bytes (in order, any number of calls).
class TensorOutput {
public:
    virtual ~TensorOutput() = default;
    virtual Status write(std::span<const std::byte> bytes) = 0;
};

struct ModelWriteOptions {
    // Files that must never be overwritten (the inputs of a conversion).
    std::vector<std::filesystem::path> inputs;
    // Stage reported once per tensor (with the tensor name as item) while its bytes are produced.
    jobs::Stage tensorStage = jobs::Stage::Writing;
};

struct ModelWriteReport {
    std::filesystem::path path;
    std::uint64_t bytes = 0;
};

class ModelWriter {
public:
    // Produces tensor `index` (in addTensor order): must write exactly its stored bytes.
    using TensorProducer = std::function<Status(std::size_t index, TensorOutput& out)>;

    virtual ~ModelWriter() = default;

    // "gguf", ... (what a plan's "format" names).
    virtual std::string_view formatName() const = 0;
    // Adds a tensor of `ne` (ggml order, innermost first) stored as `type`.
    virtual Status addTensor(std::string name, DType type, const std::vector<std::uint64_t>& ne) = 0;
    virtual std::size_t tensorCount() const = 0;
    // Bytes tensor `index` takes as stored (what its producer must write).
    virtual std::uint64_t tensorBytes(std::size_t index) const = 0;

    virtual Result<ModelWriteReport> write(const std::filesystem::path& output, const TensorProducer& produce,
                                           const ModelWriteOptions& options, jobs::ProgressSink& progress,
                                           std::stop_token stop = {}) const = 0;

protected:
    ModelWriter() = default;
    ModelWriter(const ModelWriter&) = default;
    ModelWriter(ModelWriter&&) = default;
    ModelWriter& operator=(const ModelWriter&) = default;
    ModelWriter& operator=(ModelWriter&&) = default;
};

} // namespace condense::io
