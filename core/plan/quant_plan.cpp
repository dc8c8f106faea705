#include "core/plan/quant_plan.h"

#include <nlohmann/json.hpp>

namespace condense::plan {

using Json = nlohmann::json;

std::uint64_t TensorPlan::elements() const
{
    std::uint64_t n = 1;
    for (auto d : ne) n *= d;
    return n;
}

std::uint64_t QuantPlan::totalElements() const
{
    std::uint64_t n = 0;
    for (const auto& t : tensors) n += t.elements();
    return n;
}

std::uint64_t QuantPlan::totalBytes() const
{
    std::uint64_t n = 0;
    for (const auto& t : tensors) n += t.bytes;
    return n;
}

std::uint64_t QuantPlan::totalInputBytes() const
{
    std::uint64_t n = 0;
    for (const auto& t : tensors) n += tensorBytes(t.inputType, t.ne);
    return n;
}

double QuantPlan::bitsPerWeight() const
{
    const std::uint64_t e = totalElements();
    return e ? 8.0 * static_cast<double>(totalBytes()) / static_cast<double>(e) : 0.0;
}

std::size_t QuantPlan::fallbacks() const
{
    std::size_t n = 0;
    for (const auto& t : tensors) n += t.fallback;
    return n;
}

std::int64_t QuantPlan::find(std::string_view name) const
{
    for (std::size_t i = 0; i < tensors.size(); ++i)
        if (tensors[i].name == name) return static_cast<std::int64_t>(i);
    return -1;
}

std::uint64_t tensorBytes(DType type, const std::vector<std::uint64_t>& ne)
{
    if (ne.empty()) return 0;
    std::uint64_t elements = 1;
    for (auto d : ne) {
        const auto m = checkedMul(elements, d);
        if (!m) return 0;
        elements = *m;
    }
    return dtypeBytes(type, ne[0], elements).value_or(0);
}

std::string toJson(const QuantPlan& plan, int indent)
{
    Json j;
    j["format"] = plan.format;
    j["version"] = 1;
    j["mix"] = plan.mix;
    j["file_type"] = plan.fileType;
    j["imatrix"] = plan.imatrix.empty() ? Json(nullptr) : Json(plan.imatrix);
    Json ts = Json::array();
    for (const auto& t : plan.tensors) {
        Json e;
        e["name"] = t.name;
        e["ne"] = t.ne;
        e["input_type"] = std::string(dtypeName(t.inputType));
        e["type"] = std::string(dtypeName(t.type));
        e["bytes"] = t.bytes;
        e["reason"] = t.reason;
        if (t.fallback) e["fallback"] = true;
        ts.push_back(std::move(e));
    }
    j["tensors"] = std::move(ts);
    j["totals"] = {{"elements", plan.totalElements()},
                   {"bytes", plan.totalBytes()},
                   {"input_bytes", plan.totalInputBytes()},
                   {"bits_per_weight", plan.bitsPerWeight()},
                   {"fallbacks", plan.fallbacks()}};
    return j.dump(indent);
}

Result<QuantPlan> planFromJson(std::string_view text, const std::string& label)
{
    const auto bad = [&](const std::string& what) { return makeError(ErrorCode::Malformed, label, "plan: " + what); };
    Json j = Json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) return bad("not valid JSON");
    if (!j.is_object()) return bad("not a JSON object");
    QuantPlan p;
    if (!j.contains("format") || !j["format"].is_string() || j["format"].get<std::string>() != "gguf")
        return bad("\"format\" must be \"gguf\"");
    if (j.contains("version") && (!j["version"].is_number_integer() || j["version"].get<std::int64_t>() != 1))
        return makeError(ErrorCode::UnsupportedVersion, label, "plan: only version 1 is understood");
    if (!j.contains("mix") || !j["mix"].is_string()) return bad("\"mix\" must be a string");
    p.mix = j["mix"].get<std::string>();
    if (!j.contains("file_type") || !j["file_type"].is_number_unsigned() || j["file_type"].get<std::uint64_t>() > 0xffffffffull)
        return bad("\"file_type\" must be an unsigned 32-bit integer");
    p.fileType = static_cast<std::uint32_t>(j["file_type"].get<std::uint64_t>());
    if (j.contains("imatrix") && j["imatrix"].is_string()) p.imatrix = j["imatrix"].get<std::string>();
    if (!j.contains("tensors") || !j["tensors"].is_array()) return bad("\"tensors\" must be an array");
    for (std::size_t i = 0; i < j["tensors"].size(); ++i) {
        const Json& e = j["tensors"][i];
        const std::string where = "tensor #" + std::to_string(i);
        if (!e.is_object()) return bad(where + " is not an object");
        TensorPlan t;
        if (!e.contains("name") || !e["name"].is_string() || e["name"].get<std::string>().empty()) return bad(where + ": \"name\" missing");
        t.name = e["name"].get<std::string>();
        if (!e.contains("ne") || !e["ne"].is_array() || e["ne"].empty() || e["ne"].size() > 4)
            return bad(t.name + ": \"ne\" must be an array of 1 to 4 dimensions");
        for (const auto& d : e["ne"]) {
            if (!d.is_number_unsigned() || d.get<std::uint64_t>() == 0) return bad(t.name + ": \"ne\" must hold positive integers");
            t.ne.push_back(d.get<std::uint64_t>());
        }
        const auto typeOf = [&](const char* key, DType& out) -> Status {
            if (!e.contains(key) || !e[key].is_string()) return bad(t.name + ": \"" + key + "\" missing");
            const auto dt = dtypeFromName(e[key].get<std::string>());
            const DTypeTraits* tr = dt ? dtypeTraits(*dt) : nullptr;
            if (!tr || !tr->isGgml) return makeError(ErrorCode::UnsupportedType, label, "plan: " + t.name + ": unknown type '" + e[key].get<std::string>() + "'");
            out = *dt;
            return okStatus();
        };
        CONDENSE_TRY(typeOf("input_type", t.inputType));
        CONDENSE_TRY(typeOf("type", t.type));
        t.bytes = tensorBytes(t.type, t.ne);
        if (t.bytes == 0)
            return makeError(ErrorCode::InvalidArgument, label,
                             "plan: " + t.name + ": row length " + std::to_string(t.ne[0]) + " cannot be stored as " + std::string(dtypeName(t.type)));
        if (e.contains("bytes") && (!e["bytes"].is_number_unsigned() || e["bytes"].get<std::uint64_t>() != t.bytes))
            return bad(t.name + ": \"bytes\" does not match its type and shape (" + std::to_string(t.bytes) + ")");
        if (e.contains("reason") && e["reason"].is_string()) t.reason = e["reason"].get<std::string>();
        if (e.contains("fallback") && e["fallback"].is_boolean()) t.fallback = e["fallback"].get<bool>();
        if (p.find(t.name) >= 0) return bad("tensor '" + t.name + "' appears twice");
        p.tensors.push_back(std::move(t));
    }
    return p;
}

} // namespace condense::plan
