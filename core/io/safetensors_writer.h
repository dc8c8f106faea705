#pragma once
// safetensors writer (huggingface/safetensors README "Format"; ../shared/reference/formats.md 1.1),
// the ModelWriter of one .safetensors file:
//
//   u64 N | N bytes of JSON header, space-padded to a multiple of 8 | tensor bytes back to back
//   header: {"__metadata__": {"format": "pt"}, "<name>": {"dtype", "shape", "data_offsets"}, ...}
//
// Tensors are laid out in addTensor order. `__metadata__ = {"format": "pt"}` is always written
// (transformers refuses other values). Streaming as every ModelWriter: the header first, then each
// tensor's bytes from the producer; through AtomicFile, re-read with SafetensorsFile::open and
// compared with what was meant before the rename.

#include <cstdint>
#include <string>
#include <vector>

#include "core/io/model_writer.h"

namespace condense::io {

class SafetensorsWriter final : public ModelWriter {
public:
    std::string_view formatName() const override { return "safetensors"; }
    // `ne` in ggml order (innermost first), as every ModelWriter; addTensorShape takes PyTorch order.
    Status addTensor(std::string name, DType type, const std::vector<std::uint64_t>& ne) override;
    Status addTensorShape(std::string name, DType type, std::vector<std::uint64_t> shape);
    std::size_t tensorCount() const override { return m_tensors.size(); }
    std::uint64_t tensorBytes(std::size_t index) const override { return m_tensors.at(index).bytes; }
    std::uint64_t dataBytes() const { return m_dataBytes; }

    Result<ModelWriteReport> write(const std::filesystem::path& output, const TensorProducer& produce,
                                   const ModelWriteOptions& options, jobs::ProgressSink& progress,
                                   std::stop_token stop = {}) const override;

private:
    struct Entry {
        std::string name;
        DType type;
        std::vector<std::uint64_t> shape;
        std::uint64_t begin = 0;
        std::uint64_t bytes = 0;
    };
    std::string header() const;
    std::vector<Entry> m_tensors;
    std::uint64_t m_dataBytes = 0;
};

} // namespace condense::io
