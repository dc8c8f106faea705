#pragma once
// Builders of small synthetic checkpoints and the damage the bad-input tests do to them.
//
// The serializers here are written for the tests and share no code with core's reader or
// writer, so a bug in core cannot cancel out in a round trip.
//
// GGUF v3 (ggml-org/ggml docs/gguf.md; ../shared/reference/formats.md 2.1), little-endian:
//   u32 magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
//   n_kv × { u64 len, key bytes | u32 value type | value }
//        value: scalar bytes | string = u64 len + bytes | array = u32 elem type, u64 n, n values
//   n_tensors × { u64 len, name | u32 n_dims | u64 ne[n_dims] | u32 ggml type | u64 offset }
//   zero padding to the alignment | data: each tensor at its offset, padded to the alignment
// safetensors (huggingface/safetensors README): u64 N | N bytes JSON header (space padded to a
//   multiple of 8) | buffer; header { name: {dtype, shape, data_offsets: [begin, end)} }.
// Hugging Face folder: config.json, model.safetensors or model.safetensors.index.json
//   ({"metadata": {...}, "weight_map": {tensor: shard file}}) plus the shards.
//
// Builders record where every section starts and ends (GgufLayout) so a test can cut the file
// or overwrite a field at an exact boundary.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace condense::test {

// ---- little-endian byte helpers ------------------------------------------------------------
void putU8(std::string& b, std::uint8_t v);
void putU16(std::string& b, std::uint16_t v);
void putU32(std::string& b, std::uint32_t v);
void putU64(std::string& b, std::uint64_t v);
void putF32(std::string& b, float v);
void putF64(std::string& b, double v);
void putGgufString(std::string& b, const std::string& s); // u64 length + bytes
// Overwrite in place (the position must lie inside the buffer).
void pokeU32(std::string& b, std::size_t at, std::uint32_t v);
void pokeU64(std::string& b, std::size_t at, std::uint64_t v);
std::uint64_t peekU64(const std::string& b, std::size_t at);
// The first n bytes.
std::string truncated(const std::string& b, std::size_t n);

// ---- GGUF --------------------------------------------------------------------------------
// Value type ids (gguf.md "gguf_metadata_value_type").
namespace gguf {
constexpr std::uint32_t kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
                        kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12;
constexpr std::uint32_t kMagic = 0x46554747u; // "GGUF" read as little-endian u32
} // namespace gguf

// ggml type ids and their block geometry (ggml.h enum ggml_type; ggml-common.h block structs).
namespace ggml {
constexpr std::uint32_t kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ8_0 = 8, kQ4_K = 12, kQ6_K = 14, kBF16 = 30;
} // namespace ggml

struct GgufKvLayout {
    std::size_t start = 0;    // the key's u64 length
    std::size_t keyBytes = 0; // first byte of the key text
    std::size_t typeAt = 0;   // the u32 value type
    std::size_t valueAt = 0;  // first byte of the value (for arrays: the element type)
    std::size_t end = 0;      // one past the value
};

struct GgufTensorLayout {
    std::size_t start = 0;  // the name's u64 length
    std::size_t nDimsAt = 0;
    std::size_t neAt = 0;   // ne[0]
    std::size_t typeAt = 0;
    std::size_t offsetAt = 0;
    std::size_t end = 0;
    std::size_t dataAt = 0; // absolute position of its data
    std::uint64_t bytes = 0;
};

struct GgufLayout {
    std::string bytes;
    static constexpr std::size_t kAfterMagic = 4, kAfterVersion = 8, kAfterTensorCount = 16, kAfterKvCount = 24;
    std::vector<GgufKvLayout> kvs;
    std::vector<GgufTensorLayout> tensors;
    std::size_t infosEnd = 0;  // one past the last tensor info
    std::size_t dataStart = 0; // aligned start of the data section
};

class GgufBuilder {
public:
    std::uint32_t magic = gguf::kMagic;
    std::uint32_t version = 3;
    std::uint32_t alignment = 32; // layout only; add a general.alignment KV to announce another
    std::optional<std::uint64_t> tensorCountOverride;
    std::optional<std::uint64_t> kvCountOverride;

    // A KV whose value bytes are given already encoded (anything, valid or not).
    GgufBuilder& kvRaw(const std::string& key, std::uint32_t type, std::string encodedValue);
    GgufBuilder& kvU8(const std::string& key, std::uint8_t v);
    GgufBuilder& kvI8(const std::string& key, std::int8_t v);
    GgufBuilder& kvU16(const std::string& key, std::uint16_t v);
    GgufBuilder& kvI16(const std::string& key, std::int16_t v);
    GgufBuilder& kvU32(const std::string& key, std::uint32_t v);
    GgufBuilder& kvI32(const std::string& key, std::int32_t v);
    GgufBuilder& kvU64(const std::string& key, std::uint64_t v);
    GgufBuilder& kvI64(const std::string& key, std::int64_t v);
    GgufBuilder& kvF32(const std::string& key, float v);
    GgufBuilder& kvF64(const std::string& key, double v);
    GgufBuilder& kvBool(const std::string& key, bool v);
    GgufBuilder& kvString(const std::string& key, const std::string& v);
    GgufBuilder& kvStringArray(const std::string& key, const std::vector<std::string>& v);
    GgufBuilder& kvI32Array(const std::string& key, const std::vector<std::int32_t>& v);
    GgufBuilder& kvF32Array(const std::string& key, const std::vector<float>& v);

