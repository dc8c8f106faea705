#include "core/pipeline/hf_export.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/arch/tensor_naming.h"
#include "core/io/hf_folder_writer.h"
#include "core/io/json_file.h"
#include "core/quant/awq.h"
#include "core/tensor/float_convert.h"

namespace condense::pipeline {

namespace fs = std::filesystem;
using quant::HfQuantFormat;

namespace {

constexpr std::uint64_t kMaxConfigBytes = 16ull << 20;

// Files of a HF folder that travel with the weights.
constexpr const char* kCopiedFiles[] = {"tokenizer.json",        "tokenizer.model",   "tokenizer_config.json",
                                        "special_tokens_map.json", "generation_config.json", "added_tokens.json",
                                        "vocab.json",            "merges.txt",        "chat_template.jinja"};

Error tensorError(ErrorCode code, const std::string& file, const std::string& tensor, std::string detail)
{
    Error e = makeError(code, file, std::move(detail));
    e.tensor = tensor;
    return e;
}

bool isFloat(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

// What one output tensor is made from.
struct OutTensor {
    enum class Kind : std::uint8_t { Copy, Replace, Packed } kind = Kind::Copy;
    std::size_t source = 0;  // checkpoint tensor
    std::size_t linear = 0;  // Packed: index into linears
    std::size_t part = 0;    // Packed: index into the linear's packed tensors
};

} // namespace

bool isExportedLinear(std::string_view hfName)
{
    const auto g = arch::ggufTensorName(hfName);
    if (!g || g->rfind("blk.", 0) != 0) return false;
    for (const char* role : {".attn_q.weight", ".attn_k.weight", ".attn_v.weight", ".attn_output.weight", ".ffn_gate.weight",
                             ".ffn_up.weight", ".ffn_down.weight"}) {
        const std::string_view r(role);
        if (g->size() > r.size() && g->compare(g->size() - r.size(), r.size(), r) == 0) return true;
    }
    return false;
}

std::string hfQuantizationConfig(const HfExportRequest& r)
{
    const quant::PackConfig& p = r.pack;
    nlohmann::ordered_json q;
    switch (p.format) {
    case HfQuantFormat::GptqV1:
    case HfQuantFormat::GptqV2:
        // AutoGPTQ's BaseQuantizeConfig fields + GPTQModel's checkpoint_format / meta (formats.md 6.3).
        q["bits"] = p.bits;
        q["group_size"] = p.groupSize;
        q["damp_percent"] = r.dampPercent;
        q["desc_act"] = p.actOrder;
        q["static_groups"] = r.staticGroups;
        q["sym"] = p.symmetric;
        q["true_sequential"] = r.trueSequential;
        q["model_name_or_path"] = nullptr;
        q["model_file_base_name"] = "model";
        q["quant_method"] = "gptq";
        q["checkpoint_format"] = p.format == HfQuantFormat::GptqV1 ? "gptq" : "gptq_v2";
        q["pack_dtype"] = "int32";
        q["meta"] = {{"quantizer", {"condense"}}, {"method", r.method}};
        break;
    case HfQuantFormat::AwqGemm:
        // AutoAWQ AwqConfig.to_transformers_dict (formats.md 7.2).
        q["quant_method"] = "awq";
        q["zero_point"] = true;
        q["group_size"] = p.groupSize;
        q["bits"] = p.bits;
        q["version"] = "gemm";
        q["modules_to_not_convert"] = nullptr;
        break;
    case HfQuantFormat::CompressedTensors: {
        // compressed-tensors QuantizationConfig / QuantizationArgs as llm-compressor saves them
        // (quantization/quant_config.py, quant_args.py at 52792be).
        nlohmann::ordered_json w;
        w["actorder"] = p.actOrder ? nlohmann::ordered_json("group") : nlohmann::ordered_json(nullptr);
        w["block_structure"] = nullptr;
        w["dynamic"] = false;
        w["group_size"] = p.groupSize > 0 ? nlohmann::ordered_json(p.groupSize) : nlohmann::ordered_json(nullptr);
        w["num_bits"] = p.bits;
        w["observer"] = "minmax";
        w["observer_kwargs"] = nlohmann::ordered_json::object();
        w["strategy"] = p.groupSize > 0 ? "group" : "channel";
        w["symmetric"] = p.symmetric;
        w["type"] = "int";
        nlohmann::ordered_json g;
        g["format"] = "pack-quantized";
        g["input_activations"] = nullptr;
        g["output_activations"] = nullptr;
        g["targets"] = {"Linear"};
        g["weights"] = std::move(w);
        q["config_groups"] = {{"group_0", std::move(g)}};
        q["format"] = "pack-quantized";
        q["global_compression_ratio"] = nullptr;
        q["ignore"] = {"lm_head"};
        q["kv_cache_scheme"] = nullptr;
        q["quant_method"] = "compressed-tensors";
        q["quantization_status"] = "compressed";
        q["version"] = "0.12.2";
        break;
    }
    }
    return q.dump();
}

Result<HfExportOutcome> runHfExport(const HfExportRequest& r, jobs::ProgressSink& sink, std::stop_token stop)
{
    const std::vector<fs::path> inputs{r.input};
    CONDENSE_TRY(io::checkOutputFolder(r.output, inputs));
    jobs::WeightedProgress progress(sink, {{jobs::Stage::Opening, 1}, {jobs::Stage::Quantizing, 96}, {jobs::Stage::Validating, 3}});
    auto opened = io::openCheckpoint(r.input, progress, stop);
    if (!opened) return std::move(opened).error();
    const io::Checkpoint& ck = **opened;
    const std::string file = ck.path().string();
    if (ck.format() == io::CheckpointFormat::Gguf)
        return makeError(ErrorCode::InvalidArgument, file,
                         std::string("a ") + std::string(quant::hfQuantFormatName(r.pack.format)) +
                             " export is made from a Hugging Face model folder (safetensors), not a GGUF file");
    const fs::path configPath = ck.folder() / "config.json";
    if (!ck.hasConfig()) return makeError(ErrorCode::NotFound, configPath.string(), "the model folder has no config.json");

    // Plan every output tensor; every refusal comes before anything is written.
    std::vector<HfLinear> linears;
    std::vector<std::vector<quant::PackedTensor>> layouts;
    std::vector<OutTensor> plan;
    io::HfFolderContent content;
    content.maxShardBytes = r.maxShardBytes;
    std::size_t replaced = 0;
    for (std::size_t i = 0; i < ck.tensors().size(); ++i) {
        const io::TensorEntry& t = ck.tensors()[i];
        const std::string& fileOf = t.source < ck.files().size() ? ck.files()[t.source] : file;
        if (isExportedLinear(t.name) && t.shape.size() == 2) {
            if (!isFloat(t.dtype))
                return tensorError(ErrorCode::UnsupportedType, fileOf, t.name, "a " + std::string(dtypeName(t.dtype)) + " linear cannot be quantized (F32, F16 or BF16 expected)");
            if (r.replacements.count(t.name)) return tensorError(ErrorCode::InvalidArgument, fileOf, t.name, "a quantized linear cannot also be replaced");
            HfLinear l{t.name.substr(0, t.name.size() - 7), i, static_cast<std::int64_t>(t.shape[0]), static_cast<std::int64_t>(t.shape[1])};
            if (auto s = quant::checkPackConfig(r.pack, l.rows, l.cols); !s) {
                Error e = std::move(s).error();
                e.file = fileOf;
                e.tensor = t.name;
                return e;
            }
            layouts.push_back(quant::packedLayout(r.pack, l.rows, l.cols));
            for (std::size_t k = 0; k < layouts.back().size(); ++k) {
                const auto& p = layouts.back()[k];
                content.tensors.push_back({l.prefix + "." + p.suffix, p.dtype, p.shape});
                plan.push_back({OutTensor::Kind::Packed, i, linears.size(), k});
            }
            linears.push_back(std::move(l));
            continue;
        }
        if (auto it = r.replacements.find(t.name); it != r.replacements.end()) {
            if (!isFloat(t.dtype)) return tensorError(ErrorCode::InvalidArgument, fileOf, t.name, "only float tensors can be replaced");
            if (it->second.size() != t.elements())
                return tensorError(ErrorCode::InvalidArgument, fileOf, t.name,
                                   "replacement has " + std::to_string(it->second.size()) + " values, the tensor " + std::to_string(t.elements()));
            ++replaced;
            content.tensors.push_back({t.name, t.dtype, t.shape});
            plan.push_back({OutTensor::Kind::Replace, i, 0, 0});
            continue;
        }
        content.tensors.push_back({t.name, t.dtype, t.shape});
        plan.push_back({OutTensor::Kind::Copy, i, 0, 0});
    }
    if (replaced != r.replacements.size())
        for (const auto& [name, v] : r.replacements)
            if (ck.findTensor(name) < 0) return tensorError(ErrorCode::MissingTensor, file, name, "replacement for a tensor the model does not have");
    if (linears.empty()) return makeError(ErrorCode::InvalidArgument, file, "the model has no decoder-block linear to quantize");

    // config.json with quantization_config (key order kept), quantize_config.json for GPTQ.
    auto configText = io::readTextFile(configPath, kMaxConfigBytes);
    if (!configText) return std::move(configText).error();
    nlohmann::ordered_json config;
    try {
        config = nlohmann::ordered_json::parse(*configText);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::Malformed, configPath.string(), std::string("invalid JSON: ") + e.what());
    }
    if (!config.is_object()) return makeError(ErrorCode::Malformed, configPath.string(), "not a JSON object");
    const std::string qc = hfQuantizationConfig(r);
    config["quantization_config"] = nlohmann::ordered_json::parse(qc);
    content.textFiles.emplace_back("config.json", config.dump(2) + "\n");
    if (r.pack.format == HfQuantFormat::GptqV1 || r.pack.format == HfQuantFormat::GptqV2)
        content.textFiles.emplace_back("quantize_config.json", nlohmann::ordered_json::parse(qc).dump(2) + "\n");
    for (const char* name : kCopiedFiles) {
        std::error_code ec;
        const fs::path p = ck.folder() / name;
        if (fs::is_regular_file(p, ec)) content.copyFiles.push_back(p);
    }

