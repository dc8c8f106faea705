#include "core/io/hf_quantization.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/io/json_file.h"

namespace condense::io {

namespace fs = std::filesystem;

namespace {

Error unsupported(const std::string& file, std::string detail) { return makeError(ErrorCode::UnsupportedFormat, file, std::move(detail)); }
Error malformed(const std::string& file, std::string detail) { return makeError(ErrorCode::Malformed, file, std::move(detail)); }

// The first of `keys` present: an integer.
Result<std::optional<std::int64_t>> intField(const nlohmann::json& j, std::initializer_list<const char*> keys, const std::string& file)
{
    for (const char* k : keys) {
        if (!j.contains(k) || j[k].is_null()) continue;
        if (!j[k].is_number_integer()) return malformed(file, std::string("quantization_config.") + k + " is not an integer");
        return std::optional<std::int64_t>(j[k].get<std::int64_t>());
    }
    return std::optional<std::int64_t>();
}

Result<bool> boolField(const nlohmann::json& j, const char* key, bool def, const std::string& file)
{
    if (!j.contains(key) || j[key].is_null()) return def;
    if (!j[key].is_boolean()) return malformed(file, std::string("quantization_config.") + key + " is not true or false");
    return j[key].get<bool>();
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

Result<std::optional<PackConfig>> parse(const nlohmann::json& q, const std::string& file)
{
    if (!q.is_object()) return malformed(file, "quantization_config is not an object");
    const std::string method = q.contains("quant_method") && q["quant_method"].is_string() ? lower(q["quant_method"].get<std::string>()) : "";
    PackConfig c;
    auto group = [&](std::int64_t g) -> Status {
        if (g == 0 || g < -1 || g > (std::int64_t{1} << 31)) return malformed(file, "quantization_config group size " + std::to_string(g));
        c.groupSize = g;
        return okStatus();
    };
    if (method == "gptq") {
        auto bits = intField(q, {"bits", "w_bit"}, file);
        if (!bits) return std::move(bits).error();
        if (!*bits) return malformed(file, "quantization_config has no bits");
        c.bits = static_cast<int>(**bits);
        if (c.bits != 2 && c.bits != 3 && c.bits != 4 && c.bits != 8) return unsupported(file, "GPTQ with " + std::to_string(**bits) + " bits");
        auto g = intField(q, {"group_size", "q_group_size"}, file);
        if (!g) return std::move(g).error();
        CONDENSE_TRY(group(g->value_or(-1)));
        auto sym = boolField(q, "sym", true, file);
        if (!sym) return std::move(sym).error();
        c.symmetric = *sym;
        auto desc = boolField(q, "desc_act", false, file);
        if (!desc) return std::move(desc).error();
        c.actOrder = *desc;
        std::string fmt = "gptq";
        for (const char* k : {"checkpoint_format", "format"})
            if (q.contains(k) && q[k].is_string()) {
                fmt = lower(q[k].get<std::string>());
                break;
            }
        if (fmt == "gptq") c.format = HfQuantFormat::GptqV1;
        else if (fmt == "gptq_v2") c.format = HfQuantFormat::GptqV2;
        else return unsupported(file, "GPTQ checkpoint format '" + fmt + "' (gptq and gptq_v2 are read)");
        return std::optional<PackConfig>(c);
    }
    if (method == "awq") {
        std::string version = "gemm";
        if (q.contains("version") && q["version"].is_string()) version = lower(q["version"].get<std::string>());
        if (version != "gemm") return unsupported(file, "AWQ version '" + version + "' (only gemm is read)");
        auto bits = intField(q, {"bits", "w_bit"}, file);
        if (!bits) return std::move(bits).error();
        if (bits->value_or(4) != 4) return unsupported(file, "AWQ GEMM with " + std::to_string(**bits) + " bits");
        auto zp = boolField(q, "zero_point", true, file);
        if (!zp) return std::move(zp).error();
        if (!*zp) return unsupported(file, "AWQ without zero points");
        auto g = intField(q, {"group_size", "q_group_size"}, file);
        if (!g) return std::move(g).error();
        CONDENSE_TRY(group(g->value_or(128)));
        if (c.groupSize <= 0) return unsupported(file, "AWQ GEMM without groups");
        c.format = HfQuantFormat::AwqGemm;
        c.bits = 4;
        c.symmetric = false;
        return std::optional<PackConfig>(c);
    }
    if (method == "compressed-tensors") {
        const std::string fmt = q.contains("format") && q["format"].is_string() ? q["format"].get<std::string>() : "";
        if (!q.contains("config_groups") || !q["config_groups"].is_object() || q["config_groups"].size() != 1)
            return unsupported(file, "compressed-tensors with other than one config group");
        const nlohmann::json& grp = q["config_groups"].begin().value();
        if (!grp.is_object()) return malformed(file, "compressed-tensors config group is not an object");
        const std::string gfmt = grp.contains("format") && grp["format"].is_string() ? grp["format"].get<std::string>() : fmt;
        if (gfmt != "pack-quantized") return unsupported(file, "compressed-tensors format '" + gfmt + "' (pack-quantized is read)");
        if (grp.contains("input_activations") && !grp["input_activations"].is_null())
            return unsupported(file, "compressed-tensors with quantized activations");
        if (!grp.contains("weights") || !grp["weights"].is_object()) return malformed(file, "compressed-tensors config group has no weights");
        const nlohmann::json& w = grp["weights"];
        if (w.contains("type") && w["type"].is_string() && lower(w["type"].get<std::string>()) != "int")
            return unsupported(file, "compressed-tensors weights of type '" + w["type"].get<std::string>() + "'");
        auto bits = intField(w, {"num_bits"}, file);
        if (!bits) return std::move(bits).error();
        c.bits = static_cast<int>(bits->value_or(8));
        if (c.bits != 2 && c.bits != 4 && c.bits != 8) return unsupported(file, "pack-quantized with " + std::to_string(c.bits) + " bits");
        const std::string strategy = w.contains("strategy") && w["strategy"].is_string() ? lower(w["strategy"].get<std::string>()) : "";
        if (strategy == "group") {
            auto g = intField(w, {"group_size"}, file);
            if (!g) return std::move(g).error();
            if (!*g || **g <= 0) return malformed(file, "compressed-tensors group strategy without a positive group_size");
            CONDENSE_TRY(group(**g));
        } else if (strategy == "channel") {
            c.groupSize = -1;
        } else {
            return unsupported(file, "compressed-tensors strategy '" + strategy + "' (group and channel are read)");
        }
        auto sym = boolField(w, "symmetric", true, file);
        if (!sym) return std::move(sym).error();
        c.symmetric = *sym;
        c.actOrder = w.contains("actorder") && !w["actorder"].is_null() && !(w["actorder"].is_boolean() && !w["actorder"].get<bool>());
        c.format = HfQuantFormat::CompressedTensors;
        return std::optional<PackConfig>(c);
    }
    return unsupported(file, "quantization method '" + method + "' is not one we read (gptq, awq, compressed-tensors)");
}

} // namespace

Result<std::optional<PackConfig>> readHfQuantization(const nlohmann::json& config, const fs::path& folder, const std::string& configFile)
{
    if (config.is_object() && config.contains("quantization_config") && !config["quantization_config"].is_null())
        return parse(config["quantization_config"], configFile);
    for (const char* name : {"quantize_config.json", "quant_config.json"}) {
        auto j = readOptionalJsonFile(folder / name, kMaxSmallFileBytes);
        if (!j) return std::move(j).error();
        if (*j) {
            nlohmann::json q = **j;
            if (q.is_object() && !q.contains("quant_method")) q["quant_method"] = std::string(name) == "quant_config.json" ? "awq" : "gptq";
            return parse(q, (folder / name).string());
        }
    }
    return std::optional<PackConfig>();
}

std::string hfQuantizationLabel(const PackConfig& c)
{
    std::string s(hfQuantFormatName(c.format));
    s += " " + std::to_string(c.bits) + "-bit, ";
    s += c.groupSize > 0 ? "group " + std::to_string(c.groupSize) : std::string("per channel");
    s += c.symmetric ? ", symmetric" : ", zero points";
    if (c.actOrder) s += ", act-order";
    return s;
}

} // namespace condense::io
