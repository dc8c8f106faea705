#include "core/plan/quant_plan.h"

#include <array>

#include <nlohmann/json.hpp>

namespace condense::plan {

using Json = nlohmann::json;

namespace {

constexpr std::array<std::pair<PlanFormat, std::string_view>, 4> kFormats = {{
    {PlanFormat::Gguf, "gguf"}, {PlanFormat::Gptq, "gptq"}, {PlanFormat::Awq, "awq"}, {PlanFormat::CompressedTensors, "compressed-tensors"},
}};
constexpr std::array<std::pair<PlanMethod, std::string_view>, 4> kMethods = {{
    {PlanMethod::Rtn, "rtn"}, {PlanMethod::Imatrix, "imatrix"}, {PlanMethod::Gptq, "gptq"}, {PlanMethod::Awq, "awq"},
}};

Json reasonJson(const Message& m)
{
    Json fields = Json::object();
    for (const auto& [k, v] : m.fields) fields[k] = v;
    Json r = {{"code", std::string(messageCodeKey(m.code))}, {"fields", std::move(fields)}};
    if (!m.tensor.empty()) r["tensor"] = m.tensor;
    return r;
}

} // namespace

std::string_view planFormatKey(PlanFormat f) noexcept
{
    for (const auto& [k, v] : kFormats)
        if (k == f) return v;
    return "gguf";
}

std::optional<PlanFormat> planFormatFromKey(std::string_view key) noexcept
{
    for (const auto& [k, v] : kFormats)
        if (v == key) return k;
    return std::nullopt;
}

std::string_view planMethodKey(PlanMethod m) noexcept
{
    for (const auto& [k, v] : kMethods)
        if (k == m) return v;
    return "rtn";
}

std::optional<PlanMethod> planMethodFromKey(std::string_view key) noexcept
{
    for (const auto& [k, v] : kMethods)
        if (v == key) return k;
    return std::nullopt;
}

std::uint64_t TensorPlan::elements() const
{
    std::uint64_t n = 1;
    for (auto d : ne) n *= d;
    return n;
}

std::uint64_t TensorPlan::bytes() const { return group ? packedBytes(*group, ne) : tensorBytes(type, ne); }

std::uint64_t QuantPlan::totalElements() const
{
    std::uint64_t n = 0;
    for (const auto& t : tensors) n += t.elements();
    return n;
}

std::uint64_t QuantPlan::totalBytes() const
{
    std::uint64_t n = 0;
    for (const auto& t : tensors) n += t.bytes();
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

std::uint64_t packedBytes(const GroupEncoding& enc, const std::vector<std::uint64_t>& ne)
{
    if (ne.empty() || enc.bits < 2 || enc.bits > 8) return 0;
    const std::uint64_t k = ne[0];
    std::uint64_t n = 1;
    for (std::size_t d = 1; d < ne.size(); ++d) {
        const auto m = checkedMul(n, ne[d]);
        if (!m || *m > (1ull << 40)) return 0;
        n = *m;
    }
    if (k > (1ull << 40)) return 0;
    const std::uint64_t groups = enc.groupSize == 0 ? 1 : (k + enc.groupSize - 1) / enc.groupSize;
    const std::uint64_t qweight = (k * enc.bits + 31) / 32 * 4 * n;
    const std::uint64_t scales = groups * n * 2;
    const std::uint64_t qzeros = groups * ((n * enc.bits + 31) / 32) * 4;
    const std::uint64_t gIdx = k * 4;
    return qweight + scales + qzeros + gIdx;
}

std::string toJson(const QuantPlan& plan, int indent)
{
    Json j;
    j["version"] = 2;
    j["format"] = std::string(planFormatKey(plan.format));
    j["method"] = std::string(planMethodKey(plan.method));
    j["mix"] = plan.mix;
    j["file_type"] = plan.fileType;
    j["imatrix"] = plan.imatrix.empty() ? Json(nullptr) : Json(plan.imatrix);
    if (plan.format != PlanFormat::Gguf) j["act_order"] = plan.actOrder;
    Json ts = Json::array();
    for (const auto& t : plan.tensors) {
        Json e;
        e["name"] = t.name;
        e["ne"] = t.ne;
        e["input_type"] = std::string(dtypeName(t.inputType));
        if (t.group) {
            e["bits"] = t.group->bits;
            e["group_size"] = t.group->groupSize;
            e["symmetric"] = t.group->symmetric;
        } else {
            e["type"] = std::string(dtypeName(t.type));
        }
        e["reason"] = reasonJson(t.reason);
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
    std::int64_t version = 1;
    if (j.contains("version")) {
        if (!j["version"].is_number_integer() || (j["version"].get<std::int64_t>() != 1 && j["version"].get<std::int64_t>() != 2))
            return makeError(ErrorCode::UnsupportedVersion, label, "plan: only versions 1 and 2 are understood");
        version = j["version"].get<std::int64_t>();
    }
    if (!j.contains("format") || !j["format"].is_string()) return bad("\"format\" must be a string");
    const auto format = planFormatFromKey(j["format"].get<std::string>());
    if (version == 1 && format != PlanFormat::Gguf) return bad("\"format\" must be \"gguf\"");
    if (!format) return bad("\"format\" must be \"gguf\", \"gptq\", \"awq\" or \"compressed-tensors\"");
    p.format = *format;
    if (!j.contains("mix") || !j["mix"].is_string()) return bad("\"mix\" must be a string");
    p.mix = j["mix"].get<std::string>();
    if (!j.contains("file_type") || !j["file_type"].is_number_unsigned() || j["file_type"].get<std::uint64_t>() > 0xffffffffull)
        return bad("\"file_type\" must be an unsigned 32-bit integer");
    p.fileType = static_cast<std::uint32_t>(j["file_type"].get<std::uint64_t>());
    if (j.contains("imatrix") && j["imatrix"].is_string()) p.imatrix = j["imatrix"].get<std::string>();
    if (version == 1) {
        p.method = p.imatrix.empty() ? PlanMethod::Rtn : PlanMethod::Imatrix;
    } else {
        if (!j.contains("method") || !j["method"].is_string()) return bad("\"method\" must be \"rtn\", \"imatrix\", \"gptq\" or \"awq\"");
        const auto method = planMethodFromKey(j["method"].get<std::string>());
        if (!method) return bad("\"method\" must be \"rtn\", \"imatrix\", \"gptq\" or \"awq\"");
        p.method = *method;
        if (j.contains("act_order")) {
            if (!j["act_order"].is_boolean()) return bad("\"act_order\" must be true or false");
            p.actOrder = j["act_order"].get<bool>();
        }
    }
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
        if (version == 2 && !e.contains("type") && e.contains("bits")) {
            GroupEncoding g;
            if (!e["bits"].is_number_unsigned() || e["bits"].get<std::uint64_t>() < 2 || e["bits"].get<std::uint64_t>() > 8)
                return bad(t.name + ": \"bits\" must be an integer from 2 to 8");
            g.bits = static_cast<std::uint32_t>(e["bits"].get<std::uint64_t>());
            if (!e.contains("group_size") || !e["group_size"].is_number_unsigned() || e["group_size"].get<std::uint64_t>() > 0xffffffffull)
                return bad(t.name + ": \"group_size\" must be an unsigned integer (0: one group per row)");
            g.groupSize = static_cast<std::uint32_t>(e["group_size"].get<std::uint64_t>());
            if (!e.contains("symmetric") || !e["symmetric"].is_boolean()) return bad(t.name + ": \"symmetric\" must be true or false");
            g.symmetric = e["symmetric"].get<bool>();
            t.group = g;
            if (t.bytes() == 0) return bad(t.name + ": shape too large");
        } else {
            CONDENSE_TRY(typeOf("type", t.type));
            const std::uint64_t bytes = t.bytes();
            if (bytes == 0)
                return makeError(ErrorCode::InvalidArgument, label,
                                 "plan: " + t.name + ": row length " + std::to_string(t.ne[0]) + " cannot be stored as " + std::string(dtypeName(t.type)));
            if (e.contains("bytes") && (!e["bytes"].is_number_unsigned() || e["bytes"].get<std::uint64_t>() != bytes))
                return bad(t.name + ": \"bytes\" does not match its type and shape (" + std::to_string(bytes) + ")");
        }
        if (e.contains("reason")) {
            const Json& r = e["reason"];
            if (r.is_string()) {
                t.reason = legacyText(r.get<std::string>());
            } else if (version == 2 && r.is_object()) {
                if (!r.contains("code") || !r["code"].is_string()) return bad(t.name + ": \"reason\" needs a \"code\"");
                const auto code = messageCodeFromKey(r["code"].get<std::string>());
                if (!code) return bad(t.name + ": unknown reason code '" + r["code"].get<std::string>() + "'");
                t.reason.code = *code;
                if (r.contains("tensor") && r["tensor"].is_string()) t.reason.tensor = r["tensor"].get<std::string>();
                if (r.contains("fields")) {
                    if (!r["fields"].is_object()) return bad(t.name + ": \"reason\".\"fields\" must be an object");
                    for (const auto& [k, v] : r["fields"].items()) {
                        if (!v.is_string()) return bad(t.name + ": reason field '" + k + "' must be a string");
                        t.reason.fields.emplace_back(k, v.get<std::string>());
                    }
                }
            }
        }
        if (e.contains("fallback") && e["fallback"].is_boolean()) t.fallback = e["fallback"].get<bool>();
        if (p.find(t.name) >= 0) return bad("tensor '" + t.name + "' appears twice");
        p.tensors.push_back(std::move(t));
    }
    return p;
}

} // namespace condense::plan