    // One linear at a time: quantized when its first tensor is asked for, dropped after its last.
    std::size_t cachedLinear = static_cast<std::size_t>(-1);
    std::vector<quant::PackedTensor> cached;
    auto quantizeLinear = [&](std::size_t li) -> Status {
        const HfLinear& l = linears[li];
        const io::TensorEntry& t = ck.tensors()[l.tensor];
        const std::string& fileOf = t.source < ck.files().size() ? ck.files()[t.source] : file;
        const auto data = ck.tensorData(l.tensor);
        std::vector<float> w(static_cast<std::size_t>(l.rows * l.cols));
        if (data.size() != t.bytes || !convertToF32(t.dtype, data.data(), w.data(), w.size()))
            return tensorError(ErrorCode::Truncated, fileOf, t.name, "tensor data cannot be read as floats");
        Result<quant::GptqResult> q = makeError(ErrorCode::InvalidArgument, fileOf, "no quantizer");
        if (r.quantize) {
            q = r.quantize(l, w, stop);
        } else if (r.pack.format == HfQuantFormat::AwqGemm) {
            // AutoAWQ's own grid (min/max without forcing 0), scales rounded to f16 before the codes.
            quant::AwqOptions o;
            o.bits = r.pack.bits;
            o.groupSize = r.pack.groupSize;
            o.zeroPoint = true;
            o.halfScales = true;
            q = quant::awqQuantize(w, l.rows, l.cols, o);
        } else {
            quant::GptqOptions o;
            o.bits = r.pack.bits;
            o.groupSize = r.pack.groupSize;
            o.symmetric = r.pack.symmetric;
            q = quant::rtnQuantize(w, l.rows, l.cols, o);
        }
        if (!q) {
            Error e = std::move(q).error();
            if (e.file.empty()) e.file = fileOf;
            if (e.tensor.empty()) e.tensor = t.name;
            return e;
        }
        if (q->rows != l.rows || q->cols != l.cols)
            return tensorError(ErrorCode::InvalidArgument, fileOf, t.name, "the quantizer returned a result of another shape");
        if (auto s = quant::roundScalesToHalf(*q); !s) {
            Error e = std::move(s).error();
            e.file = fileOf;
            e.tensor = t.name;
            return e;
        }
        auto packed = quant::packLinear(*q, r.pack);
        if (!packed) {
            Error e = std::move(packed).error();
            e.file = fileOf;
            e.tensor = t.name;
            return e;
        }
        const auto& layout = layouts[li];
        if (packed->size() != layout.size())
            return tensorError(ErrorCode::InvalidArgument, fileOf, t.name, "packed tensors differ from the planned layout");
        for (std::size_t k = 0; k < layout.size(); ++k)
            if ((*packed)[k].suffix != layout[k].suffix || (*packed)[k].dtype != layout[k].dtype || (*packed)[k].shape != layout[k].shape)
                return tensorError(ErrorCode::InvalidArgument, fileOf, t.name, "packed tensor '" + layout[k].suffix + "' differs from the planned layout");
        cached = std::move(*packed);
        cachedLinear = li;
        return okStatus();
    };