    // A tensor of `bytes` bytes (deterministic pattern), placed after the previous one at the
    // next aligned offset unless `offset` is given. `ne` is ggml order (innermost first); an
    // empty or 5-long `ne` writes n_dims 0 or 5 as given.
    GgufBuilder& tensor(const std::string& name, std::vector<std::uint64_t> ne, std::uint32_t ggmlType,
                        std::uint64_t bytes, std::optional<std::uint64_t> offset = std::nullopt);

    GgufLayout build() const;

private:
    struct Kv {
        std::string key;
        std::uint32_t type;
        std::string value;
    };
    struct Tensor {
        std::string name;
        std::vector<std::uint64_t> ne;
        std::uint32_t type;
        std::uint64_t bytes;
        std::optional<std::uint64_t> offset;
    };
    std::vector<Kv> m_kvs;
    std::vector<Tensor> m_tensors;
};

// A valid GGUF using every metadata value type (scalars of each width, bool, string, string
// and numeric arrays) and three tensors (F16 [32,4], F32 [32], Q8_0 [32,2]).
GgufBuilder sampleGguf();

// ---- safetensors -------------------------------------------------------------------------
class SafetensorsBuilder {
public:
    // A tensor of shape × elementBytes bytes (deterministic pattern), placed after the previous.
    SafetensorsBuilder& tensor(const std::string& name, const std::string& dtype, std::vector<std::uint64_t> shape,
                               std::uint64_t elementBytes);
    SafetensorsBuilder& metadata(const std::string& key, const std::string& value);

    // The header with contiguous data_offsets, in insertion order (edit it to break things).
    nlohmann::ordered_json header() const;
    std::string buffer() const;
    std::string build() const { return assemble(header().dump(), buffer()); }
    const std::vector<std::string>& names() const { return m_names; }

    // u64 length + header text (space padded to a multiple of 8) + buffer.
    static std::string assemble(const std::string& headerText, const std::string& buffer);
    // Same with an arbitrary announced header length.
    static std::string assembleWithLength(std::uint64_t headerLength, const std::string& headerText,
                                          const std::string& buffer);

private:
    struct Tensor {
        std::string name;
        std::string dtype;
        std::vector<std::uint64_t> shape;
        std::uint64_t bytes;
    };
    std::vector<Tensor> m_tensors;
    std::vector<std::string> m_names;
    std::vector<std::pair<std::string, std::string>> m_metadata;
};

// F16 tensors of a one-layer toy llama (hidden 32, vocab 16) in one file.
SafetensorsBuilder sampleSafetensors();

// ---- Hugging Face folder -----------------------------------------------------------------
// config.json of a toy LlamaForCausalLM (hidden 32, intermediate 64, 1 layer, 4 heads, 2 KV
// heads, vocab 16) in transformers 5 spelling.
nlohmann::ordered_json sampleConfig();

struct HfFolder {
    std::optional<std::string> configText = sampleConfig().dump(2); // nullopt: no config.json
    std::vector<std::pair<std::string, std::string>> files;            // file name -> bytes
    std::optional<std::string> indexText;                              // model.safetensors.index.json

    // config + model.safetensors (sampleSafetensors()).
    static HfFolder single();
    // config + model-00001-of-00002.safetensors, model-00002-of-00002.safetensors + index.
    static HfFolder sharded();
    // The index weight_map for shards given as (file name, builder).
    static nlohmann::ordered_json indexFor(const std::vector<std::pair<std::string, SafetensorsBuilder>>& shards);
    // The two shards sharded() writes.
    static std::vector<std::pair<std::string, SafetensorsBuilder>> sampleShards();

    void write(const std::filesystem::path& dir) const;
};

// Bytes of a (never to be unpickled) PyTorch pickle: protocol-2 header and a few opcodes.
std::string picklePayload();
// A zip local-file header, as torch.save's zip container starts.
std::string zipPayload();

// ---- the catalogue -------------------------------------------------------------------------
// Every malformed input the bad-input tests use, each with the ErrorCode the readers must give
// and the file the error must name. Inputs are built from the samples above by one mutation.
struct MalformedCase {
    std::string name;
    // Writes the input under `root` and returns the path to open.
    std::function<std::filesystem::path(const std::filesystem::path& root)> make;
    ErrorCode code;
    // The file the error must name, relative to root; empty: the opened path itself.
    std::string errorFile = {};
    // Text the error detail must contain (advice, the key or tensor at fault, ...).
    std::string mentions = {};
};
const std::vector<MalformedCase>& malformedCases();
std::ostream& operator<<(std::ostream& os, const MalformedCase& c); // its name, for gtest

// A GGUF whose only content is one KV holding a string array that claims `count` strings.
GgufBuilder hugeStringArray(std::uint64_t count);

} // namespace condense::test