    auto produce = [&](std::size_t index, io::TensorOutput& out) -> Status {
        const OutTensor& o = plan[index];
        const io::TensorEntry& t = ck.tensors()[o.source];
        switch (o.kind) {
        case OutTensor::Kind::Copy: return out.write(ck.tensorData(o.source));
        case OutTensor::Kind::Replace: {
            const auto& v = r.replacements.at(t.name);
            std::vector<std::byte> bytes(static_cast<std::size_t>(t.bytes));
            if (!convertFromF32(t.dtype, v.data(), bytes.data(), v.size()))
                return tensorError(ErrorCode::UnsupportedType, file, t.name, "cannot write the replacement in this dtype");
            return out.write(bytes);
        }
        case OutTensor::Kind::Packed: {
            if (cachedLinear != o.linear) CONDENSE_TRY(quantizeLinear(o.linear));
            Status s = out.write(cached[o.part].data);
            if (o.part + 1 == cached.size()) {
                cached.clear();
                cachedLinear = static_cast<std::size_t>(-1);
            }
            return s;
        }
        }
        return okStatus();
    };

    io::ModelWriteOptions wo;
    wo.inputs = {r.input};
    for (const auto& f : ck.files()) wo.inputs.emplace_back(f);
    wo.tensorStage = jobs::Stage::Quantizing;
    auto written = io::writeHfFolder(r.output, content, produce, wo, progress, stop);
    if (!written) return std::move(written).error();

    HfExportOutcome out;
    out.output = written->folder;
    out.fileBytes = written->fileBytes;
    out.tensors = content.tensors.size();
    out.quantizedLinears = linears.size();
    out.shards = written->shards.size();
    out.formatLabel = std::string(quant::hfQuantFormatName(r.pack.format));
    return out;
}

} // namespace condense::pipeline
